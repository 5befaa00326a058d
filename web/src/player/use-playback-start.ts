"use client";

// Starting a playback session for the watch page: the start answer, or the streams holding
// the account's limit, or the error; retried on demand (after stopping another stream).
import { useCallback, useEffect, useState } from "react";

import { ApiError } from "@/api/errors";
import { client } from "@/session/api";

import { startOverTheApi, takeEarlyStart } from "./early-start";
import { playbackApi } from "./playback-api";
import { activeStreamsOf } from "./stream-limit-dialog";
import type { ActiveStream, ActiveStreams, PlaybackStart, StreamFormat } from "./types";

export type StartState =
  | { status: "idle" }
  | { status: "starting" }
  | { status: "ready"; start: PlaybackStart }
  | { status: "limit"; streams: ActiveStreams }
  | { status: "error"; error: unknown };

export function usePlaybackStart(options: {
  contentId: string;
  episodeId: string | null;
  format: StreamFormat;
  enabled: boolean;
}): {
  state: StartState;
  attempt: number;
  retry: () => void;
  stopAndRetry: (stream: ActiveStream) => Promise<void>;
} {
  const { contentId, episodeId, format, enabled } = options;
  const [state, setState] = useState<StartState>({ status: "idle" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState({ status: "starting" });
    // The first attempt takes the start the Play press began (early-start.ts), if any.
    const early = attempt === 0 ? takeEarlyStart({ contentId, episodeId, format }) : null;
    (early ?? startOverTheApi({ contentId, episodeId, format }, controller.signal))
      .then((start) => {
        if (!controller.signal.aborted) setState({ status: "ready", start });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.code === "stream_limit_reached") {
          const streams = activeStreamsOf(error.details);
          if (streams) {
            setState({ status: "limit", streams });
            return;
          }
        }
        // A series asked for without its episode: the page names one and starts again.
        if (error instanceof ApiError && error.code === "episode_required") {
          setState({ status: "starting" });
          return;
        }
        setState({ status: "error", error });
      });
    return () => controller.abort();
  }, [contentId, episodeId, format, enabled, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const stopAndRetry = useCallback(async (stream: ActiveStream) => {
    try {
      await playbackApi(client).stop(stream.session_id);
    } catch (error) {
      // Already over (410): the room is there anyway.
      if (!(error instanceof ApiError) || error.status !== 410) throw error;
    }
    setAttempt((n) => n + 1);
  }, []);

  return { state, attempt, retry, stopAndRetry };
}
