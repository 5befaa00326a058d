// One playback session from its start answer to its end, framework-free: resume, position
// reports (which renew the stream's lease and media token), player events, ad breaks, the
// end of the title, and stopping when the platform says the stream is over.
import { ApiError } from "@/api/errors";

import { markPlaybackStep } from "./marks";
import { BreakSchedule, noAdBreaks, skipAdBreaks, type AdBreak, type AdBreakPlayer, type AdBreakSource } from "./breaks";
import { signedFolderOf, withFreshToken, type SignedFolder } from "./media-token";
import type { PlaybackApi } from "./playback-api";
import type { PlaybackSurface } from "./surface";
import type { MediaToken, PlaybackStart, PlayerEvent, PlayerEventType } from "./types";

/** Why the platform stopped the stream. */
export type StopReason =
  /** 410 (or the session is gone): another device stopped it, or its lease lapsed. */
  | "stream_ended"
  /** 403 on a report: this profile may no longer watch the title (plan, availability). */
  | "not_entitled";

export type PlaybackPhase =
  | { phase: "loading" }
  | { phase: "content" }
  | { phase: "break"; adBreak: AdBreak }
  /** The title played to its end and the session was completed. */
  | { phase: "finished" }
  | { phase: "stopped"; reason: StopReason };

export interface PageLifecycle {
  /** The page is being hidden or left: the last chance to report. */
  onHide(listener: () => void): () => void;
}

export interface ControllerOptions {
  api: PlaybackApi;
  start: PlaybackStart;
  breaks?: AdBreakSource;
  breakPlayer?: AdBreakPlayer;
  /** Seconds between position reports; the platform asks for 10. */
  reportEverySeconds?: number;
  lifecycle?: PageLifecycle;
  onPhase?: (phase: PlaybackPhase) => void;
  /** A fresh signed folder arrived (after a report). */
  onMedia?: (media: MediaToken) => void;
}

const EVENT_FLUSH_MS = 2000;
const MAX_EVENTS = 50;
const MAX_QUEUED_EVENTS = 200;
// A timeupdate jump larger than this is a seek, handled by its own events.
const MAX_PLAYING_STEP_SECONDS = 2;

export const browserLifecycle: PageLifecycle = {
  onHide(listener) {
    const onVisibility = () => {
      if (document.visibilityState === "hidden") listener();
    };
    window.addEventListener("pagehide", listener);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("pagehide", listener);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  },
};

export class PlaybackController {
  readonly start: PlaybackStart;
  private readonly api: PlaybackApi;
  private readonly breakSource: AdBreakSource;
  private readonly breakPlayer: AdBreakPlayer;
  private readonly reportEveryMs: number;
  private readonly lifecycle: PageLifecycle | null;
  private onPhase: (phase: PlaybackPhase) => void;
  private readonly onMedia: (media: MediaToken) => void;

  private state: PlaybackPhase = { phase: "loading" };
  private surface: PlaybackSurface | null = null;
  private folder: SignedFolder | null;
  private mediaExpiry: number;
  private sequenceNumber = 0;
  private schedule: BreakSchedule | null = null;
  private readonly scheduleReady: Promise<void>;
  private readonly abort = new AbortController();
  private cleanups: (() => void)[] = [];
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private eventTimer: ReturnType<typeof setTimeout> | null = null;
  private queuedEvents: PlayerEvent[] = [];
  private eventCount = 0;
  private lastPosition: number;
  private seekFrom: number | null = null;
  private breakPosition = 0;
  private ownPauses = 0;
  private ownSeek = false;
  private introDone = false;
  /** Where the next player attached starts: the resume position, or where the last one left. */
  private resumeAt: number;
  private live = false;
  private wantsPlay = false;
  private closed = false;

  constructor(options: ControllerOptions) {
    this.api = options.api;
    this.start = options.start;
    this.breakSource = options.breaks ?? noAdBreaks;
    this.breakPlayer = options.breakPlayer ?? skipAdBreaks;
    this.reportEveryMs = (options.reportEverySeconds ?? 10) * 1000;
    this.lifecycle = options.lifecycle ?? null;
    this.onPhase = options.onPhase ?? (() => undefined);
    this.onMedia = options.onMedia ?? (() => undefined);
    this.folder = signedFolderOf(options.start.media.base_url);
    this.mediaExpiry = Date.parse(options.start.media.expires_at);
    this.lastPosition = options.start.resume_position_seconds;
    this.resumeAt = options.start.resume_position_seconds;
    this.scheduleReady = this.loadBreaks();
  }

