"use client";

import { Search as SearchIcon } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useId, useState } from "react";

import { unwrap } from "@/api/client";
import { ErrorNotice } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { TitleGrid, TitleGridSkeleton } from "@/components/title-grid";
import { Input } from "@/components/ui/input";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";
import { useSession } from "@/session/SessionProvider";

const DEBOUNCE_MS = 250;

function Results({ q, scope }: { q: string; scope: string }) {
  const t = useT();
  const results = useResource(`${scope}|${q}`, (signal) =>
    unwrap(api.GET("/api/catalog/search", { params: { query: { q, limit: 48 } }, signal })),
  );
  if (results.status === "loading") return <TitleGridSkeleton count={6} />;
  if (results.status === "error") return <ErrorNotice error={results.error} onRetry={results.reload} />;
  const { items, typo_tolerant } = results.data;
  if (items.length === 0) {
    return (
      <p role="status" className="py-12 text-center text-muted-foreground">
        {t.search.noResults(q)}
      </p>
    );
  }
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading" className="text-lg font-semibold">
        {t.search.resultsFor(q)}
      </h2>
      <p role="status" className="mb-4 text-sm text-muted-foreground">
        {t.browse.count(items.length)}
        {typo_tolerant ? ` · ${t.search.typoTolerant}` : ""}
      </p>
      <TitleGrid titles={items} />
    </section>
  );
}

function Search() {
  const t = useT();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const { state, language } = useSession();
  const inputId = useId();
  const initial = params.get("q") ?? "";
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial.trim());

  // As you type: the query (and the URL, for the back button) follows the text after a pause.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const q = text.trim().slice(0, 200);
      setQuery(q);
      router.replace(q ? `${pathname}?q=${encodeURIComponent(q)}` : pathname, { scroll: false });
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, pathname, router]);

  const scope =
    state.status === "signedIn"
      ? `${state.profile?.id}:${state.profile?.language_preference}`
      : state.status === "anonymous"
        ? `anonymous:${language}`
        : null;

  return (
    <div className="px-4 py-8 sm:px-8">
      <h1 className="text-3xl font-bold">{t.search.title}</h1>
      <form role="search" className="relative mt-6 max-w-2xl" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={inputId} className="sr-only">
          {t.search.label}
        </label>
        <SearchIcon aria-hidden="true" className="pointer-events-none absolute left-3 top-1/2 size-5 -translate-y-1/2 text-muted-foreground" />
        <Input
          id={inputId}
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={t.search.placeholder}
          autoComplete="off"
          spellCheck={false}
          enterKeyHint="search"
          maxLength={200}
          autoFocus
          className="h-12 pl-10 text-base"
        />
      </form>
      <div className="mt-8">
        {query === "" ? (
          <p className="text-muted-foreground">{t.search.start}</p>
        ) : scope === null ? (
          <TitleGridSkeleton count={6} />
        ) : (
          <Results q={query} scope={scope} />
        )}
      </div>
    </div>
  );
}

export default function SearchPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.search.title} />
      <Suspense fallback={<div className="px-4 py-8 sm:px-8"><TitleGridSkeleton count={6} /></div>}>
        <Search />
      </Suspense>
    </PageBoundary>
  );
}
