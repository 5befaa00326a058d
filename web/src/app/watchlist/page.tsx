"use client";

import { Lock, X } from "lucide-react";
import Link from "next/link";
import { Suspense, useState } from "react";

import { succeed, unwrap } from "@/api/client";
import type { WatchlistItem } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Poster } from "@/components/poster";
import { CARD_SIZES, titleHref } from "@/components/title-card";
import { TitleGridSkeleton } from "@/components/title-grid";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";
import { useProfileGate } from "@/session/gate";

function Entry({ item, onRemove }: { item: WatchlistItem; onRemove: () => void }) {
  const t = useT();
  return (
    <div className="relative">
      <Link href={titleHref(item.content_id)} className="group block rounded-lg">
        <div className="relative">
          <Poster url={item.poster_url} title={item.title} seed={item.content_id} sizes={CARD_SIZES} />
          {item.locked ? (
            <Badge variant="premium" className="absolute left-2 top-2">
              <Lock aria-hidden="true" />
              {t.common.premium}
            </Badge>
          ) : null}
        </div>
        <p className="mt-2 line-clamp-1 text-sm font-semibold">{item.title}</p>
        <p className="text-xs text-muted-foreground">{t.common.types[item.content_type]}</p>
      </Link>
      <Button
        variant="overlay"
        size="icon-sm"
        className="absolute right-2 top-2"
        aria-label={t.watchlist.remove(item.title)}
        onClick={onRemove}
      >
        <X aria-hidden="true" />
      </Button>
    </div>
  );
}

function List({ profileId }: { profileId: string }) {
  const t = useT();
  const list = useResource(`watchlist:${profileId}`, (signal) =>
    unwrap(api.GET("/api/activity/watchlist", { signal })),
  );
  const [error, setError] = useState<unknown>(null);
  if (list.status === "loading") return <TitleGridSkeleton />;
  if (list.status === "error") return <ErrorNotice error={list.error} onRetry={list.reload} />;

  async function remove(item: WatchlistItem) {
    if (list.status !== "ready") return;
    const before = list.data;
    list.set({ items: before.items.filter((entry) => entry.content_id !== item.content_id) });
    setError(null);
    try {
      await succeed(
        api.DELETE("/api/activity/watchlist/{content_id}", { params: { path: { content_id: item.content_id } } }),
      );
    } catch (caught) {
      list.set(before);
      setError(caught);
    }
  }

  if (list.data.items.length === 0) {
    return (
      <div className="py-16 text-center">
        <p className="text-muted-foreground">{t.watchlist.empty}</p>
        <Button asChild className="mt-6">
          <Link href="/browse/">{t.watchlist.browse}</Link>
        </Button>
      </div>
    );
  }
  return (
    <div className="grid gap-6">
      {error ? <ErrorNotice error={error} /> : null}
      <ul className="grid grid-cols-2 gap-x-3 gap-y-6 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5 xl:grid-cols-6 2xl:grid-cols-8">
        {list.data.items.map((item) => (
          <li key={item.content_id}>
            <Entry item={item} onRemove={() => void remove(item)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function Watchlist() {
  const t = useT();
  const gate = useProfileGate();
  return (
    <div className="px-4 py-8 sm:px-8">
      <h1 className="mb-6 text-3xl font-bold">{t.watchlist.title}</h1>
      {gate.kind === "ready" ? (
        <List profileId={gate.session.profile.id} />
      ) : gate.kind === "error" ? (
        <ErrorNotice error={gate.error} onRetry={gate.retry} />
      ) : (
        <TitleGridSkeleton />
      )}
    </div>
  );
}

export default function WatchlistPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.watchlist.title} />
      <Suspense fallback={<div className="px-4 py-8 sm:px-8"><TitleGridSkeleton /></div>}>
        <Watchlist />
      </Suspense>
    </PageBoundary>
  );
}
