"use client";

import { Info, Lock, Play } from "lucide-react";
import Link from "next/link";

import type { ContentSummary } from "@/api/types";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";

import { srcSetOf } from "./poster";
import { titleHref } from "./title-card";

export function watchHref(id: string, episodeId?: string | null): string {
  const episode = episodeId ? `&episode=${encodeURIComponent(episodeId)}` : "";
  return `/watch/?id=${encodeURIComponent(id)}${episode}`;
}

/** The featured title: its picture wide behind, the words and actions over a dark fade. */
export function Hero({ title }: { title: ContentSummary }) {
  const t = useT();
  const image = title.thumbnail_url ?? title.poster_url;
  const meta = [
    title.release_year,
    t.common.types[title.type],
    title.maturity_rating,
    ...title.genres.slice(0, 3).map((genre) => genre.name),
  ].filter(Boolean);
  return (
    <section aria-labelledby="hero-title" className="relative isolate overflow-hidden">
      <div className="absolute inset-0 -z-10">
        {image ? (
          // eslint-disable-next-line @next/next/no-img-element -- static export: no image optimiser
          <img
            src={image}
            srcSet={srcSetOf(image)}
            sizes="100vw"
            alt=""
            width={1280}
            height={720}
            fetchPriority="high"
            className="size-full object-cover object-top"
          />
        ) : (
          <div className="size-full bg-[radial-gradient(ellipse_at_top_right,#5b3a0a,transparent_60%),linear-gradient(160deg,#1d2233,#0b0d12)]" />
        )}
        <div className="absolute inset-0 bg-gradient-to-t from-background via-background/70 to-background/10" />
        <div className="absolute inset-0 bg-gradient-to-r from-background/90 via-background/40 to-transparent" />
      </div>
      <div className="flex min-h-[26rem] max-w-3xl flex-col justify-end gap-4 px-4 pb-10 pt-24 sm:min-h-[32rem] sm:px-8 lg:min-h-[36rem]">
        <p className="text-xs font-bold uppercase tracking-widest text-primary">{t.home.heroLabel}</p>
        <h1 id="hero-title" className="text-4xl font-extrabold leading-tight tracking-tight sm:text-5xl lg:text-6xl">
          {title.title}
        </h1>
        <p className="text-sm text-muted-foreground sm:text-base">{meta.join(" · ")}</p>
        {title.description ? (
          <p className="line-clamp-3 max-w-2xl text-base leading-relaxed sm:text-lg">{title.description}</p>
        ) : null}
        <div className="mt-2 flex flex-wrap items-center gap-3">
          {title.locked ? (
            <Badge variant="premium" className="h-10 px-3 text-sm">
              <Lock aria-hidden="true" />
              {t.common.premium}
            </Badge>
          ) : title.playable ? (
            <Button asChild size="lg">
              <Link href={watchHref(title.id)}>
                <Play aria-hidden="true" className="fill-current" />
                {t.common.play}
              </Link>
            </Button>
          ) : null}
          <Button asChild size="lg" variant="secondary">
            <Link href={titleHref(title.id)}>
              <Info aria-hidden="true" />
              {t.common.moreInfo}
            </Link>
          </Button>
        </div>
      </div>
    </section>
  );
}

export function HeroSkeleton() {
  return (
    <div className="flex min-h-[26rem] flex-col justify-end gap-4 px-4 pb-10 sm:min-h-[32rem] sm:px-8 lg:min-h-[36rem]" aria-hidden="true">
      <Skeleton className="h-4 w-24" />
      <Skeleton className="h-12 w-2/3 max-w-xl" />
      <Skeleton className="h-4 w-1/2 max-w-md" />
      <Skeleton className="h-16 w-full max-w-2xl" />
      <div className="flex gap-3">
        <Skeleton className="h-12 w-32" />
        <Skeleton className="h-12 w-36" />
      </div>
    </div>
  );
}
