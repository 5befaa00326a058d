// The streaming API as the player calls it, behind an interface so the controller can be
// tested without a platform.
import { succeed, unwrap, type ApiClient } from "@/api/client";

import type { PlaybackStart, PlaybackStartRequest, PlayerEvent, PositionAnswer } from "./types";

export interface SendOptions {
  /** Outlives the page (a report on page hide). */
  keepalive?: boolean;
}

export interface PlaybackApi {
  start(request: PlaybackStartRequest, signal?: AbortSignal): Promise<PlaybackStart>;
  position(
    report: { session_id: string; position_seconds: number; sequence: number },
    options?: SendOptions,
  ): Promise<PositionAnswer>;
  complete(sessionId: string, options?: SendOptions): Promise<void>;
  events(sessionId: string, events: PlayerEvent[], options?: SendOptions): Promise<void>;
  /** Ends a stream of the account (this one when leaving, or another device's to make room). */
  stop(sessionId: string, options?: SendOptions): Promise<void>;
}

/** The PlaybackApi over the app's typed client (bearer token, one refresh on 401). */
export function playbackApi(client: ApiClient): PlaybackApi {
  const { api } = client;
  return {
    start: (body, signal) => unwrap(api.POST("/api/stream/playback/start", { body, signal })),
    position: (body, options) =>
      unwrap(api.PUT("/api/stream/playback/position", { body, keepalive: options?.keepalive })),
    complete: (sessionId, options) =>
      succeed(
        api.POST("/api/stream/playback/complete", {
          body: { session_id: sessionId },
          keepalive: options?.keepalive,
        }),
      ),
    events: (sessionId, events, options) =>
      succeed(
        api.POST("/api/stream/playback/events", {
          body: { session_id: sessionId, events },
          keepalive: options?.keepalive,
        }),
      ),
    stop: (sessionId, options) =>
      succeed(
        api.DELETE("/api/stream/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
          keepalive: options?.keepalive,
        }),
      ),
  };
}
