// The session of a Play press, driven before its page is there: the start answer's controller
// (resume, reports, token renewal, breaks) attaches to the prepared player (prepared-engine.ts)
// at once and plays it, shown over the title page; the watch page's SessionPlayer takes both
// over. What plays early is what would play on the watch page: the same controller, with the
// viewer's ads (ads/: the session's VMAP, none for a plan without ads), so a pre-roll comes
// first either way.
import { client } from "@/session/api";

import { sessionAds } from "./ads";
import { apiRequestHeaders } from "./api-headers";
import type { AdBreakPlayer, AdBreakSource } from "./breaks";
import { browserLifecycle, PlaybackController } from "./controller";
import { playbackApi } from "./playback-api";
import { prepareEngine } from "./prepared-engine";
import { sessionSource, sessionSubtitles } from "./sources";
import type { PlaybackStart } from "./types";

let early: PlaybackController | null = null;

/** The viewer's ads for a new session. */
export function viewerAds(): { breaks: AdBreakSource; breakPlayer: AdBreakPlayer } {
  return sessionAds({ fetch: client.fetch, requestHeaders: apiRequestHeaders });
}

/** A session's controller in this browser, whichever page begins it (with the viewer's ads unless others are given). */
export function sessionController(
  start: PlaybackStart,
  ads: { breaks?: AdBreakSource; breakPlayer?: AdBreakPlayer } = {},
): PlaybackController {
  const chosen = ads.breaks === undefined && ads.breakPlayer === undefined ? viewerAds() : ads;
  return new PlaybackController({ api: playbackApi(client), start, ...chosen, lifecycle: browserLifecycle });
}

/**
 * Starts playing `start`'s stream in a player shown over the page. Resolves when the picture
 * plays (or the player failed): the moment to open the watch page.
 */
export function playEarly(start: PlaybackStart): Promise<void> {
  const controller = sessionController(start);
  early = controller;
  const engine = prepareEngine(
    { source: sessionSource(start), subtitles: sessionSubtitles(start) },
    { requestHeaders: apiRequestHeaders, rewriteUrl: (url) => controller.rewrite(url) },
    {
      shown: true,
      onLoading: (ready) => controller.attach(ready.surface, { autoplay: true }),
      onDiscard: () => {
        if (early === controller) early = null;
        void controller.close({ release: true });
      },
    },
  );
  return engine.then(
    (ready) => new Promise<void>((resolve) => ready.player.any(["playing", "error"], () => resolve())),
    () => undefined,
  );
}

/** The controller begun early for session `sessionId`, once; null if none. */
export function takeEarlyController(sessionId: string): PlaybackController | null {
  const controller = early;
  if (controller === null || controller.sessionId !== sessionId) return null;
  early = null;
  return controller;
}
