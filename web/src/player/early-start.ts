// Pressing Play on a title page starts the playback session at once, while the app changes to
// the watch page, which takes that answer instead of asking again: the start's round trip
// overlaps the page change. An answer not taken within EARLY_START_MS is left alone (the watch
// page starts its own; this browser's device id makes that start replace the first one, and
// an unused session's lease lapses by itself). Once the answer is in, its stream starts
// loading in a player made ahead of the page (prepared-engine.ts).
import { client } from "@/session/api";

import { apiRequestHeaders } from "./api-headers";
import { browserDevice } from "./device";
import { playbackApi } from "./playback-api";
import { prepareEngine } from "./prepared-engine";
import { sessionSource, sessionSubtitles } from "./sources";
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
/** The last start begun, taken or not: only its answer gets a player. */
let newest: EarlyStart | null = null;

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

/** A player for the session's stream, made ahead of the watch page, which takes it over. */
export function prepareSessionPlayer(start: PlaybackStart): void {
  prepareEngine({
    source: sessionSource(start),
    subtitles: sessionSubtitles(start),
    requestHeaders: apiRequestHeaders,
    startTime: start.resume_position_seconds,
  });
}

/** Starts the session for `key` now (the Play press), and its player once the answer is in. */
export function beginPlayback(
  key: StartKey,
  start: (key: StartKey) => Promise<PlaybackStart> = (k) => startOverTheApi(k),
  prepare: (start: PlaybackStart) => void = prepareSessionPlayer,
): void {
  const answer = start(key);
  const entry: EarlyStart = { key: keyOf(key), answer, madeAt: Date.now() };
  // Whoever takes the answer handles its error. An answer that another press has replaced
  // makes no player.
  answer
    .then((ready) => {
      if (newest === entry) prepare(ready);
    })
    .catch(() => undefined);
  pending = entry;
  newest = entry;
}

/** The early start for `key`, once, if one was begun in the last EARLY_START_MS. */
export function takeEarlyStart(key: StartKey, now: number = Date.now()): Promise<PlaybackStart> | null {
  const early = pending;
  pending = null;
  if (early === null || early.key !== keyOf(key) || now - early.madeAt > EARLY_START_MS) return null;
  return early.answer;
}
