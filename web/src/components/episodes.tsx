"use client";

import { Play } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";

import { unwrap } from "@/api/client";
import type { Season } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";
import { formatDuration } from "@/lib/format";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

import { watchHref } from "./hero";
import { Poster } from "./poster";

function EpisodeList({ contentId, seasonId, locked }: { contentId: string; seasonId: string; locked: boolean }) {
  const t = useT();
  const episodes = useResource(`episodes:${seasonId}`, (signal) =>
    unwrap(api.GET("/api/catalog/seasons/{season_id}/episodes", { params: { path: { season_id: seasonId } }, signal })),
  );
  if (episodes.status === "loading") {
    return (
      <div className="grid gap-4" aria-hidden="true">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-24 w-full" />
        ))}
      </div>
    );
  }
  if (episodes.status === "error") return <ErrorNotice error={episodes.error} onRetry={episodes.reload} />;
  if (episodes.data.length === 0) return <p className="text-muted-foreground">{t.title.noEpisodes}</p>;
  return (
    <ol className="grid gap-3">
      {episodes.data.map((episode) => {
        const duration = formatDuration(t, episode.duration_minutes, episode.duration_seconds);
        const body = (
          <>
            <div className="relative w-32 shrink-0 sm:w-44">
              <Poster
                url={episode.thumbnail_url}
                title={episode.title}
                seed={episode.id}
                aspect="wide"
                sizes="(min-width: 640px) 176px, 128px"
              />
              {episode.playable && !locked ? (
                <span className="absolute inset-0 flex items-center justify-center">
                  <span className="rounded-full bg-black/60 p-2">
                    <Play aria-hidden="true" className="size-4 fill-white text-white" />
                  </span>
                </span>
              ) : null}
            </div>
            <div className="min-w-0">
              <p className="font-semibold">
                {episode.episode_number}. {episode.title}
              </p>
              <p className="text-xs text-muted-foreground">
                {[duration, episode.playable ? null : t.title.notPlayable].filter(Boolean).join(" · ")}
              </p>
              {episode.description ? (
                <p className="mt-1 line-clamp-2 text-sm text-muted-foreground">{episode.description}</p>
              ) : null}
            </div>
          </>
        );
        return (
          <li key={episode.id}>
            {episode.playable && !locked ? (
              <Link
                href={watchHref(contentId, episode.id)}
                aria-label={t.title.playEpisode(episode.episode_number, episode.title)}
                className="flex gap-4 rounded-lg p-2 hover:bg-card"
              >
                {body}
              </Link>
            ) : (
              <div className="flex gap-4 p-2">{body}</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** A series' seasons (a picker when there are several) and the chosen season's episodes. */
export function Episodes({ contentId, seasons, locked }: { contentId: string; seasons: Season[]; locked: boolean }) {
  const t = useT();
  const id = useId();
  const [seasonId, setSeasonId] = useState(seasons[0]?.id ?? null);
  if (seasons.length === 0 || seasonId === null) return <p className="text-muted-foreground">{t.title.noEpisodes}</p>;
  const label = (season: Season) => {
    const plain = t.title.season(season.season_number);
    // A title that only repeats the number ("Season 1") adds nothing.
    const named = season.title && !/^(season|सीज़न)\s*\d+$/i.test(season.title.trim());
    return named && season.title ? t.title.seasonNamed(season.season_number, season.title) : plain;
  };
  return (
    <section aria-labelledby={`${id}-heading`} className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id={`${id}-heading`} className="text-xl font-bold">
          {t.title.episodes}
        </h2>
        {seasons.length > 1 ? (
          <div className="flex items-center gap-2">
            <Label htmlFor={`${id}-season`} className="sr-only">
              {t.title.seasons}
            </Label>
            <NativeSelect id={`${id}-season`} value={seasonId} onChange={(event) => setSeasonId(event.target.value)}>
              {seasons.map((season) => (
                <option key={season.id} value={season.id}>
                  {label(season)} ({t.common.episodes(season.episode_count)})
                </option>
              ))}
            </NativeSelect>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">{seasons[0] ? label(seasons[0]) : null}</p>
        )}
      </div>
      <EpisodeList contentId={contentId} seasonId={seasonId} locked={locked} />
    </section>
  );
}