  get phase(): PlaybackPhase {
    return this.state;
  }

  /** Replaces the phase listener (a page taking over a session that began before it). */
  setPhaseListener(listener: (phase: PlaybackPhase) => void): void {
    this.onPhase = listener;
  }

  /** Whether this controller drives `surface` now. */
  isAttachedTo(surface: PlaybackSurface): boolean {
    return this.live && this.surface === surface;
  }

  get sessionId(): string {
    return this.start.session_id;
  }

  /** The break player of this session (an ad overlay reads what it plays). */
  get adBreakPlayer(): AdBreakPlayer {
    return this.breakPlayer;
  }

  /** The offsets of the mid-rolls not played yet (empty until the breaks are known). */
  get upcomingMidrolls(): number[] {
    return this.schedule?.midrollOffsets ?? [];
  }

  /** The last sequence number sent with a position report. */
  get sequence(): number {
    return this.sequenceNumber;
  }

  /** Where the viewer is in the title (during a break: where the break began). */
  get position(): number {
    if (this.state.phase === "break") return this.breakPosition;
    return this.surface?.currentTime() ?? this.lastPosition;
  }

  /** `url` under the freshest media token this session has (for every media request). */
  rewrite(url: string): string {
    return withFreshToken(url, this.folder);
  }

  /** Starts driving a player: resume, reports, events, breaks. `autoplay` plays once ready. */
  attach(surface: PlaybackSurface, options: { autoplay?: boolean } = {}): void {
    if (this.live) throw new Error("PlaybackController is already attached");
    if (this.closed) return;
    this.surface = surface;
    this.live = true;
    this.wantsPlay = options.autoplay ?? false;
    const on = (event: Parameters<PlaybackSurface["on"]>[0], listener: () => void) =>
      this.cleanups.push(surface.on(event, listener));
    on("loadedmetadata", () => void this.intro());
    on("play", () => this.onPlay());
    on("pause", () => this.onPause());
    on("seeking", () => this.onSeeking());
    on("seeked", () => void this.onSeeked());
    on("timeupdate", () => void this.onTimeUpdate());
    on("ended", () => void this.onEnded());
    if (this.lifecycle) this.cleanups.push(this.lifecycle.onHide(() => this.onHide()));
    this.heartbeat ??= setInterval(() => void this.report(), this.reportEveryMs);
    if (!Number.isNaN(surface.duration())) void this.intro();
  }

  /**
   * The player is going away (it is being disposed): its last position is kept for the final
   * report, and nothing reads the player again.
   */
  detachSurface(): void {
    const surface = this.surface;
    if (surface === null) return;
    const position = this.position;
    const duration = surface.duration();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.surface = stillSurface(position, duration);
    this.live = false;
    // Another player may take over (React's development double mount): it starts from here.
    this.resumeAt = position;
    this.introDone = false;
  }

  /**
   * Leaving the player: a last report, then (with `release`) the stream is ended so it stops
   * counting against the account's limit at once instead of when its lease lapses.
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    const live = this.state.phase !== "stopped" && this.state.phase !== "finished";
    // Read now: the player may be gone once the calls below run.
    const position = this.surface === null ? null : this.position;
    this.detach();
    this.closed = true;
    if (!live || position === null) return;
    await Promise.all([
      this.flushEvents({ keepalive: true }),
      this.report({ keepalive: true, force: true, position }),
    ]);
    if (options.release) await this.api.stop(this.sessionId, { keepalive: true }).catch(() => undefined);
  }

  /** Sends the position now (also renews the lease and media token). */
  async report(options: { keepalive?: boolean; force?: boolean; position?: number } = {}): Promise<void> {
    if (this.surface === null || (this.closed && !options.force)) return;
    if (this.state.phase === "stopped" || this.state.phase === "finished") return;
    const sequence = ++this.sequenceNumber;
    const position = Math.max(0, options.position ?? this.position);
    try {
      const answer = await this.api.position(
        { session_id: this.sessionId, position_seconds: position, sequence },
        { keepalive: options.keepalive },
      );
      this.acceptMedia(answer.media);
    } catch (error) {
      this.onReportError(error);
    }
  }

  // --- the player's events -----------------------------------------------------------------

