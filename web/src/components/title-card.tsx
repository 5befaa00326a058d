"use client";

import { Lock } from "lucide-react";
import Link from "next/link";

import type { ContentSummary } from "@/api/types";
import { Badge } from "@/components/ui/badge";
import { useT } from "@/i18n";

import { Poster } from "./poster";

export const CARD_SIZES = "(min-width: 1536px) 200px, (min-width: 1024px) 180px, (min-width: 640px) 160px, 38vw";

export function titleHref(id: string): string {
  return `/title/?id=${encodeURIComponent(id)}`;
}

export function TitleCard({ title, priority = false }: { title: ContentSummary; priority?: boolean }) {
  const t = useT();
  const meta = [title.release_year, t.common.types[title.type]].filter(Boolean).join(" · ");
  return (
    <Link
      href={titleHref(title.id)}
      className="group block rounded-lg focus-visible:outline-3 focus-visible:outline-offset-2"
    >
      <div className="relative">
        <Poster
          url={title.poster_url}
          title={title.title}
          seed={title.id}
          sizes={CARD_SIZES}
          priority={priority}
          className="transition-transform duration-200 group-hover:scale-[1.03] group-focus-visible:scale-[1.03]"
        />
        {title.locked ? (
          <Badge variant="premium" className="absolute left-2 top-2">
            <Lock aria-hidden="true" />
            {t.common.premium}
          </Badge>
        ) : null}
      </div>
      <p className="mt-2 line-clamp-1 text-sm font-semibold">{title.title}</p>
      <p className="text-xs text-muted-foreground">{meta}</p>
    </Link>
  );
}
