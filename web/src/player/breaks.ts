// The seam for ad breaks: a source says which breaks a title has (pre-roll, mid-rolls at
// offsets, post-roll); a break player plays one; the schedule decides when each is due. The
// seam's own default answers no breaks; the app's sessions use the VMAP/VAST ones in ads/.

export type BreakPosition =
  | { kind: "preroll" }
  | { kind: "midroll"; offsetSeconds: number }
  | { kind: "postroll" };

export interface AdBreak<Payload = unknown> {
  /** Unique within the title's breaks. */
  id: string;
  position: BreakPosition;
  /** What the break player needs to play it (a VAST ad tag, say); opaque to the content player. */
  payload?: Payload;
}

export interface BreakRequest {
  /** The playback session the breaks are for (the ad server keys its decisions on it). */
  sessionId: string;
  contentId: string;
  episodeId: string | null;
  durationSeconds: number;
  signal: AbortSignal;
}

export interface AdBreakSource {
  breaksFor(request: BreakRequest): Promise<AdBreak[]>;
}

export interface BreakContext {
  signal: AbortSignal;
  /** Where the break player may draw its picture: the content player's element (null: none). */
  host: HTMLElement | null;
}

export interface AdBreakPlayer {
  /** Plays the break while the content waits; resolves when it is over (played, skipped or failed). */
  play(adBreak: AdBreak, context: BreakContext): Promise<void>;
}

/** The platform's source until ads arrive: no title has breaks. */
export const noAdBreaks: AdBreakSource = {
  breaksFor: async () => [],
};

/** Plays nothing: the break player that goes with `noAdBreaks`. */
export const skipAdBreaks: AdBreakPlayer = {
  play: async () => undefined,
};

/**
 * Which break is due when. Each break plays at most once. Mid-rolls at or before the position
 * playback starts from (a resume) count as passed. Moving forward over several mid-rolls (by
 * playing or seeking) plays only the last of them; moving backwards plays none.
 */
export class BreakSchedule {
  private readonly pending: AdBreak[];

  constructor(breaks: readonly AdBreak[], options: { startSeconds?: number } = {}) {
    const start = options.startSeconds ?? 0;
    this.pending = breaks.filter(
      (item) => item.position.kind !== "midroll" || item.position.offsetSeconds > start,
    );
  }

  /** The pre-roll, once. */
  takePreroll(): AdBreak | null {
    return this.take((item) => item.position.kind === "preroll");
  }

  /** The post-roll, once. */
  takePostroll(): AdBreak | null {
    return this.take((item) => item.position.kind === "postroll");
  }

  /** The mid-roll due for a move of the playhead from `from` to `to` seconds, if any. */
  takeMidroll(from: number, to: number): AdBreak | null {
    if (!(to > from)) return null;
    const crossed = this.pending.filter(
      (item) =>
        item.position.kind === "midroll" &&
        item.position.offsetSeconds > from &&
        item.position.offsetSeconds <= to,
    );
    if (crossed.length === 0) return null;
    for (const item of crossed) this.pending.splice(this.pending.indexOf(item), 1);
    return crossed.reduce((last, item) => (offsetOf(item) > offsetOf(last) ? item : last));
  }

  /** Breaks still to play. */
  get remaining(): readonly AdBreak[] {
    return this.pending;
  }

  /** The offsets of the mid-rolls still to play, in order (the seek bar's markers). */
  get midrollOffsets(): number[] {
    return this.pending.filter((item) => item.position.kind === "midroll").map(offsetOf).sort((a, b) => a - b);
  }

  private take(matches: (item: AdBreak) => boolean): AdBreak | null {
    const index = this.pending.findIndex(matches);
    if (index < 0) return null;
    return this.pending.splice(index, 1)[0] ?? null;
  }
}

function offsetOf(item: AdBreak): number {
  return item.position.kind === "midroll" ? item.position.offsetSeconds : 0;
}
