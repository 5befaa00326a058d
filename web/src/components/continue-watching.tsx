"use client";

import { Play, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useState } from "react";

import { succeed, unwrap } from "@/api/client";
import type { ContinueWatchingItem } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

import { watchHref } from "./hero";
import { Poster } from "./poster";
import { Rail, RailSkeleton } from "./rail";

function Entry({ item, onRemove }: { item: ContinueWatchingItem; onRemove: () => void }) {
  const t = useT();
  const episode =
    item.season_number != null && item.episode_number != null
      ? t.common.episodeCode(item.season_number, item.episode_number)
      : null;
  const percent = Math.round(item.percent);
  return (
    <div className="group relative">
      <Link href={watchHref(item.content_id, item.episode_id)} className="block rounded-lg">
        <div className="relative">
          <Poster
            url={item.thumbnail_url ?? item.poster_url}
            title={item.title}
            seed={item.content_id}
            aspect="wide"
            sizes="(min-width: 1024px) 320px, (min-width: 640px) 288px, 72vw"
          />
          <span className="absolute inset-0 flex items-center justify-center opacity-0 transition group-hover:opacity-100 group-focus-within:opacity-100">
            <span className="rounded-full bg-black/60 p-3">
              <Play aria-hidden="true" className="size-6 fill-white text-white" />
            </span>
          </span>
          {item.kind === "next_up" ? (
            <span className="absolute left-2 top-2 rounded-md bg-primary px-2 py-0.5 text-xs font-bold text-primary-foreground">
              {t.home.nextUp}
            </span>
          ) : null}
          <div className="absolute inset-x-2 bottom-2">
            <Progress value={percent} aria-label={t.common.percentWatched(percent)} />
          </div>
        </div>
        <p className="mt-2 line-clamp-1 text-sm font-semibold">{item.title}</p>
        <p className="line-clamp-1 text-xs text-muted-foreground">
          {[episode, item.episode_title].filter(Boolean).join(" · ") || t.common.percentWatched(percent)}
        </p>
      </Link>
      <Button
        variant="overlay"
        size="icon-sm"
        className="absolute right-2 top-2"
        aria-label={t.home.remove(item.title)}
        onClick={onRemove}
      >
        <X aria-hidden="true" />
      </Button>
    </div>
  );
}

/**
 * Whether this browser last saw the profile's rail with something in it (localStorage). The
 * rail's placeholder shows only then: a placeholder for a rail that turns out empty (a new
 * profile) would collapse and move everything under it, the home page's largest layout shift.
 */
const rowHint = {
  key: (profileId: string) => `ott.continue-watching.${profileId}`,
  had(profileId: string): boolean {
    try {
      return window.localStorage.getItem(rowHint.key(profileId)) === "1";
    } catch {
      return false;
    }
  },
  remember(profileId: string, some: boolean): void {
    try {
      window.localStorage.setItem(rowHint.key(profileId), some ? "1" : "0");
    } catch {
      // private mode: the placeholder is left out
    }
  },
};

/** Resume points and next episodes of the profile, each removable (the API forgets it). */
export function ContinueWatchingRail({ profileId }: { profileId: string }) {
  const t = useT();
  const list = useResource(`continue:${profileId}`, (signal) =>
    unwrap(api.GET("/api/activity/continue-watching", { params: { query: { limit: 20 } }, signal })),
  );
  const [announcement, setAnnouncement] = useState("");
  const [removeError, setRemoveError] = useState<unknown>(null);
  const [placeholder] = useState(() => rowHint.had(profileId));
  const count = list.status === "ready" ? list.data.items.length : null;
  useEffect(() => {
    if (count !== null) rowHint.remember(profileId, count > 0);
  }, [profileId, count]);

  if (list.status === "loading") return placeholder ? <RailSkeleton wide /> : null;
  if (list.status === "error") {
    return (
      <div className="px-4 sm:px-8">
        <h2 className="mb-3 text-lg font-bold sm:text-xl">{t.home.continueWatching}</h2>
        <ErrorNotice compact error={list.error} onRetry={list.reload} />
      </div>
    );
  }

  async function remove(item: ContinueWatchingItem) {
    if (list.status !== "ready") return;
    const before = list.data;
    list.set({ items: before.items.filter((entry) => entry.content_id !== item.content_id) });
    setRemoveError(null);
    try {
      await succeed(
        api.DELETE("/api/activity/continue-watching/{content_id}", {
          params: { path: { content_id: item.content_id } },
        }),
      );
      setAnnouncement(t.home.removed(item.title));
    } catch (caught) {
      list.set(before);
      setRemoveError(caught);
    }
  }

  return (
    <div>
      <p role="status" className="sr-only">
        {announcement}
      </p>
      {removeError ? (
        <div className="mb-3 px-4 sm:px-8">
          <ErrorNotice error={removeError} />
        </div>
      ) : null}
      <Rail
        title={t.home.continueWatching}
        wide
        items={list.data.items.map((item) => ({
          key: item.content_id,
          node: <Entry item={item} onRemove={() => void remove(item)} />,
        }))}
      />
    </div>
  );
}
