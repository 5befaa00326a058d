"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useId, useState, type ReactNode } from "react";

import { unwrap } from "@/api/client";
import {
  CONTENT_TYPES,
  MATURITY_RATINGS,
  SORT_ORDERS,
  TIERS,
  type CatalogQuery,
  type ContentSummary,
} from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { TitleGrid, TitleGridSkeleton } from "@/components/title-grid";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";
import { useSession } from "@/session/SessionProvider";

const PAGE_SIZE = 24;
const FILTERS = ["type", "genre", "language", "year", "maturity", "tier", "sort"] as const;
type Filter = (typeof FILTERS)[number];

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((candidate) => candidate === value);
}

/** The URL's filters as the API's query (anything unknown or malformed is left out). */
function queryOf(params: URLSearchParams): CatalogQuery {
  const year = Number(params.get("year"));
  const genre = params.get("genre");
  return {
    type: oneOf(CONTENT_TYPES, params.get("type")),
    genre: genre && /^[a-z0-9-]{1,100}$/.test(genre) ? genre : undefined,
    language: oneOf(["en", "hi"] as const, params.get("language")),
    year: Number.isInteger(year) && year >= 1888 && year <= 2100 ? year : undefined,
    maturity: oneOf(MATURITY_RATINGS, params.get("maturity")),
    tier: oneOf(TIERS, params.get("tier")),
    sort: oneOf(SORT_ORDERS, params.get("sort")) ?? "newest",
  };
}

function FilterSelect({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <NativeSelect id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {children}
      </NativeSelect>
    </div>
  );
}

function Results({ query, scope }: { query: CatalogQuery; scope: string }) {
  const t = useT();
  const key = `${scope}|${JSON.stringify(query)}`;
  const first = useResource(key, (signal) =>
    unwrap(api.GET("/api/catalog/content", { params: { query: { ...query, limit: PAGE_SIZE } }, signal })),
  );
  const [more, setMore] = useState<{ key: string; items: ContentSummary[]; cursor: string | null }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  if (first.status === "loading") return <TitleGridSkeleton />;
  if (first.status === "error") return <ErrorNotice error={first.error} onRetry={first.reload} />;

  const extra = more?.key === key ? more : undefined;
  const items = [...first.data.items, ...(extra?.items ?? [])];
  const cursor = extra ? extra.cursor : first.data.next_cursor;

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await unwrap(
        api.GET("/api/catalog/content", { params: { query: { ...query, limit: PAGE_SIZE, cursor } } }),
      );
      setMore({ key, items: [...(extra?.items ?? []), ...page.items], cursor: page.next_cursor });
    } catch (caught) {
      setMoreError(caught);
    } finally {
      setLoadingMore(false);
    }
  }

  if (items.length === 0) return <p className="py-16 text-center text-muted-foreground">{t.browse.noResults}</p>;
  return (
    <div className="grid gap-8">
      <TitleGrid titles={items} />
      {moreError ? <ErrorNotice error={moreError} onRetry={() => void loadMore()} /> : null}
      {cursor ? (
        <Button variant="secondary" size="lg" className="justify-self-center" disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? t.common.loading : t.common.loadMore}
        </Button>
      ) : null}
    </div>
  );
}

function Browse() {
  const t = useT();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const { state, language } = useSession();
  const query = queryOf(new URLSearchParams(params.toString()));
  const genres = useResource("genres", (signal) => unwrap(api.GET("/api/catalog/genres", { signal })));

  function set(filter: Filter, value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(filter, value);
    else next.delete(filter);
    const search = next.toString();
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  }

  const scope =
    state.status === "signedIn"
      ? `${state.profile?.id}:${state.profile?.language_preference}`
      : state.status === "anonymous"
        ? `anonymous:${language}`
        : null;
  const filtered = FILTERS.some((filter) => filter !== "sort" && params.has(filter));
  const years = Array.from({ length: 40 }, (_, i) => new Date().getFullYear() - i);

  return (
    <div className="px-4 py-8 sm:px-8">
      <h1 className="text-3xl font-bold">{t.browse.title}</h1>
      <section aria-label={t.browse.filters} className="mt-6 grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-8">
        <FilterSelect label={t.browse.type} value={query.type ?? ""} onChange={(v) => set("type", v)}>
          <option value="">{t.browse.any}</option>
          {CONTENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {t.common.types[type]}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label={t.browse.genre} value={query.genre ?? ""} onChange={(v) => set("genre", v)}>
          <option value="">{t.browse.any}</option>
          {(genres.data ?? []).map((genre) => (
            <option key={genre.slug} value={genre.slug}>
              {genre.name}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label={t.browse.language} value={query.language ?? ""} onChange={(v) => set("language", v)}>
          <option value="">{t.browse.any}</option>
          <option value="en">{t.languageNames.en}</option>
          <option value="hi">{t.languageNames.hi}</option>
        </FilterSelect>
        <FilterSelect label={t.browse.year} value={query.year ? String(query.year) : ""} onChange={(v) => set("year", v)}>
          <option value="">{t.browse.any}</option>
          {years.map((year) => (
            <option key={year} value={year}>
              {year}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label={t.browse.maturity} value={query.maturity ?? ""} onChange={(v) => set("maturity", v)}>
          <option value="">{t.browse.any}</option>
          {MATURITY_RATINGS.map((rating) => (
            <option key={rating} value={rating}>
              {t.maturity[rating]}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label={t.browse.tier} value={query.tier ?? ""} onChange={(v) => set("tier", v)}>
          <option value="">{t.browse.any}</option>
          {TIERS.map((tier) => (
            <option key={tier} value={tier}>
              {tier === "free" ? t.common.free : t.common.premium}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect label={t.browse.sort} value={query.sort ?? "newest"} onChange={(v) => set("sort", v)}>
          {SORT_ORDERS.map((sort) => (
            <option key={sort} value={sort}>
              {t.browse.sorts[sort]}
            </option>
          ))}
        </FilterSelect>
        <div className="flex items-end">
          <Button variant="ghost" className="w-full" disabled={!filtered} onClick={() => router.replace(pathname, { scroll: false })}>
            {t.browse.reset}
          </Button>
        </div>
      </section>
      <div className="mt-8">
        {scope === null ? <TitleGridSkeleton /> : <Results query={query} scope={scope} />}
      </div>
    </div>
  );
}

export default function BrowsePage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.browse.title} />
      <Suspense fallback={<div className="px-4 py-8 sm:px-8"><TitleGridSkeleton /></div>}>
        <Browse />
      </Suspense>
    </PageBoundary>
  );
}
