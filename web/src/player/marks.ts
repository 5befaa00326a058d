// User Timing marks of a playback start (performance.mark, "ott:<step>"), for the browser's
// performance tools and bench/web.py's first-frame timeline. Cheap, and kept in production.
export type PlaybackStep = "start-answer" | "source-loading" | "player-taken" | "play-asked";

export function markPlaybackStep(step: PlaybackStep): void {
  if (typeof performance !== "undefined" && typeof performance.mark === "function") performance.mark(`ott:${step}`);
}
