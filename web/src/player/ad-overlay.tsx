"use client";

// What shows over an ad while it plays: "Ad · 0:12" (and "1 of 2" in a pod), play/pause and
// mute of the ad, "Learn more" (the advertiser's page) and "Skip ad" once the ad allows it.
// The ad's picture itself is drawn by the break player (ads/vast-playback.ts).
import { ExternalLink, Megaphone, Pause, Play, SkipForward, Volume2, VolumeX } from "lucide-react";
import { useSyncExternalStore } from "react";

import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

import { secondsLeft, secondsToSkip, type AdView, type AdViewStore } from "./ads/ad-view";
import { formatClock } from "./time";

const noView = () => null;
const noSubscription = () => () => undefined;

/**
 * Over the picture during a break: the ad's overlay while an ad plays, else (its VAST still
 * coming, or a break player that draws nothing) a note that the title continues after it.
 */
export function BreakLayer({ store }: { store: AdViewStore | null }) {
  const t = useT();
  const view = useSyncExternalStore(store?.subscribe ?? noSubscription, store?.get ?? noView, noView);
  return (
    <div data-testid="player-break" className="contents">
      {view !== null && store !== null ? (
        <AdOverlay store={store} view={view} />
      ) : (
        <div className="absolute left-4 top-20 z-20 flex items-center gap-2 rounded-md bg-black/80 px-3 py-2 text-sm" role="status">
          <Megaphone aria-hidden="true" className="size-4" />
          <span className="font-semibold">{t.player.adBreak}</span>
          <span className="text-white/80">{t.player.adBreakBody}</span>
        </div>
      )}
    </div>
  );
}

function AdOverlay({ store, view }: { store: AdViewStore; view: AdView }) {
  const t = useT();
  const controls = store.actions;
  const left = secondsLeft(view);
  const toSkip = secondsToSkip(view);
  return (
    <div className="pointer-events-none absolute inset-0 z-20" data-testid="player-ad" data-ad-index={view.index}>
      <div className="absolute left-4 top-20 flex items-center gap-2 rounded-md bg-black/75 px-3 py-1.5 text-sm font-semibold tabular-nums shadow">
        <span aria-hidden="true" className="size-2 rounded-full bg-yellow-400" />
        <span data-testid="player-ad-label">
          {left === null ? t.ads.ad : t.ads.remaining(formatClock(left))}
          {view.count > 1 ? <span className="font-normal text-white/80"> · {t.ads.ofCount(view.index, view.count)}</span> : null}
        </span>
      </div>
      <div className="pointer-events-auto absolute bottom-24 left-4 flex items-center gap-2 sm:bottom-28">
        <Button
          variant="overlay"
          size="icon"
          aria-label={view.paused ? t.ads.play : t.ads.pause}
          onClick={() => controls?.togglePause()}
          data-testid="player-ad-play"
        >
          {view.paused ? <Play aria-hidden="true" className="fill-current" /> : <Pause aria-hidden="true" className="fill-current" />}
        </Button>
        <Button
          variant="overlay"
          size="icon"
          aria-label={view.muted ? t.player.unmute : t.player.mute}
          onClick={() => controls?.toggleMute()}
        >
          {view.muted ? <VolumeX aria-hidden="true" /> : <Volume2 aria-hidden="true" />}
        </Button>
        {view.clickThrough ? (
          <Button variant="overlay" onClick={() => controls?.clickThrough()} data-testid="player-ad-learn-more">
            {t.ads.learnMore}
            <ExternalLink aria-hidden="true" />
          </Button>
        ) : null}
      </div>
      {toSkip === null ? null : (
        <div className="pointer-events-auto absolute bottom-24 right-0 sm:bottom-28">
          {toSkip === 0 ? (
            <button
              type="button"
              onClick={() => controls?.skip()}
              data-testid="player-ad-skip"
              className="flex h-12 items-center gap-2 rounded-l-md border border-r-0 border-white/40 bg-black/80 px-5 text-base font-semibold text-white hover:bg-black focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-ring"
            >
              {t.ads.skip}
              <SkipForward aria-hidden="true" className="size-5 fill-current" />
            </button>
          ) : (
            <p
              className="flex h-12 items-center rounded-l-md border border-r-0 border-white/20 bg-black/70 px-5 text-sm tabular-nums text-white/85"
              data-testid="player-ad-skip-in"
            >
              {t.ads.skipIn(toSkip)}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
