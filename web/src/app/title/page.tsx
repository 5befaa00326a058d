"use client";

import { Loader2, Lock, Play } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState, type MouseEvent, type ReactNode } from "react";

import { unwrap } from "@/api/client";
import { ApiError } from "@/api/errors";
import type { ContentDetail } from "@/api/types";
import { Episodes } from "@/components/episodes";
import { ErrorNotice } from "@/components/error-notice";
import { watchHref } from "@/components/hero";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Poster, srcSetOf } from "@/components/poster";
import { WatchlistButton } from "@/components/watchlist-button";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { formatDuration, languageName } from "@/lib/format";
import { useResource } from "@/lib/use-resource";
import { beginPlayback, loadEarlySession } from "@/player/early-start";
import { preloadEngineWhenIdle } from "@/player/engine-loader";
import { warmEngine } from "@/player/prepared-engine";
import { api } from "@/session/api";
import { useSession } from "@/session/SessionProvider";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A press that opens the link here (not in a new tab or window). */
function plainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

/** How long a Play press waits for the picture before the watch page opens anyway. */
const OPEN_WATCH_WITHIN_MS = 1000;

/**
 * Play. For a film, the press starts the playback session and plays it at once, in a player
 * shown over this page (early-start.ts, early-session.ts); the watch page opens when the
 * picture plays and takes the player over. Its controls then come, and the page change has
 * not held up the start of the stream (a 2-core phone or laptop has little to spare).
 */
function PlayButton({ title }: { title: ContentDetail }) {
  const { t } = useI18n();
  const router = useRouter();
  const [starting, setStarting] = useState(false);
  const href = watchHref(title.id);
  const onClick = (event: MouseEvent) => {
    if (title.type === "tv_show" || !plainClick(event)) return;
    event.preventDefault();
    if (starting) return;
    setStarting(true);
    const playing = beginPlayback({ contentId: title.id, episodeId: null, format: "hls" });
    const patience = new Promise((resolve) => setTimeout(resolve, OPEN_WATCH_WITHIN_MS));
    void Promise.race([playing, patience]).then(() => router.push(href));
  };
  return (
    <Button asChild size="lg">
      <Link href={href} onClick={onClick} aria-busy={starting}>
        {starting ? <Loader2 aria-hidden="true" className="animate-spin" /> : <Play aria-hidden="true" className="fill-current" />}
        {t.common.play}
      </Link>
    </Button>
  );
}

function Actions({ title }: { title: ContentDetail }) {
  const { t } = useI18n();
  const { state } = useSession();
  const profile = state.status === "signedIn" ? state.profile : null;
  // Play is the likely next step: the player's engine loads once the page is idle, and a
  // player is made ahead of time (prepared-engine.ts).
  const playable = !title.locked && title.playable;
  useEffect(
    () =>
      playable
        ? preloadEngineWhenIdle(() => {
            warmEngine();
            void loadEarlySession().catch(() => undefined);
          })
        : undefined,
    [playable],
  );
  return (
    <div className="flex flex-wrap items-center gap-3">
      {title.locked ? null : title.playable ? (
        <PlayButton title={title} />
      ) : (
        <Badge variant="outline" className="h-10 px-3 text-sm">
          {t.title.notPlayable}
        </Badge>
      )}
      {profile ? (
        <WatchlistButton contentId={title.id} profileId={profile.id} />
      ) : state.status === "anonymous" ? (
        <Button asChild size="lg" variant="secondary">
          <Link href={`/signin/?next=${encodeURIComponent(`/title/?id=${title.id}`)}`}>{t.title.signInToList}</Link>
        </Button>
      ) : null}
    </div>
  );
}

function PremiumLock() {
  const { t } = useI18n();
  return (
    <div className="flex flex-wrap items-center gap-4 rounded-xl border border-premium/50 bg-card p-4">
      <span className="flex size-10 items-center justify-center rounded-full bg-premium text-premium-foreground">
        <Lock aria-hidden="true" className="size-5" />
      </span>
      <div className="min-w-0 flex-1">
        <p className="font-semibold">{t.title.premiumLock}</p>
        <p className="text-sm text-muted-foreground">{t.title.premiumBody}</p>
      </div>
      <Button asChild variant="outline">
        <Link href="/plans/">{t.title.upgrade}</Link>
      </Button>
    </div>
  );
}

