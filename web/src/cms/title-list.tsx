"use client";

import { FilePlus2, ImageOff } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useId, useMemo, useState } from "react";

import { CONTENT_TYPES, type ContentType } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";

import { CmsError } from "./cms-error";
import { ScrollRegion } from "./scroll-region";
import { StateBadge } from "./state-badge";
import type { CmsSummary } from "./types";
import { useTitlePages, type ListState } from "./use-title-pages";

const LIST_STATES: readonly ListState[] = [
  "all",
  "draft",
  "pending_review",
  "approved",
  "scheduled",
  "published",
  "archived",
];

function isListState(value: string | null): value is ListState {
  return value !== null && (LIST_STATES as readonly string[]).includes(value);
}

function isContentType(value: string | null): value is ContentType {
  return value !== null && (CONTENT_TYPES as readonly string[]).includes(value);
}

/** The query lives in the address (`/cms/?state=draft&type=movie&mine=1`), so a view can be shared. */
function useListQuery() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = params.get("state");
  const type = params.get("type");
  const query = {
    state: isListState(state) ? state : "all",
    type: isContentType(type) ? type : null,
    mine: params.get("mine") === "1",
  } as const;
  function change(next: Partial<{ state: ListState; type: ContentType | null; mine: boolean }>) {
    const merged = { ...query, ...next };
    const search = new URLSearchParams();
    if (merged.state !== "all") search.set("state", merged.state);
    if (merged.type) search.set("type", merged.type);
    if (merged.mine) search.set("mine", "1");
    const qs = search.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }
  return { query, change };
}

function StateFilter({ value, onChange }: { value: ListState; onChange: (state: ListState) => void }) {
  const { t } = useI18n();
  return (
    <div role="group" aria-label={t.cms.list.stateFilter} className="flex flex-wrap gap-2">
      {LIST_STATES.map((state) => (
        <Button
          key={state}
          type="button"
          size="sm"
          variant={value === state ? "default" : "outline"}
          aria-pressed={value === state}
          data-testid={`cms-filter-${state}`}
          onClick={() => onChange(state)}
        >
          {t.cms.states[state]}
        </Button>
      ))}
    </div>
  );
}

function matches(item: CmsSummary, needle: string): boolean {
  const haystack = [item.title, item.title_hi ?? "", item.external_id ?? ""].join(" ").toLowerCase();
  return haystack.includes(needle);
}

function Row({ item }: { item: CmsSummary }) {
  const { t, formatDateTime, language } = useI18n();
  const name = language === "hi" && item.title_hi ? item.title_hi : item.title;
  return (
    <tr className="border-b border-border last:border-0 hover:bg-muted/40" data-testid="cms-title-row" data-id={item.id}>
      <td className="py-2 pr-3">
        <div className="flex items-center gap-3">
          {item.poster_url ? (
            // eslint-disable-next-line @next/next/no-img-element -- the platform's own resized poster
            <img src={item.poster_url} alt="" width={40} height={60} loading="lazy" className="h-15 w-10 shrink-0 rounded object-cover" />
          ) : (
            <span className="flex h-15 w-10 shrink-0 items-center justify-center rounded bg-muted" aria-hidden="true">
              <ImageOff className="size-4 text-muted-foreground" />
            </span>
          )}
          <div className="min-w-0">
            <Link
              href={`/cms/edit/?id=${item.id}`}
              className="font-semibold hover:underline"
              data-testid="cms-title-link"
              aria-label={t.cms.list.edit(name)}
            >
              <span lang={language === "hi" && item.title_hi ? "hi" : "en"}>{name}</span>
            </Link>
            {item.external_id ? <p className="truncate font-mono text-xs text-muted-foreground">{item.external_id}</p> : null}
          </div>
        </div>
      </td>
      <td className="hidden py-2 pr-3 text-sm sm:table-cell">{t.common.types[item.type]}</td>
      <td className="py-2 pr-3">
        <StateBadge state={item.workflow_state} scheduledAt={item.scheduled_publish_at} />
      </td>
      <td className="hidden py-2 pr-3 text-sm tabular-nums md:table-cell">{item.version}</td>
      <td className="hidden py-2 text-sm text-muted-foreground lg:table-cell">
        <time dateTime={item.updated_at}>{formatDateTime(item.updated_at)}</time>
      </td>
    </tr>
  );
}

