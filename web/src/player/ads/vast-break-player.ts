// The session's break player for VAST breaks. Small: the code that plays a break
// (vast-playback.ts, with @dailymotion/vast-client) is a chunk of its own, fetched when a
// title turns out to have breaks (or at the break), so neither the home page nor a viewer
// without ads loads it. What plays is in `view`, for the overlay.
import { loadOnce } from "@/lib/load-once";

import type { AdBreak, AdBreakPlayer, BreakContext } from "../breaks";
import { AdViewStore } from "./ad-view";
import { AD_TIMEOUT_MS } from "./vmap-source";
import { isVastBreak, type VastBreak } from "./vmap";

export const loadVastPlayback = loadOnce(() => import("./vast-playback"));

export interface VastBreakPlayerOptions {
  timeoutMs?: number;
  requestHeaders?: (url: string) => Record<string, string> | null;
  /** A break whose ad was shown (its impression counted). */
  onShown?: (adBreak: VastBreak) => void;
  /** The code that plays breaks (tests give their own). */
  load?: () => Promise<Pick<typeof import("./vast-playback"), "playVastBreak">>;
}

export class VastBreakPlayer implements AdBreakPlayer {
  readonly view = new AdViewStore();
  private readonly options: VastBreakPlayerOptions;

  constructor(options: VastBreakPlayerOptions = {}) {
    this.options = options;
  }

  /** Fetches the break-playing code ahead of the first break. */
  prefetch(): void {
    void (this.options.load ?? loadVastPlayback)().catch(() => undefined);
  }

  async play(adBreak: AdBreak, { signal, host }: BreakContext): Promise<void> {
    if (!isVastBreak(adBreak) || host === null || signal.aborted) return;
    const timeoutMs = this.options.timeoutMs ?? AD_TIMEOUT_MS;
    try {
      const code = await Promise.race([
        (this.options.load ?? loadVastPlayback)(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs)),
      ]);
      if (code === null || signal.aborted) return; // the ad code did not come in time: on with the title
      const shown = await code.playVastBreak(adBreak, {
        signal,
        host,
        view: this.view,
        timeoutMs,
        requestHeaders: this.options.requestHeaders,
      });
      if (shown) this.options.onShown?.(adBreak);
    } finally {
      this.view.set(null);
    }
  }
}
