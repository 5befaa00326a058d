"use client";

import { ArrowLeft, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from "react";

import { unwrap } from "@/api/client";
import { ApiError } from "@/api/errors";
import type { ContentDetail, Episode } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { watchHref } from "@/components/hero";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { loadEngine } from "@/player/engine-loader";
import { firstEpisodeOf, findEpisode, nextEpisodeOf, type NextEpisode } from "@/player/next-episode";
import { NextEpisodeCountdown } from "@/player/next-episode-countdown";
import { discardPreparedEngine } from "@/player/prepared-engine";
import { SessionPlayer } from "@/player/session-player";
import { StreamLimitDialog } from "@/player/stream-limit-dialog";
import type { StreamFormat } from "@/player/types";
import { usePlaybackStart } from "@/player/use-playback-start";
import { useInertOutside } from "@/player/use-inert-outside";
import { api } from "@/session/api";
import { useProfileGate } from "@/session/gate";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function loadEpisodes(seasonId: string): Promise<Episode[]> {
  return unwrap(api.GET("/api/catalog/seasons/{season_id}/episodes", { params: { path: { season_id: seasonId } } }));
}

/**
 * The black full-screen frame of the page: the rest of the app is inert behind it. It sits at
 * the dialogs' level (z-50), so dialogs, portalled after it, show above.
 */
function Frame({ children }: { children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  useInertOutside(frame);
  return (
    <div ref={frame} className="fixed inset-0 z-50 bg-black text-white" data-testid="watch-page">
      {children}
    </div>
  );
}

function TopBar({ backHref, heading, subheading }: { backHref: string; heading: string; subheading?: string | null }) {
  const t = useT();
  return (
    <div className="flex items-center gap-3 p-3 sm:p-4">
      <Button asChild variant="overlay" size="icon">
        <Link href={backHref} aria-label={t.player.backTo(heading)} data-testid="watch-back">
          <ArrowLeft aria-hidden="true" className="size-5" />
        </Link>
      </Button>
      <div className="min-w-0">
        <h1 className="truncate text-base font-bold sm:text-xl" data-testid="watch-title">
          {heading}
        </h1>
        {subheading ? <p className="truncate text-sm text-white/80">{subheading}</p> : null}
      </div>
    </div>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return <div className="flex size-full items-center justify-center p-6">{children}</div>;
}

function StartProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const t = useT();
  if (error instanceof ApiError && error.code === "no_video") {
    return <p className="max-w-md text-center">{t.player.noVideo}</p>;
  }
  if (error instanceof ApiError && error.code === "premium_required") {
    return (
      <div className="grid max-w-md justify-items-center gap-4 text-center">
        <p>{t.errors.premiumRequired}</p>
        <Button asChild>
          <Link href="/plans/">{t.title.upgrade}</Link>
        </Button>
      </div>
    );
  }
  const retryable = !(error instanceof ApiError) || ![403, 404, 422].includes(error.status);
  return (
    <div className="w-full max-w-md">
      <ErrorNotice error={error} onRetry={retryable ? onRetry : undefined} />
    </div>
  );
}

function Watch() {
  const t = useT();
  const router = useRouter();
  const params = useSearchParams();
  const contentId = params.get("id") ?? "";
  const episodeId = params.get("episode");
  const format: StreamFormat = params.get("format") === "dash" ? "dash" : "hls";
  const valid = UUID.test(contentId) && (episodeId === null || UUID.test(episodeId));
  const gate = useProfileGate();
  const profile = gate.kind === "ready" ? gate.session.profile : null;

  const detail = useResource<ContentDetail>(valid && profile ? `${profile.id}:${profile.language_preference}|${contentId}` : null, (signal) =>
    unwrap(api.GET("/api/catalog/content/{content_id}", { params: { path: { content_id: contentId } }, signal })),
  );
  const title = detail.status === "ready" ? detail.data : null;
  const series = title !== null && title.type === "tv_show";

  // A series opened without an episode plays its first one.
  useEffect(() => {
    if (!series || episodeId !== null || title === null) return;
    let current = true;
    void firstEpisodeOf({ seasons: title.seasons, loadEpisodes }).then((first) => {
      if (current && first) router.replace(watchHref(title.id, first.episode.id));
    });
    return () => {
      current = false;
    };
  }, [series, episodeId, title, router]);

  // Start at once, in parallel with the details; a series without an episode waits for one.
  const startable = valid && profile !== null && (episodeId !== null || !series);
  const playback = usePlaybackStart({ contentId, episodeId, format, enabled: startable });
  // The player's engine loads while the session starts (if the title page has not loaded it).
  useEffect(() => {
    if (valid) void loadEngine().catch(() => undefined);
  }, [valid]);

  const [episode, setEpisode] = useState<NextEpisode | null>(null);
  const [next, setNext] = useState<NextEpisode | null>(null);
  useEffect(() => {
    setEpisode(null);
    setNext(null);
    if (!series || title === null || episodeId === null) return;
    let current = true;
    void findEpisode({ seasons: title.seasons, episodeId, loadEpisodes })
      .then((found) => current && setEpisode(found))
      .catch(() => undefined);
    void nextEpisodeOf({ seasons: title.seasons, currentEpisodeId: episodeId, loadEpisodes })
      .then((found) => current && setNext(found))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [series, title, episodeId]);

  const [finished, setFinished] = useState(false);
  const [countdown, setCountdown] = useState(true);
  useEffect(() => {
    setFinished(false);
    setCountdown(true);
  }, [playback.attempt, contentId, episodeId]);

  const backHref = valid ? `/title/?id=${encodeURIComponent(contentId)}` : "/";
  const heading = title?.title ?? t.player.loading;
  const subheading = episode ? t.player.episode(episode.season.season_number, episode.episode.episode_number, episode.episode.title) : null;
  const label = episode ? `${heading}: ${subheading}` : heading;
  const playNext = useCallback(() => {
    if (title && next) router.push(watchHref(title.id, next.episode.id));
  }, [router, title, next]);

  // A player the Play press showed over the page gives way to a problem shown here.
  const failed = !valid || gate.kind === "error" || detail.status === "error" || playback.state.status === "error" || playback.state.status === "limit";
  useEffect(() => {
    if (failed) discardPreparedEngine();
  }, [failed]);

  if (!valid) {
    return (
      <Frame>
        <TopBar backHref="/" heading={t.notFound.title} />
        <Centered>
          <div className="w-full max-w-md">
            <ErrorNotice error={new ApiError({ status: 404, code: "not_found", message: "No such title" })} />
          </div>
        </Centered>
      </Frame>
    );
  }

  const problem = gate.kind === "error" ? gate.error : detail.status === "error" ? detail.error : playback.state.status === "error" ? playback.state.error : null;

  let body: ReactNode;
  if (problem !== null) {
    body = (
      <>
        <TopBar backHref={backHref} heading={heading} subheading={subheading} />
        <Centered>
          <StartProblem
            error={problem}
            onRetry={() => {
              if (gate.kind === "error") gate.retry();
              if (detail.status === "error") detail.reload();
              playback.retry();
            }}
          />
        </Centered>
      </>
    );
  } else if (playback.state.status === "ready") {
    const start = playback.state.start;
    const endChoices = finished ? (
      next && countdown ? (
        <NextEpisodeCountdown
          label={t.player.episode(next.season.season_number, next.episode.episode_number, next.episode.title)}
          onPlay={playNext}
          onCancel={() => setCountdown(false)}
        />
      ) : (
        <div className="absolute inset-x-0 bottom-28 z-30 flex flex-wrap items-center justify-center gap-3 px-4" data-testid="watch-finished">
          <p className="w-full text-center font-semibold">{t.player.finished}</p>
          <Button onClick={playback.retry} data-testid="watch-again">
            <RotateCcw aria-hidden="true" />
            {t.player.watchAgain}
          </Button>
          {next ? (
            <Button variant="overlay" onClick={playNext}>
              {t.player.nextEpisode}
            </Button>
          ) : null}
        </div>
      )
    ) : null;
    body = (
      <SessionPlayer
        key={start.session_id}
        start={start}
        title={label}
        subtitleLanguage={profile?.language_preference}
        topBar={<TopBar backHref={backHref} heading={heading} subheading={subheading} />}
        overlay={endChoices}
        onPhase={(phase) => setFinished(phase.phase === "finished")}
        onRestart={playback.retry}
      />
    );
  } else {
    body = (
      <>
        <TopBar backHref={backHref} heading={heading} subheading={subheading} />
        <Centered>
          <p role="status" className="text-white/80">
            {t.player.loading}
          </p>
        </Centered>
      </>
    );
  }

  return (
    <Frame>
      <PageTitle title={title ? label : undefined} />
      {body}
      {playback.state.status === "limit" ? (
        <StreamLimitDialog
          streams={playback.state.streams}
          onStop={playback.stopAndRetry}
          onCancel={() => router.push(backHref)}
        />
      ) : null}
    </Frame>
  );
}

export default function WatchPage() {
  return (
    <PageBoundary>
      <Suspense fallback={<Frame>{null}</Frame>}>
        <Watch />
      </Suspense>
    </PageBoundary>
  );
}
