// Test doubles: a media element that plays on command and an in-memory streaming API.
import { ApiError } from "@/api/errors";

import type { PlaybackApi, SendOptions } from "../playback-api";
import type { PlaybackSurface, SurfaceEvent } from "../surface";
import type { PlaybackStart, PlayerEvent, PositionAnswer } from "../types";

export class FakeSurface implements PlaybackSurface {
  time = 0;
  length: number;
  isPaused = true;
  refusePlay = false;
  readonly calls: string[] = [];
  private readonly listeners = new Map<SurfaceEvent, Set<() => void>>();

  constructor(duration = 600) {
    this.length = duration;
  }

  currentTime(): number {
    return this.time;
  }
  duration(): number {
    return this.length;
  }
  paused(): boolean {
    return this.isPaused;
  }
  seek(seconds: number): void {
    this.calls.push(`seek:${seconds}`);
    this.emit("seeking");
    this.time = seconds;
    this.emit("seeked");
  }
  play(): Promise<void> {
    this.calls.push("play");
    if (this.refusePlay) return Promise.reject(new DOMException("no gesture", "NotAllowedError"));
    if (this.isPaused) {
      this.isPaused = false;
      this.emit("play");
    }
    return Promise.resolve();
  }
  pause(): void {
    this.calls.push("pause");
    if (!this.isPaused) {
      this.isPaused = true;
      this.emit("pause");
    }
  }
  on(event: SurfaceEvent, listener: () => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return () => set.delete(listener);
  }
  emit(event: SurfaceEvent): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener();
  }
  listenerCount(): number {
    return [...this.listeners.values()].reduce((total, set) => total + set.size, 0);
  }
  /** Plays `seconds` of content in steps of a quarter second, as timeupdate does. */
  advance(seconds: number): void {
    const steps = Math.round(seconds * 4);
    for (let step = 0; step < steps && !this.isPaused; step++) {
      this.time = Math.min(this.length, this.time + 0.25);
      this.emit("timeupdate");
    }
  }
  /** The viewer drags the seek bar. */
  userSeek(seconds: number): void {
    this.emit("seeking");
    this.time = seconds;
    this.emit("seeked");
  }
}

export interface Report {
  session_id: string;
  position_seconds: number;
  sequence: number;
  keepalive: boolean;
}

export const BASE = "/media/s/TOKEN0/1000/videos/owner-1/enc-1/";

export function startAnswer(overrides: Partial<PlaybackStart> = {}): PlaybackStart {
  return {
    session_id: "sess_ion-id-0123456789ab",
    content_id: "00000000-0000-4000-8000-000000000001",
    episode_id: null,
    format: "hls",
    resume_position_seconds: 0,
    duration_seconds: 600,
    manifest_url: "/api/stream/00000000-0000-4000-8000-000000000001/manifest?session=sess_ion-id-0123456789ab",
    media: { base_url: BASE, expires_at: "2030-01-01T00:10:00Z" },
    qualities: [],
    audio: [],
    subtitles: [],
    thumbnails_url: null,
    lease_expires_at: "2030-01-01T00:01:00Z",
    drm: null,
    replaced_session_ids: [],
    ...overrides,
  };
}

export class FakeApi implements PlaybackApi {
  reports: Report[] = [];
  batches: PlayerEvent[][] = [];
  completed: string[] = [];
  stopped: string[] = [];
  /** What the next position reports answer: a status to fail with, or null for success. */
  failNext: { status: number; code: string }[] = [];
  tokenCounter = 0;

  async start(): Promise<PlaybackStart> {
    return startAnswer();
  }

  async position(
    report: { session_id: string; position_seconds: number; sequence: number },
    options?: SendOptions,
  ): Promise<PositionAnswer> {
    this.reports.push({ ...report, keepalive: options?.keepalive ?? false });
    const failure = this.failNext.shift();
    if (failure) throw new ApiError({ status: failure.status, code: failure.code, message: failure.code });
    this.tokenCounter++;
    return {
      session_id: report.session_id,
      applied: true,
      position_seconds: report.position_seconds,
      sequence: report.sequence,
      media: {
        base_url: `/media/s/TOKEN${this.tokenCounter}/${1000 + this.tokenCounter}/videos/owner-1/enc-1/`,
        expires_at: new Date(Date.UTC(2030, 0, 1, 0, 10 + this.tokenCounter)).toISOString(),
      },
      lease_expires_at: "2030-01-01T00:02:00Z",
    };
  }

  async complete(sessionId: string): Promise<void> {
    this.completed.push(sessionId);
  }

  async events(_sessionId: string, events: PlayerEvent[]): Promise<void> {
    this.batches.push(events);
  }

  async stop(sessionId: string): Promise<void> {
    this.stopped.push(sessionId);
  }

  get allEvents(): PlayerEvent[] {
    return this.batches.flat();
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 10; round++) await Promise.resolve();
}