function Details({ title }: { title: ContentDetail }) {
  const { t, language, formatDate } = useI18n();
  const duration = formatDuration(t, title.duration_minutes, title.duration_seconds);
  const backdrop = title.thumbnail_url ?? title.poster_url;
  const languages = (tags: string[]) =>
    tags.length ? tags.map((tag) => languageName(tag, language)).join(", ") : t.title.none;
  return (
    <article>
      <PageTitle title={title.title} />
      <div className="relative isolate overflow-hidden">
        {backdrop ? (
          <div className="absolute inset-0 -z-10">
            {/* eslint-disable-next-line @next/next/no-img-element -- static export: no image optimiser */}
            <img
              src={backdrop}
              srcSet={srcSetOf(backdrop)}
              sizes="100vw"
              alt=""
              width={1280}
              height={720}
              className="size-full object-cover opacity-40 blur-sm"
            />
            <div className="absolute inset-0 bg-gradient-to-t from-background via-background/80 to-background/40" />
          </div>
        ) : null}
        <div className="grid gap-6 px-4 pb-8 pt-8 sm:grid-cols-[minmax(0,14rem)_1fr] sm:px-8 sm:pt-12 lg:grid-cols-[minmax(0,18rem)_1fr]">
          <Poster
            url={title.poster_url}
            title={title.title}
            seed={title.id}
            sizes="(min-width: 1024px) 288px, (min-width: 640px) 224px, 160px"
            priority
            className="w-40 shadow-2xl sm:w-full"
          />
          <div className="grid content-start gap-4">
            <div className="flex flex-wrap items-center gap-2">
              <Badge variant="secondary">{t.common.types[title.type]}</Badge>
              {title.tier_requirement === "premium" ? (
                <Badge variant="premium">
                  <Lock aria-hidden="true" />
                  {t.common.premium}
                </Badge>
              ) : null}
            </div>
            <h1 className="text-3xl font-extrabold leading-tight sm:text-5xl">{title.title}</h1>
            {title.original_title ? (
              <p className="text-muted-foreground">
                <span className="sr-only">{t.title.originalTitle}: </span>
                <span lang={title.original_language}>{title.original_title}</span>
              </p>
            ) : null}
            <p className="text-sm text-muted-foreground">
              {[title.release_year, title.maturity_rating, duration,
                title.seasons.length ? t.common.seasons(title.seasons.length) : null]
                .filter(Boolean)
                .join(" · ")}
            </p>
            {title.locked ? <PremiumLock /> : null}
            <Actions title={title} />
            {title.available_until ? (
              <p className="text-sm text-muted-foreground">{t.title.availableUntil(formatDate(title.available_until))}</p>
            ) : null}
            {title.description ? (
              <section aria-labelledby="synopsis">
                <h2 id="synopsis" className="sr-only">
                  {t.title.synopsis}
                </h2>
                <p className="max-w-3xl text-base leading-relaxed sm:text-lg">{title.description}</p>
              </section>
            ) : null}
            <dl className="grid max-w-3xl grid-cols-1 gap-4 pt-2 text-sm sm:grid-cols-2">
              {title.people.length ? <Fact label={t.title.cast}>{title.people.join(", ")}</Fact> : null}
              {title.genres.length ? (
                <Fact label={t.title.genres}>
                  <ul className="flex flex-wrap gap-2">
                    {title.genres.map((genre) => (
                      <li key={genre.slug}>
                        <Link
                          href={`/browse/?genre=${encodeURIComponent(genre.slug)}`}
                          className="rounded-md underline underline-offset-4 hover:text-primary"
                        >
                          {genre.name}
                        </Link>
                      </li>
                    ))}
                  </ul>
                </Fact>
              ) : null}
              {title.release_date ? <Fact label={t.title.released}>{formatDate(title.release_date)}</Fact> : null}
              <Fact label={t.title.rating}>{t.maturity[title.maturity_rating]}</Fact>
              {duration ? <Fact label={t.title.duration}>{duration}</Fact> : null}
              {title.playable ? (
                <>
                  <Fact label={t.title.audio}>{languages(title.audio_languages)}</Fact>
                  <Fact label={t.title.subtitles}>{languages(title.subtitle_languages)}</Fact>
                </>
              ) : null}
            </dl>
          </div>
        </div>
      </div>
      {title.type === "tv_show" || title.seasons.length > 0 ? (
        <div className="px-4 pb-8 sm:px-8">
          <Episodes contentId={title.id} seasons={title.seasons} locked={title.locked} />
        </div>
      ) : null}
    </article>
  );
}

function DetailsSkeleton() {
  return (
    <div className="grid gap-6 px-4 py-8 sm:grid-cols-[14rem_1fr] sm:px-8 lg:grid-cols-[18rem_1fr]" aria-hidden="true">
      <Skeleton className="aspect-[2/3] w-3/5 sm:w-full" />
      <div className="grid content-start gap-4">
        <Skeleton className="h-6 w-24" />
        <Skeleton className="h-12 w-2/3" />
        <Skeleton className="h-4 w-1/3" />
        <Skeleton className="h-12 w-64" />
        <Skeleton className="h-24 w-full max-w-3xl" />
      </div>
    </div>
  );
}

function TitleDetails() {
  const params = useSearchParams();
  const id = params.get("id") ?? "";
  const { state, language } = useSession();
  const scope =
    state.status === "signedIn"
      ? `${state.profile?.id}:${state.profile?.language_preference}`
      : state.status === "anonymous"
        ? `anonymous:${language}`
        : null;
  const valid = UUID.test(id);
  const detail = useResource(valid && scope ? `${scope}|${id}` : null, (signal) =>
    unwrap(api.GET("/api/catalog/content/{content_id}", { params: { path: { content_id: id } }, signal })),
  );
  if (!valid) {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <ErrorNotice error={new ApiError({ status: 404, code: "not_found", message: "No such title" })} />
      </div>
    );
  }
  if (state.status === "unreachable") {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <ErrorNotice error={state.error} />
      </div>
    );
  }
  if (detail.status === "error") {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <ErrorNotice error={detail.error} onRetry={detail.reload} />
      </div>
    );
  }
  if (detail.status === "loading") return <DetailsSkeleton />;
  return <Details title={detail.data} />;
}

export default function TitlePage() {
  return (
    <PageBoundary>
      <Suspense fallback={<DetailsSkeleton />}>
        <TitleDetails />
      </Suspense>
    </PageBoundary>
  );
}
