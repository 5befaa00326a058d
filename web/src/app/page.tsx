"use client";

import Link from "next/link";
import { useMemo } from "react";

import { unwrap } from "@/api/client";
import type { ContentSummary } from "@/api/types";
import { ContinueWatchingRail } from "@/components/continue-watching";
import { ErrorNotice } from "@/components/error-notice";
import { Hero, HeroSkeleton } from "@/components/hero";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { RailSkeleton } from "@/components/rail";
import { SourcedRail, type RailSource } from "@/components/sourced-rail";
import { Button } from "@/components/ui/button";
import { useI18n, type Language } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";
import { useSession } from "@/session/SessionProvider";

const GENRE_RAILS = 4;

function newest(signal: AbortSignal, query: { language?: Language; genre?: string } = {}) {
  return unwrap(
    api.GET("/api/catalog/content", { params: { query: { sort: "newest", limit: 20, ...query } }, signal }),
  ).then((page) => page.items);
}

/** The featured title: the most watched one the viewer can play and that has a picture. */
async function featured(signal: AbortSignal): Promise<ContentSummary | null> {
  const trending = await unwrap(api.GET("/api/catalog/trending", { signal }));
  const candidates = trending.length ? trending : await newest(signal);
  const pictured = candidates.filter((title) => title.thumbnail_url ?? title.poster_url);
  return (
    pictured.find((title) => title.playable && !title.locked) ??
    pictured.find((title) => !title.locked) ??
    pictured[0] ??
    candidates[0] ??
    null
  );
}

function Home({ scope }: { scope: string }) {
  const { t, language } = useI18n();
  const { state } = useSession();
  const profile = state.status === "signedIn" ? state.profile : null;
  const hero = useResource(`hero:${scope}`, featured);
  const genres = useResource(`genres:${scope}`, (signal) => unwrap(api.GET("/api/catalog/genres", { signal })));

  const sources = useMemo<RailSource[]>(() => {
    const list: RailSource[] = [
      {
        key: `trending:${scope}`,
        title: t.home.trending,
        load: (signal) => unwrap(api.GET("/api/catalog/trending", { signal })),
      },
      {
        key: `language:${scope}`,
        title: t.home.newInLanguage(t.languageNames[language]),
        load: (signal) => newest(signal, { language }),
      },
      // Recommendation rails ("because you watched…") go here: any RailSource.
    ];
    for (const genre of (genres.data ?? []).slice(0, GENRE_RAILS)) {
      list.push({
        key: `genre:${genre.slug}:${scope}`,
        title: t.home.genreRail(genre.name),
        load: (signal) => newest(signal, { genre: genre.slug }),
      });
    }
    return list;
  }, [genres.data, language, scope, t]);

  return (
    <>
      {hero.status === "loading" ? (
        <HeroSkeleton />
      ) : hero.status === "error" ? (
        <div className="px-4 py-10 sm:px-8">
          <ErrorNotice error={hero.error} onRetry={hero.reload} />
        </div>
      ) : hero.data ? (
        <Hero title={hero.data} />
      ) : (
        <p className="px-4 py-24 text-center text-muted-foreground sm:px-8">{t.home.empty}</p>
      )}
      {state.status === "anonymous" ? (
        <section className="mx-4 mb-8 rounded-xl border border-border bg-card p-6 sm:mx-8">
          <h2 className="text-xl font-bold">{t.home.welcome}</h2>
          <p className="mt-1 text-muted-foreground">{t.home.welcomeBody}</p>
          <div className="mt-4 flex gap-3">
            <Button asChild>
              <Link href="/signup/">{t.auth.createAccount}</Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/signin/">{t.nav.signIn}</Link>
            </Button>
          </div>
        </section>
      ) : null}
      <div className="grid grid-cols-1 gap-8 sm:gap-10">
        {profile ? <ContinueWatchingRail profileId={profile.id} /> : null}
        {sources.map((source) => (
          <SourcedRail key={source.key} source={source} />
        ))}
        {genres.status === "loading" ? <RailSkeleton /> : null}
      </div>
    </>
  );
}

export default function HomePage() {
  const { state, language, retry } = useSession();

  // What the catalog shows depends on who asks (the profile's rating and language): the
  // scope keys every load, so switching profiles loads the page again.
  let scope: string | null = null;
  if (state.status === "anonymous") scope = `anonymous:${language}`;
  else if (state.status === "signedIn" && state.profile) {
    scope = `${state.profile.id}:${state.profile.language_preference}:${state.profile.maturity_rating}:${state.user.subscription_tier}`;
  }
  return (
    <PageBoundary>
      <PageTitle />
      {scope === null ? (
        state.status === "unreachable" ? (
          <div className="px-4 py-10 sm:px-8">
            <ErrorNotice error={state.error} onRetry={retry} />
          </div>
        ) : (
          <>
            <HeroSkeleton />
            <RailSkeleton />
          </>
        )
      ) : (
        <Home key={scope} scope={scope} />
      )}
    </PageBoundary>
  );
}
