// Pressing Play on a title page starts the playback session at once, while the app changes to
// the watch page, which takes that answer instead of asking again: the start's round trip
// overlaps the page change. An answer not taken within EARLY_START_MS is left alone (the watch
// page starts its own; this browser's device id makes that start replace the first one, and
// an unused session's lease lapses by itself).
import { client } from "@/session/api";

import { browserDevice } from "./device";
import { playbackApi } from "./playback-api";
import type { PlaybackStart, StreamFormat } from "./types";

export const EARLY_START_MS = 5000;

export interface StartKey {
  contentId: string;
  episodeId: string | null;
  format: StreamFormat;
}

interface EarlyStart {
  key: string;
  answer: Promise<PlaybackStart>;
  madeAt: number;
}

let pending: EarlyStart | null = null;

function keyOf({ contentId, episodeId, format }: StartKey): string {
  return `${contentId}|${episodeId ?? ""}|${format}`;
}

/** The playback start of `key` from this browser, over the app's client. */
export function startOverTheApi(key: StartKey, signal?: AbortSignal): Promise<PlaybackStart> {
  return playbackApi(client).start(
    { content_id: key.contentId, episode_id: key.episodeId, format: key.format, device: browserDevice() },
    signal,
  );
}

/** Starts the session for `key` now (the Play press). */
export function beginPlayback(key: StartKey, start: (key: StartKey) => Promise<PlaybackStart> = (k) => startOverTheApi(k)): void {
  const answer = start(key);
  answer.catch(() => undefined); // whoever takes it handles the error
  pending = { key: keyOf(key), answer, madeAt: Date.now() };
}

/** The early start for `key`, once, if one was begun in the last EARLY_START_MS. */
export function takeEarlyStart(key: StartKey, now: number = Date.now()): Promise<PlaybackStart> | null {
  const early = pending;
  pending = null;
  if (early === null || early.key !== keyOf(key) || now - early.madeAt > EARLY_START_MS) return null;
  return early.answer;
}