  private async loadBreaks(): Promise<void> {
    let breaks: AdBreak[] = [];
    try {
      breaks = await this.breakSource.breaksFor({
        sessionId: this.start.session_id,
        contentId: this.start.content_id,
        episodeId: this.start.episode_id,
        durationSeconds: this.start.duration_seconds,
        signal: this.abort.signal,
      });
    } catch {
      breaks = []; // no breaks rather than no title
    }
    this.schedule = new BreakSchedule(breaks, { startSeconds: this.start.resume_position_seconds });
  }

  /** Once the title's metadata is known: seek to the resume position, play the pre-roll, play. */
  private async intro(): Promise<void> {
    const surface = this.surface;
    if (surface === null || this.introDone) return;
    this.introDone = true;
    const resume = this.resumeAt;
    const duration = surface.duration();
    if (resume > 0 && (Number.isNaN(duration) || resume < duration - 1)) {
      this.ownSeek = true;
      surface.seek(resume);
      this.lastPosition = resume;
    }
    await this.scheduleReady;
    if (this.isOver()) return;
    this.setPhase({ phase: "content" });
    const preroll = this.schedule?.takePreroll() ?? null;
    if (preroll) await this.runBreak(preroll, { resume: false });
    if (this.isOver()) return;
    if (this.wantsPlay) {
      this.wantsPlay = false;
      this.play();
    }
  }

  private onPlay(): void {
    if (this.isOver()) return;
    // Play pressed before the pre-roll could be decided: hold it until then.
    if (!this.introDone || this.state.phase === "loading") {
      this.wantsPlay = true;
      this.pauseForUs();
      return;
    }
    if (this.state.phase === "break") {
      this.pauseForUs();
      return;
    }
    this.queueEvent("play", this.position);
  }

  private onPause(): void {
    if (this.ownPauses > 0) {
      this.ownPauses--;
      return;
    }
    if (this.state.phase !== "content" || this.surface?.currentTime() === this.surface?.duration()) return;
    this.queueEvent("pause", this.position);
    void this.report();
  }

  private onSeeking(): void {
    if (this.ownSeek || this.state.phase !== "content") return;
    this.seekFrom ??= this.lastPosition;
  }

  private async onSeeked(): Promise<void> {
    const surface = this.surface;
    if (surface === null) return;
    const to = surface.currentTime();
    if (this.ownSeek) {
      this.ownSeek = false;
      this.lastPosition = to;
      return;
    }
    if (this.state.phase !== "content") return;
    const from = this.seekFrom ?? this.lastPosition;
    this.seekFrom = null;
    this.lastPosition = to;
    if (Math.abs(to - from) < 0.5) return;
    this.queueEvent(to < from ? "rewind" : "seek", to, { from_seconds: round(from) });
    void this.report();
    const due = this.schedule?.takeMidroll(from, to) ?? null;
    if (due) await this.runBreak(due, { resume: true });
  }

  private async onTimeUpdate(): Promise<void> {
    const surface = this.surface;
    if (surface === null || this.state.phase !== "content" || this.seekFrom !== null || this.ownSeek) return;
    const now = surface.currentTime();
    const from = this.lastPosition;
    this.lastPosition = now;
    const step = now - from;
    if (step <= 0 || step > MAX_PLAYING_STEP_SECONDS) return;
    const due = this.schedule?.takeMidroll(from, now) ?? null;
    if (due) await this.runBreak(due, { resume: true });
  }

  private async onEnded(): Promise<void> {
    if (this.state.phase !== "content") return;
    this.lastPosition = this.surface?.currentTime() ?? this.lastPosition;
    const postroll = this.schedule?.takePostroll() ?? null;
    if (postroll) await this.runBreak(postroll, { resume: false });
    if (this.isOver()) return;
    await this.flushEvents();
    try {
      await this.api.complete(this.sessionId);
    } catch (error) {
      // The stream being over already is no reason to stop the viewer at the end.
      if (!(error instanceof ApiError) || ![403, 404, 410].includes(error.status)) {
        console.warn("playback complete failed", error);
      }
    }
    this.stopTimers();
    this.setPhase({ phase: "finished" });
  }

  private onHide(): void {
    if (this.isOver()) return;
    void this.flushEvents({ keepalive: true });
    void this.report({ keepalive: true });
  }

  // --- breaks --------------------------------------------------------------------------------

