"use client";

import { ChevronLeft, ChevronRight } from "lucide-react";
import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";

import type { ContentSummary } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";

import { TitleCard } from "./title-card";

const ITEM = "w-[38vw] shrink-0 snap-start sm:w-40 lg:w-[180px] 2xl:w-[200px]";

/**
 * A horizontal shelf. Tab walks its items; the arrow keys move between them (as a TV remote
 * does), Home and End jump to the ends; the buttons scroll by a screen for pointer users.
 */
export function Rail({
  title,
  items,
  wide = false,
}: {
  title: string;
  items: { key: string; node: ReactNode }[];
  wide?: boolean;
}) {
  const t = useT();
  const headingId = useId();
  const list = useRef<HTMLUListElement>(null);

  function scrollBy(direction: -1 | 1) {
    const element = list.current;
    if (element) element.scrollBy({ left: direction * element.clientWidth * 0.9, behavior: "smooth" });
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const links = Array.from(
      list.current?.querySelectorAll<HTMLElement>(":scope > li > a, :scope > li > div > a") ?? [],
    );
    const index = links.findIndex((link) => link.contains(document.activeElement));
    if (index < 0) return;
    const target = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: links.length - 1,
    }[event.key];
    if (target === undefined) return;
    const next = links[Math.max(0, Math.min(links.length - 1, target))];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  if (items.length === 0) return null;
  return (
    <section aria-labelledby={headingId} className="relative min-w-0">
      <div className="mb-3 flex items-end justify-between gap-4 px-4 sm:px-8">
        <h2 id={headingId} className="text-lg font-bold sm:text-xl">
          {title}
        </h2>
        <div className="hidden gap-1 sm:flex">
          <Button variant="ghost" size="icon-sm" aria-label={t.home.railScroll("left")} onClick={() => scrollBy(-1)}>
            <ChevronLeft aria-hidden="true" />
          </Button>
          <Button variant="ghost" size="icon-sm" aria-label={t.home.railScroll("right")} onClick={() => scrollBy(1)}>
            <ChevronRight aria-hidden="true" />
          </Button>
        </div>
      </div>
      <ul
        ref={list}
        onKeyDown={onKeyDown}
        className="scrollbar-none flex snap-x snap-mandatory scroll-px-4 gap-3 overflow-x-auto px-4 pb-2 pt-1 sm:scroll-px-8 sm:gap-4 sm:px-8"
      >
        {items.map((item) => (
          <li key={item.key} className={wide ? "w-[72vw] shrink-0 snap-start sm:w-72 lg:w-80" : ITEM}>
            {item.node}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A shelf of titles from any source: the catalog, search, later the recommendations. */
export function TitleRail({ title, titles }: { title: string; titles: ContentSummary[] }) {
  return (
    <Rail
      title={title}
      items={titles.map((item) => ({ key: item.id, node: <TitleCard title={item} /> }))}
    />
  );
}

export function RailSkeleton({ wide = false }: { wide?: boolean }) {
  return (
    <div aria-hidden="true" className="px-4 sm:px-8">
      <Skeleton className="mb-3 h-6 w-48" />
      <div className="flex gap-3 overflow-hidden sm:gap-4">
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className={wide ? "w-[72vw] shrink-0 sm:w-72 lg:w-80" : ITEM}>
            <Skeleton className={wide ? "aspect-video w-full" : "aspect-[2/3] w-full"} />
            <Skeleton className="mt-2 h-4 w-3/4" />
          </div>
        ))}
      </div>
    </div>
  );
}