export function TitleList({ canCreate }: { canCreate: boolean }) {
  const { t } = useI18n();
  const { query, change } = useListQuery();
  const pages = useTitlePages(query);
  const [search, setSearch] = useState("");
  const searchId = useId();
  const typeId = useId();
  const mineId = useId();
  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () => (needle ? pages.items.filter((item) => matches(item, needle)) : pages.items),
    [pages.items, needle],
  );
  const c = t.cms.list.columns;

  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold">{t.cms.list.title}</h1>
          <p className="mt-1 text-muted-foreground">{t.cms.list.intro}</p>
        </div>
        {canCreate ? (
          <Button asChild>
            <Link href="/cms/edit/" data-testid="cms-new-title">
              <FilePlus2 aria-hidden="true" />
              {t.cms.newTitle}
            </Link>
          </Button>
        ) : null}
      </div>

      <StateFilter value={query.state} onChange={(state) => change({ state })} />

      <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end">
        <div className="grid gap-2">
          <Label htmlFor={searchId}>{t.cms.list.search}</Label>
          <Input
            id={searchId}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            aria-describedby={`${searchId}-hint`}
            data-testid="cms-search"
          />
          <p id={`${searchId}-hint`} className="text-xs text-muted-foreground">
            {t.cms.list.searchHint}
          </p>
        </div>
        <div className="grid gap-2 self-start">
          <Label htmlFor={typeId}>{t.cms.list.type}</Label>
          <NativeSelect
            id={typeId}
            value={query.type ?? ""}
            onChange={(event) => change({ type: isContentType(event.target.value) ? event.target.value : null })}
            data-testid="cms-type-filter"
          >
            <option value="">{t.cms.list.anyType}</option>
            {CONTENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t.common.types[type]}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex items-center gap-2 self-start sm:mt-8">
          <input
            id={mineId}
            type="checkbox"
            className="size-4 accent-primary"
            checked={query.mine}
            onChange={(event) => change({ mine: event.target.checked })}
            data-testid="cms-mine"
          />
          <Label htmlFor={mineId}>{t.cms.list.mine}</Label>
        </div>
      </div>

      {pages.status === "error" ? <CmsError error={pages.error} onRetry={pages.reload} /> : null}

      {pages.status === "loading" ? (
        <div className="grid gap-2" aria-busy="true" data-testid="cms-list-loading">
          <span className="sr-only" role="status">
            {t.common.loading}
          </span>
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-16 w-full" />
          ))}
        </div>
      ) : null}

      {pages.status === "ready" ? (
        <div className="grid gap-4">
          <p className="text-sm text-muted-foreground" role="status" data-testid="cms-list-count">
            {t.cms.list.count(shown.length)}
            {query.state === "scheduled" ? ` ${t.cms.list.scanned(pages.scanned)}` : null}
          </p>
          {shown.length === 0 ? (
            <p className="rounded-lg border border-dashed border-border p-8 text-center text-muted-foreground" data-testid="cms-list-empty">
              {needle ? t.cms.list.noMatch(search.trim()) : t.cms.list.empty}
            </p>
          ) : (
            <ScrollRegion label={t.cms.list.title} className="rounded-lg border border-border">
              <table className="w-full text-left" data-testid="cms-title-table">
                <caption className="sr-only">{`${t.cms.list.title}: ${t.cms.states[query.state]}`}</caption>
                <thead className="border-b border-border bg-muted/40 text-xs uppercase tracking-wide text-muted-foreground">
                  <tr>
                    <th scope="col" className="py-2 pl-3 pr-3 font-semibold">{c.title}</th>
                    <th scope="col" className="hidden py-2 pr-3 font-semibold sm:table-cell">{c.type}</th>
                    <th scope="col" className="py-2 pr-3 font-semibold">{c.state}</th>
                    <th scope="col" className="hidden py-2 pr-3 font-semibold md:table-cell">{c.version}</th>
                    <th scope="col" className="hidden py-2 pr-3 font-semibold lg:table-cell">{c.updated}</th>
                  </tr>
                </thead>
                <tbody className={cn("[&_td:first-child]:pl-3")}>
                  {shown.map((item) => (
                    <Row key={item.id} item={item} />
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
          {pages.error ? <CmsError error={pages.error} onRetry={pages.loadMore} /> : null}
          {pages.hasMore ? (
            <Button
              variant="outline"
              className="justify-self-center"
              onClick={pages.loadMore}
              disabled={pages.loadingMore}
              data-testid="cms-load-more"
            >
              {pages.loadingMore ? t.common.loading : t.cms.list.loadMore}
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
