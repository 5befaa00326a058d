// What the viewer sees of the ad playing now, as a small store an overlay subscribes to (the
// React overlay in ../ad-overlay.tsx; none while a Play press plays before its page), and the
// viewer's controls of it.

export interface AdView {
  breakId: string;
  /** The ad's place in its break (1-based) and the break's number of ads. */
  index: number;
  count: number;
  /** Seconds; null until known. */
  duration: number | null;
  currentTime: number;
  /** Seconds into the ad from which it may be skipped; null: it may not. */
  skipOffset: number | null;
  /** The advertiser's page ("Learn more"); null: none. */
  clickThrough: string | null;
  paused: boolean;
  muted: boolean;
}

export interface AdControls {
  skip(): void;
  clickThrough(): void;
  togglePause(): void;
  toggleMute(): void;
}

export class AdViewStore {
  private view: AdView | null = null;
  private controls: AdControls | null = null;
  private readonly listeners = new Set<() => void>();

  /** For React's useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): AdView | null => this.view;

  get actions(): AdControls | null {
    return this.controls;
  }

  set(view: AdView | null, controls: AdControls | null = this.controls): void {
    this.view = view;
    this.controls = view === null ? null : controls;
    for (const listener of [...this.listeners]) listener();
  }

  update(change: Partial<AdView>): void {
    if (this.view !== null) this.set({ ...this.view, ...change });
  }
}

/** Whole seconds left of the ad (for "Ad · 0:12"). */
export function secondsLeft(view: Pick<AdView, "duration" | "currentTime">): number | null {
  if (view.duration === null || !Number.isFinite(view.duration)) return null;
  return Math.max(0, Math.ceil(view.duration - view.currentTime));
}

/** Whole seconds until the ad may be skipped: 0 when it may be now, null when it never may. */
export function secondsToSkip(view: Pick<AdView, "skipOffset" | "currentTime">): number | null {
  if (view.skipOffset === null) return null;
  return Math.max(0, Math.ceil(view.skipOffset - view.currentTime));
}
