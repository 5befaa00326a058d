// Pressing Play on a title page starts the playback session at once, while the app changes to
// the watch page, which takes that answer instead of asking again: the start's round trip
// overlaps the page change. An answer not taken within EARLY_START_MS is left alone (the watch
// page starts its own; this browser's device id makes that start replace the first one, and
// an unused session's lease lapses by itself). Once the answer is in, the session starts
// playing in a player shown over the page (early-session.ts), and the title page opens the
// watch page when the picture plays.
import { loadOnce } from "@/lib/load-once";
import { client } from "@/session/api";

import { browserDevice } from "./device";
import { markPlaybackStep } from "./marks";
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

/**
 * The early session's code (the controller: a chunk of its own, shared with the watch page,
 * so that pages linking to title pages do not prefetch it). Loaded by the title page once
 * idle, or by the press, beside the start's round trip.
 */
export const loadEarlySession = loadOnce(() => import("./early-session"));

function playEarly(start: PlaybackStart, stillWanted: () => boolean): Promise<void> {
  return loadEarlySession().then(({ playEarly: play }) => (stillWanted() ? play(start) : undefined));
}

/**
 * Starts the session for `key` now (the Play press), and its player once the answer is in.
 * Resolves when that player plays, or when there will be none (the start failed, another
 * press replaced this one): the moment to open the watch page.
 */
export function beginPlayback(
  key: StartKey,
  start: (key: StartKey) => Promise<PlaybackStart> = (k) => startOverTheApi(k),
  prepare: (start: PlaybackStart, stillWanted: () => boolean) => Promise<void> | void = playEarly,
): Promise<void> {
  const answer = start(key);
  if (prepare === playEarly) void loadEarlySession().catch(() => undefined);
  const entry: EarlyStart = { key: keyOf(key), answer, madeAt: Date.now() };
  pending = entry;
  // Whoever takes the answer handles its error. Only an answer no page has taken yet is
  // played early (a page that took it first plays it itself), and only while that holds:
  // the early session's code may still be arriving.
  const untaken = () => pending === entry;
  return answer
    .then((ready) => {
      markPlaybackStep("start-answer");
      if (untaken()) return prepare(ready, untaken);
    })
    .catch(() => undefined);
}

/** The early start for `key`, once, if one was begun in the last EARLY_START_MS. */
export function takeEarlyStart(key: StartKey, now: number = Date.now()): Promise<PlaybackStart> | null {
  const early = pending;
  pending = null;
  if (early === null || early.key !== keyOf(key) || now - early.madeAt > EARLY_START_MS) return null;
  return early.answer;
}
