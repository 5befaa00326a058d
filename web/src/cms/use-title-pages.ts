"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { unwrap } from "@/api/client";
import type { ContentType } from "@/api/types";
import { api } from "@/session/api";

import type { CmsSummary, WorkflowState } from "./types";

/** A listing's filter: a workflow state, or "scheduled" (published, not live yet). */
export type ListState = WorkflowState | "scheduled" | "all";

export interface ListQuery {
  state: ListState;
  type: ContentType | null;
  mine: boolean;
}

export interface TitlePages {
  status: "loading" | "ready" | "error";
  items: CmsSummary[];
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  /** For "scheduled": how many published titles were looked through. */
  scanned: number;
  loadMore: () => void;
  reload: () => void;
}

const PAGE = 20;
// "Scheduled" is not a state the API filters by: published titles are read in pages of the
// largest size and the scheduled ones kept, a few pages per request for more.
const SCAN_PAGE = 100;
const SCAN_PAGES_PER_LOAD = 5;

async function fetchPage(query: ListQuery, cursor: string | null, limit: number, signal: AbortSignal) {
  const state = query.state === "all" ? undefined : query.state === "scheduled" ? "published" : query.state;
  return unwrap(
    api.GET("/api/cms/content", {
      params: {
        query: {
          state,
          type: query.type ?? undefined,
          mine: query.mine || undefined,
          cursor: cursor ?? undefined,
          limit,
        },
      },
      signal,
    }),
  );
}

async function loadFrom(
  query: ListQuery,
  cursor: string | null,
  signal: AbortSignal,
): Promise<{ items: CmsSummary[]; next: string | null; scanned: number }> {
  if (query.state !== "scheduled") {
    const page = await fetchPage(query, cursor, PAGE, signal);
    return { items: page.items, next: page.next_cursor, scanned: 0 };
  }
  const items: CmsSummary[] = [];
  let next = cursor;
  let scanned = 0;
  for (let i = 0; i < SCAN_PAGES_PER_LOAD; i++) {
    const page = await fetchPage(query, next, SCAN_PAGE, signal);
    scanned += page.items.length;
    items.push(...page.items.filter((item) => item.scheduled_publish_at));
    next = page.next_cursor;
    if (next === null || items.length >= PAGE) break;
  }
  return { items, next, scanned };
}

/** The studio's listing of titles for a query, page by page ("load more"). */
export function useTitlePages(query: ListQuery): TitlePages {
  const [status, setStatus] = useState<TitlePages["status"]>("loading");
  const [items, setItems] = useState<CmsSummary[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [scanned, setScanned] = useState(0);
  const [loadingMore, setLoadingMore] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  const key = `${query.state}|${query.type ?? ""}|${query.mine}`;
  const current = useRef(query);
  current.current = query;

  useEffect(() => {
    const mine = ++generation.current;
    const controller = new AbortController();
    setStatus("loading");
    setItems([]);
    setCursor(null);
    setScanned(0);
    loadFrom(current.current, null, controller.signal)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.next);
        setScanned(page.scanned);
        setStatus("ready");
      })
      .catch((caught: unknown) => {
        if (mine !== generation.current || controller.signal.aborted) return;
        setError(caught);
        setStatus("error");
      });
    return () => controller.abort();
  }, [key, attempt]);

  const loadMore = useCallback(() => {
    if (cursor === null || loadingMore) return;
    const mine = generation.current;
    const controller = new AbortController();
    setLoadingMore(true);
    loadFrom(current.current, cursor, controller.signal)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems((before) => {
          const seen = new Set(before.map((item) => item.id));
          return [...before, ...page.items.filter((item) => !seen.has(item.id))];
        });
        setCursor(page.next);
        setScanned((n) => n + page.scanned);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (mine === generation.current) setError(caught);
      })
      .finally(() => {
        if (mine === generation.current) setLoadingMore(false);
      });
  }, [cursor, loadingMore]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { status, items, error, hasMore: cursor !== null, loadingMore, scanned, loadMore, reload };
}