  private async runBreak(adBreak: AdBreak, options: { resume: boolean }): Promise<void> {
    if (this.surface === null) return;
    this.breakPosition = this.surface.currentTime();
    this.pauseForUs();
    this.setPhase({ phase: "break", adBreak });
    try {
      await this.breakPlayer.play(adBreak, { signal: this.abort.signal, host: this.surface.host?.() ?? null });
    } catch (error) {
      console.warn("ad break failed", adBreak.id, error);
    }
    if (this.isOver()) return;
    this.lastPosition = this.surface.currentTime();
    this.setPhase({ phase: "content" });
    if (options.resume) this.play();
  }

  // --- reports and events ----------------------------------------------------------------------

  private acceptMedia(media: MediaToken): void {
    const expiry = Date.parse(media.expires_at);
    const folder = signedFolderOf(media.base_url);
    if (folder === null || !(expiry >= this.mediaExpiry)) return;
    const changed = folder.token !== this.folder?.token || folder.expires !== this.folder?.expires;
    this.folder = folder;
    this.mediaExpiry = expiry;
    if (changed) this.onMedia(media);
  }

  private onReportError(error: unknown): void {
    if (!(error instanceof ApiError)) return;
    if (error.status === 410 || (error.status === 404 && error.code === "session_not_found")) {
      this.stop("stream_ended");
    } else if (error.status === 403) {
      this.stop("not_entitled");
    }
    // Anything else (network, 429, 5xx): the next report tries again, well within the lease.
  }

  private queueEvent(type: PlayerEventType, position: number, metadata?: PlayerEvent["metadata"]): void {
    if (this.queuedEvents.length >= MAX_QUEUED_EVENTS) this.queuedEvents.shift();
    this.eventCount++;
    this.queuedEvents.push({
      // Session ids use [A-Za-z0-9_-]; event ids allow no "_", and "." never occurs in a session id.
      event_id: `${this.sessionId.replaceAll("_", ".")}:${this.eventCount}`,
      type,
      position_seconds: round(Math.max(0, position)),
      occurred_at: new Date().toISOString(),
      metadata: metadata ?? {},
    });
    this.eventTimer ??= setTimeout(() => void this.flushEvents(), EVENT_FLUSH_MS);
  }

  private async flushEvents(options: { keepalive?: boolean } = {}): Promise<void> {
    if (this.eventTimer !== null) {
      clearTimeout(this.eventTimer);
      this.eventTimer = null;
    }
    while (this.queuedEvents.length > 0) {
      const batch = this.queuedEvents.splice(0, MAX_EVENTS);
      try {
        await this.api.events(this.sessionId, batch, options);
      } catch (error) {
        // Resending is safe (event ids are recorded once); a stream that is over takes no more.
        if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) {
          this.queuedEvents.unshift(...batch);
          this.eventTimer ??= setTimeout(() => void this.flushEvents(), this.reportEveryMs);
        }
        return;
      }
    }
  }

  // --- state -------------------------------------------------------------------------------------

  private play(): void {
    const surface = this.surface;
    if (surface === null) return;
    markPlaybackStep("play-asked");
    try {
      const played = surface.play();
      if (played) played.catch(() => undefined); // refused (autoplay rules): the viewer presses play
    } catch {
      // same
    }
  }

  private pauseForUs(): void {
    const surface = this.surface;
    if (surface === null || surface.paused()) return;
    this.ownPauses++;
    surface.pause();
  }

  private stop(reason: StopReason): void {
    if (this.isOver()) return;
    this.pauseForUs();
    this.detach();
    this.setPhase({ phase: "stopped", reason });
  }

  private isOver(): boolean {
    return this.closed || this.state.phase === "stopped" || this.state.phase === "finished";
  }

  private stopTimers(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.eventTimer !== null) clearTimeout(this.eventTimer);
    this.eventTimer = null;
  }

  private detach(): void {
    this.stopTimers();
    this.abort.abort();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private setPhase(phase: PlaybackPhase): void {
    this.state = phase;
    this.onPhase(phase);
  }
}

/** A player that has gone, frozen where it was. */
function stillSurface(position: number, duration: number): PlaybackSurface {
  return {
    currentTime: () => position,
    duration: () => duration,
    paused: () => true,
    seek: () => undefined,
    play: () => undefined,
    pause: () => undefined,
    on: () => () => undefined,
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
