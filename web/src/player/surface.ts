// What the playback controller needs of a player: a small, framework-free view of a media
// element (Video.js in the app, a fake in tests).

export type SurfaceEvent = "loadedmetadata" | "play" | "pause" | "seeking" | "seeked" | "timeupdate" | "ended";

export interface PlaybackSurface {
  currentTime(): number;
  /** Seconds; NaN while unknown. */
  duration(): number;
  paused(): boolean;
  seek(seconds: number): void;
  /** May be refused (autoplay rules): the promise rejects and the viewer presses play. */
  play(): Promise<void> | void;
  pause(): void;
  on(event: SurfaceEvent, listener: () => void): () => void;
  /** The player's element, where an ad break draws its own picture over the content's. */
  host?(): HTMLElement | null;
}
