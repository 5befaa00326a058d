// The ads of a viewer's playback session, framework-free so that a Play press's session (made
// before any page, early-session.ts) has them as the watch page's would: the VMAP of the
// session from the ad service (none for a plan without ads), each break's VAST played over
// the content, the mid-rolls shown remembered for a while.
import type { AdBreakSource } from "../breaks";
import { storedSeenBreaks, type SeenBreaks } from "./seen-breaks";
import { VastBreakPlayer } from "./vast-break-player";
import { titleKey, vmapBreakSource } from "./vmap-source";

export { AdViewStore, secondsLeft, secondsToSkip, type AdControls, type AdView } from "./ad-view";
export { VastBreakPlayer } from "./vast-break-player";

export interface SessionAds {
  breaks: AdBreakSource;
  breakPlayer: VastBreakPlayer;
}

export function sessionAds(options: {
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  requestHeaders?: (url: string) => Record<string, string> | null;
  seen?: SeenBreaks;
}): SessionAds {
  const seen = options.seen ?? storedSeenBreaks();
  let title: string | null = null;
  const breakPlayer = new VastBreakPlayer({
    requestHeaders: options.requestHeaders,
    onShown: (adBreak) => {
      if (title !== null && adBreak.position.kind === "midroll") seen.add(title, adBreak.id);
    },
  });
  const breaks = vmapBreakSource({
    fetch: options.fetch,
    seen,
    onBreaks: (found, request) => {
      title = titleKey(request);
      if (found.length > 0) breakPlayer.prefetch();
    },
  });
  return { breaks, breakPlayer };
}
