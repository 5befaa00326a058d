// The breaks of a playback from the ad service: GET /api/ads/vmap for the session (with the
// viewer's token), parsed as VMAP. A viewer without ads (403 ad_free_plan), an error, a slow
// answer or a malformed document all mean no breaks: the title plays.
import type { AdBreakSource, BreakRequest } from "../breaks";
import type { SeenBreaks } from "./seen-breaks";
import { parseVmap, type VastBreak } from "./vmap";

export const VMAP_PATH = "/api/ads/vmap";
export const AD_TIMEOUT_MS = 5000;

export interface VmapSourceOptions {
  /** The app's authorised fetch of an API path (the bearer token, one refresh on 401). */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  seen?: SeenBreaks;
  timeoutMs?: number;
  /** The breaks found for a title (the break player fetches its code when there are some). */
  onBreaks?: (breaks: VastBreak[], request: BreakRequest) => void;
  parser?: { parseFromString(text: string, type: "text/xml"): Document };
}

/** The key of a title (and episode) in the seen breaks. */
export function titleKey(request: Pick<BreakRequest, "contentId" | "episodeId">): string {
  return request.episodeId ? `${request.contentId}/${request.episodeId}` : request.contentId;
}

export function vmapPath(request: Pick<BreakRequest, "contentId" | "episodeId" | "sessionId">): string {
  const query = new URLSearchParams({ content_id: request.contentId });
  if (request.episodeId) query.set("episode_id", request.episodeId);
  query.set("session_id", request.sessionId);
  return `${VMAP_PATH}?${query}`;
}

/** `signal`, also aborted after `ms`; `clear` stops the clock. */
export function timedSignal(signal: AbortSignal, ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) abort();
  signal.addEventListener("abort", abort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), ms);
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
    },
  };
}

export function vmapBreakSource(options: VmapSourceOptions): AdBreakSource {
  const timeoutMs = options.timeoutMs ?? AD_TIMEOUT_MS;
  return {
    async breaksFor(request) {
      const { signal, clear } = timedSignal(request.signal, timeoutMs);
      let text: string;
      try {
        const answer = await options.fetch(vmapPath(request), { headers: { accept: "application/xml" }, signal });
        if (!answer.ok) return []; // 403 ad_free_plan: a plan without ads; anything else: no ads rather than no title
        text = await answer.text();
      } catch {
        return []; // offline, or too slow: the title plays without breaks
      } finally {
        clear();
      }
      let breaks: VastBreak[];
      try {
        breaks = parseVmap(text, request.durationSeconds, options.parser);
      } catch (error) {
        console.warn("unreadable VMAP", error);
        return [];
      }
      const title = titleKey(request);
      const seen = options.seen;
      const fresh = seen
        ? breaks.filter((item) => item.position.kind !== "midroll" || !seen.has(title, item.id))
        : breaks;
      options.onBreaks?.(fresh, request);
      return fresh;
    },
  };
}
