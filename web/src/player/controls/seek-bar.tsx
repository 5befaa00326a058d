"use client";

// The seek bar: a native range input (keyboard and screen readers for free) over the drawn
// track, with a thumbnail preview from the sprite track under the pointer or while stepping.
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";

import { useT } from "@/i18n";

import { thumbnailAt, type ThumbnailCue } from "../thumbnails";
import { formatClock } from "../time";

const KEY_STEP_SECONDS = 5;
const PAGE_STEP_SECONDS = 60;
const KEY_PREVIEW_MS = 1200;

export function SeekBar({
  currentTime,
  duration,
  bufferedEnd,
  thumbnails,
  rewrite,
  disabled,
  markers = [],
  onSeek,
}: {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  thumbnails: readonly ThumbnailCue[];
  rewrite: (url: string) => string;
  disabled?: boolean;
  /** Seconds where an ad break (a mid-roll not played yet) is. */
  markers?: readonly number[];
  onSeek: (seconds: number) => void;
}) {
  const t = useT();
  const track = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const [stepped, setStepped] = useState<number | null>(null);
  const known = Number.isFinite(duration) && duration > 0;
  const total = known ? duration : 0;
  const value = Math.min(total, drag ?? currentTime);

  useEffect(() => {
    if (stepped === null) return;
    const timer = setTimeout(() => setStepped(null), KEY_PREVIEW_MS);
    return () => clearTimeout(timer);
  }, [stepped]);

  const secondsAt = (clientX: number): number => {
    const box = track.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(total, Math.max(0, ((clientX - box.left) / box.width) * total));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const steps: Record<string, number> = {
      ArrowLeft: -KEY_STEP_SECONDS,
      ArrowDown: -KEY_STEP_SECONDS,
      ArrowRight: KEY_STEP_SECONDS,
      ArrowUp: KEY_STEP_SECONDS,
      PageDown: -PAGE_STEP_SECONDS,
      PageUp: PAGE_STEP_SECONDS,
    };
    let target: number | null = null;
    if (event.key in steps) target = value + (steps[event.key] ?? 0);
    else if (event.key === "Home") target = 0;
    else if (event.key === "End") target = total;
    if (target === null || !known) return;
    event.preventDefault();
    const next = Math.min(total, Math.max(0, target));
    setStepped(next);
    onSeek(next);
  };

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (known) setHover(secondsAt(event.clientX));
  };

  const preview = hover ?? drag ?? stepped;
  const cue = preview === null ? null : thumbnailAt(thumbnails, preview);
  const percent = (seconds: number) => (total > 0 ? `${(Math.min(seconds, total) / total) * 100}%` : "0%");

  return (
    <div
      className="group/seek relative flex h-7 touch-none items-center"
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHover(null)}
      data-testid="player-seek"
    >
      <input
        type="range"
        min={0}
        max={total}
        step={1}
        value={value}
        disabled={disabled || !known}
        aria-label={t.player.seekBar}
        aria-valuetext={t.player.timeOf(formatClock(value), formatClock(total))}
        className="peer absolute inset-0 z-10 h-full w-full cursor-pointer opacity-0 disabled:cursor-default"
        onKeyDown={onKeyDown}
        onPointerDown={(event) => setDrag(secondsAt(event.clientX))}
        onChange={(event) => {
          const next = Number(event.target.value);
          if (drag !== null) setDrag(next);
          else onSeek(next);
        }}
        onPointerUp={(event) => {
          const at = drag ?? secondsAt(event.clientX);
          setDrag(null);
          onSeek(at);
        }}
        onPointerCancel={() => setDrag(null)}
      />
      <div
        ref={track}
        className="relative h-1 w-full rounded-full bg-white/30 transition-[height] group-hover/seek:h-1.5 peer-focus-visible:h-1.5 peer-focus-visible:outline-3 peer-focus-visible:outline-offset-4 peer-focus-visible:outline-ring"
      >
        <div className="absolute inset-y-0 left-0 rounded-full bg-white/40" style={{ width: percent(bufferedEnd) }} />
        <div className="absolute inset-y-0 left-0 rounded-full bg-primary" style={{ width: percent(value) }} />
        {known
          ? markers
              .filter((at) => at > 0 && at < total)
              .map((at) => (
                <div
                  key={at}
                  aria-hidden="true"
                  data-testid="player-ad-marker"
                  data-seconds={at}
                  className="absolute inset-y-0 w-1 -translate-x-1/2 bg-yellow-400"
                  style={{ left: percent(at) }}
                />
              ))
          : null}
        <div
          className="absolute top-1/2 size-3.5 -translate-x-1/2 -translate-y-1/2 rounded-full bg-primary shadow group-hover/seek:scale-110"
          style={{ left: percent(value) }}
        />
      </div>
      {preview !== null && known ? (
        <div
          aria-hidden="true"
          data-testid="player-thumbnail"
          className="pointer-events-none absolute bottom-8 z-20 -translate-x-1/2 overflow-hidden rounded-md border border-white/30 bg-black shadow-xl"
          style={{
            left: `clamp(${(cue?.width ?? 60) / 2}px, ${percent(preview)}, calc(100% - ${(cue?.width ?? 60) / 2}px))`,
          }}
        >
          {cue ? (
            <div
              style={{
                width: cue.width,
                height: cue.height,
                backgroundImage: `url("${rewrite(cue.url)}")`,
                backgroundPosition: `-${cue.x}px -${cue.y}px`,
              }}
            />
          ) : null}
          <p className="px-2 py-0.5 text-center text-xs font-semibold tabular-nums text-white">{formatClock(preview)}</p>
        </div>
      ) : null}
    </div>
  );
}
