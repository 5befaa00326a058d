"use client";

// A playback session in the VideoPlayer: the controller drives it (resume, reports, token
// renewal, breaks) and its phase decides what shows over the picture (an ad's overlay during
// a break, the mid-rolls to come as markers on the seek bar).
import { RotateCcw } from "lucide-react";
import { useEffect, useRef, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

import { BreakLayer } from "./ad-overlay";
import { VastBreakPlayer } from "./ads/vast-break-player";
import { apiRequestHeaders } from "./api-headers";
import type { AdBreakPlayer, AdBreakSource } from "./breaks";
import type { PlaybackPhase } from "./controller";
import { sessionController, takeEarlyController } from "./early-session";
import type { PlaybackStart } from "./types";
import { sessionSource, sessionSubtitles } from "./sources";
import { VideoPlayer } from "./VideoPlayer";

export function SessionPlayer({
  start,
  title,
  subtitleLanguage,
  breaks,
  breakPlayer,
  topBar,
  overlay,
  onPhase,
  onRestart,
}: {
  start: PlaybackStart;
  title: string;
  subtitleLanguage?: string | null;
  breaks?: AdBreakSource;
  breakPlayer?: AdBreakPlayer;
  topBar?: ReactNode;
  /** Shown over the picture (the end of the title's choices). */
  overlay?: ReactNode;
  onPhase?: (phase: PlaybackPhase) => void;
  /** Start a new session (after the platform stopped this one). */
  onRestart: () => void;
}) {
  const t = useT();
  const reportPhase = useRef(onPhase);
  reportPhase.current = onPhase;
  // The session's controller: the one the Play press began (early-session.ts, with the
  // viewer's ads too), or a new one (the viewer's ads unless others are given).
  const [controller] = useState(
    () => takeEarlyController(start.session_id) ?? sessionController(start, { breaks, breakPlayer }),
  );
  const [phase, setPhase] = useState<PlaybackPhase>(() => controller.phase);
  const [adMarkers, setAdMarkers] = useState<number[]>(() => controller.upcomingMidrolls);
  useEffect(() => {
    controller.setPhaseListener((next) => {
      setPhase(next);
      setAdMarkers(controller.upcomingMidrolls);
      reportPhase.current?.(next);
    });
    setPhase(controller.phase);
    setAdMarkers(controller.upcomingMidrolls);
    if (controller.phase.phase !== "loading") reportPhase.current?.(controller.phase);
  }, [controller]);
  const adPlayer = controller.adBreakPlayer;
  const adView = adPlayer instanceof VastBreakPlayer ? adPlayer.view : null;

  // Leaving: a last report and the stream released. Deferred a tick so that React's
  // development double-mount (unmount, mount again at once) does not end the session.
  const closing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (closing.current !== null) clearTimeout(closing.current);
    closing.current = null;
    return () => {
      closing.current = setTimeout(() => void controller.close({ release: true }), 0);
    };
  }, [controller]);

  const stopped = phase.phase === "stopped" ? phase.reason : null;
  const [source] = useState(() => sessionSource(start));
  const [subtitles] = useState(() => sessionSubtitles(start));

  return (
    <VideoPlayer
      className="size-full"
      source={source}
      title={title}
      requestHeaders={apiRequestHeaders}
      rewriteUrl={(url) => controller.rewrite(url)}
      subtitles={subtitles}
      thumbnailsUrl={start.thumbnails_url}
      qualities={start.qualities}
      audio={start.audio}
      subtitleLanguage={subtitleLanguage}
      locked={phase.phase === "break" || phase.phase === "finished" || stopped !== null}
      adMarkers={adMarkers}
      shortcutScope="page"
      topBar={topBar}
      onSurface={(surface) => {
        if (surface === null) {
          controller.detachSurface();
          return;
        }
        // The Play press's player comes with the controller already driving it; a second
        // player for the same session (development's double mount) carries on.
        if (!controller.isAttachedTo(surface)) controller.attach(surface, { autoplay: true });
      }}
    >
      {phase.phase === "break" ? <BreakLayer store={adView} /> : null}
      {stopped !== null ? (
        <div className="absolute inset-0 z-30 flex items-center justify-center bg-black/75 p-6">
          <div role="alert" className="grid max-w-md gap-4 rounded-xl border border-white/20 bg-black/90 p-6 text-center" data-testid="player-stopped" data-reason={stopped}>
            <p>{stopped === "stream_ended" ? t.player.streamEnded : t.player.notEntitled}</p>
            {stopped === "stream_ended" ? (
              <Button onClick={onRestart} className="justify-self-center" data-testid="player-restart">
                <RotateCcw aria-hidden="true" />
                {t.player.startAgain}
              </Button>
            ) : null}
          </div>
        </div>
      ) : null}
      {overlay}
    </VideoPlayer>
  );
}
