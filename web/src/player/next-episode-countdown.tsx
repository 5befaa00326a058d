"use client";

// At the end of an episode: the next one starts in 10 seconds unless the viewer cancels.
import { SkipForward, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

export const COUNTDOWN_SECONDS = 10;

export function NextEpisodeCountdown({
  label,
  onPlay,
  onCancel,
}: {
  /** "S1 E3: The title". */
  label: string;
  onPlay: () => void;
  onCancel: () => void;
}) {
  const t = useT();
  const [left, setLeft] = useState(COUNTDOWN_SECONDS);
  const play = useRef(onPlay);
  play.current = onPlay;
  const playNow = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    playNow.current?.focus();
    const timer = setInterval(() => setLeft((seconds) => Math.max(0, seconds - 1)), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left === 0) play.current();
  }, [left]);

  return (
    <section
      aria-labelledby="next-episode-title"
      data-testid="next-episode"
      className="absolute bottom-28 right-4 z-30 grid w-[min(22rem,calc(100%-2rem))] gap-3 rounded-xl border border-white/20 bg-black/85 p-4 shadow-2xl sm:right-8"
    >
      <div>
        <h2 id="next-episode-title" className="text-sm font-semibold uppercase tracking-wide text-white/80">
          {t.player.nextEpisode}
        </h2>
        <p className="mt-1 font-semibold">{label}</p>
        {/* Announced once, not every second. */}
        <p className="sr-only" role="status">
          {t.player.nextIn(COUNTDOWN_SECONDS)}
        </p>
        <p aria-hidden="true" className="mt-1 text-sm tabular-nums text-white/80" data-testid="next-episode-seconds">
          {t.player.nextIn(left)}
        </p>
      </div>
      <div className="flex gap-2">
        <Button ref={playNow} onClick={() => play.current()} data-testid="next-episode-play">
          <SkipForward aria-hidden="true" />
          {t.player.playNow}
        </Button>
        <Button variant="overlay" onClick={onCancel} data-testid="next-episode-cancel">
          <X aria-hidden="true" />
          {t.player.cancelNext}
        </Button>
      </div>
    </section>
  );
}
