"use client";

import { Ban, Eye, RotateCcw } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";

import { unwrap } from "@/api/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { EncodingPreview } from "./encoding-preview";
import type { CmsView, Encoding, EncodingStatus } from "./types";

// Each poll is a request against the gateway's per-user rate limit (100 a minute).
const POLL_MS = 3000;
const ACTIVE: readonly EncodingStatus[] = ["queued", "running"];

const statusLook: Record<EncodingStatus, string> = {
  queued: "border-border bg-secondary text-secondary-foreground",
  running: "border-transparent bg-sky-300 text-sky-950",
  succeeded: "border-transparent bg-emerald-300 text-emerald-950",
  failed: "border-transparent bg-destructive text-destructive-foreground",
  cancelled: "border-border bg-transparent text-muted-foreground",
};

function getEncoding(id: string, signal?: AbortSignal): Promise<Encoding> {
  return unwrap(api.GET("/api/cms/encodings/{encoding_id}", { params: { path: { encoding_id: id } }, signal }));
}

function renditionNames(encoding: Encoding): string[] {
  const renditions = encoding.result?.renditions;
  if (!Array.isArray(renditions)) return [];
  return renditions.flatMap((r: unknown) =>
    typeof r === "object" && r !== null && typeof (r as { quality?: unknown }).quality === "string"
      ? [(r as { quality: string }).quality]
      : [],
  );
}

function EncodingCard({
  encoding,
  episodeLabel,
  canManage,
  onUpdated,
}: {
  encoding: Encoding;
  episodeLabel: string | null;
  /** Cancel and retry (editors and admins); a reviewer only follows and previews. */
  canManage: boolean;
  onUpdated: (encoding: Encoding) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const v = t.cms.video;
  const [busy, setBusy] = useState<"cancel" | "retry" | "preview" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState<Encoding | null>(null);
  const percent = Math.round(encoding.progress);
  const active = ACTIVE.includes(encoding.status);
  const renditions = renditionNames(encoding);
  const duration = typeof encoding.result?.duration_seconds === "number" ? encoding.result.duration_seconds : null;

  async function act(kind: "cancel" | "retry") {
    setBusy(kind);
    setError(null);
    try {
      const params = { params: { path: { encoding_id: encoding.id } } };
      const next =
        kind === "cancel"
          ? await unwrap(api.POST("/api/cms/encodings/{encoding_id}/cancel", params))
          : await unwrap(api.POST("/api/cms/encodings/{encoding_id}/retry", params));
      onUpdated(next);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  async function openPreview() {
    setBusy("preview");
    setError(null);
    try {
      // The list has no signed URLs: the encoding itself answers them, fresh.
      const fresh = await getEncoding(encoding.id);
      onUpdated(fresh);
      setPreviewing(fresh);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <li className="grid gap-3 rounded-lg border border-border bg-card p-4" data-testid="cms-encoding" data-id={encoding.id} data-status={encoding.status}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Badge variant="outline" className={statusLook[encoding.status]} data-testid="cms-encoding-status">
          {v.status[encoding.status]}
        </Badge>
        {episodeLabel ? <span className="text-sm font-medium">{v.forEpisode(episodeLabel)}</span> : null}
        <span className="text-sm text-muted-foreground">
          <time dateTime={encoding.created_at}>{v.createdAt(formatDateTime(encoding.created_at))}</time>
        </span>
        <span className="text-sm text-muted-foreground">{v.attempts(Math.max(encoding.attempts, 1), encoding.max_attempts)}</span>
      </div>
      {active ? (
        <div className="grid gap-1">
          <Progress
            value={percent}
            className="h-2 bg-muted"
            aria-label={`${v.status[encoding.status]}: ${percent}%`}
            data-testid="cms-encoding-progress"
          />
          <p className="text-sm tabular-nums text-muted-foreground" aria-live="polite">
            {percent}%
          </p>
        </div>
      ) : null}
      {encoding.status === "succeeded" ? (
        <p className="text-sm text-muted-foreground">
          {renditions.length ? v.renditions(renditions.join(", ")) : null}
          {duration !== null ? ` · ${v.duration(duration)}` : null}
        </p>
      ) : null}
      {encoding.error ? (
        <p className="text-sm">
          <span className="font-semibold">{v.error}: </span>
          {encoding.error}
        </p>
      ) : null}
      {encoding.log_tail && encoding.status !== "succeeded" ? (
        <details>
          <summary className="cursor-pointer text-sm text-muted-foreground">{v.log}</summary>
          <pre className="mt-2 max-h-60 overflow-auto rounded-md bg-muted p-3 text-xs">{encoding.log_tail}</pre>
        </details>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {canManage && active ? (
          <Button type="button" size="sm" variant="outline" disabled={busy !== null || encoding.cancel_requested} onClick={() => void act("cancel")} data-testid="cms-encoding-cancel">
            <Ban aria-hidden="true" />
            {busy === "cancel" || encoding.cancel_requested ? v.cancelling : v.cancel}
          </Button>
        ) : null}
        {canManage && (encoding.status === "failed" || encoding.status === "cancelled") ? (
          <Button type="button" size="sm" variant="outline" disabled={busy !== null} onClick={() => void act("retry")} data-testid="cms-encoding-retry">
            <RotateCcw aria-hidden="true" />
            {v.retry}
          </Button>
        ) : null}
        {encoding.status === "succeeded" && !previewing ? (
          <Button type="button" size="sm" disabled={busy !== null} onClick={() => void openPreview()} data-testid="cms-encoding-preview">
            <Eye aria-hidden="true" />
            {busy === "preview" ? t.common.loading : v.preview}
          </Button>
        ) : null}
      </div>
      <CmsError error={error} />
      {previewing ? (
        previewing.preview ? (
          <EncodingPreview encoding={previewing} onExpired={() => void openPreview()} />
        ) : (
          <p className="text-sm text-muted-foreground" data-testid="cms-preview-unavailable">
            {v.previewUnavailable}
          </p>
        )
      ) : null}
    </li>
  );
}

/**
 * The title's encodings, newest first, with their status and progress while they run (polled),
 * cancel and retry, and a preview of a finished one.
 */
export function Encodings({ view, added, canManage }: { view: CmsView; added: Encoding | null; canManage: boolean }) {
  const { t } = useI18n();
  const v = t.cms.video;
  const list = useResource(`encodings:${view.id}`, (signal) =>
    unwrap(api.GET("/api/cms/content/{content_id}/encodings", { params: { path: { content_id: view.id } }, signal })),
  );
  const [updates, setUpdates] = useState<Record<string, Encoding>>({});
  const [extra, setExtra] = useState<Encoding[]>([]);

  useEffect(() => {
    if (added) setExtra((before) => (before.some((e) => e.id === added.id) ? before : [added, ...before]));
  }, [added]);

  const encodings = useMemo(() => {
    const base = list.data?.items ?? [];
    const all = [...extra.filter((e) => !base.some((b) => b.id === e.id)), ...base];
    return all.map((encoding) => updates[encoding.id] ?? encoding);
  }, [list.data, extra, updates]);

  const update = (encoding: Encoding) => setUpdates((before) => ({ ...before, [encoding.id]: encoding }));
  const active = encodings.filter((e) => ACTIVE.includes(e.status)).map((e) => e.id);
  const activeKey = active.join(",");
  const activeIds = useRef(active);
  activeIds.current = active;

  useEffect(() => {
    if (!activeKey) return;
    const controller = new AbortController();
    const timer = setInterval(() => {
      for (const id of activeIds.current) {
        getEncoding(id, controller.signal)
          .then(update)
          .catch(() => undefined); // a missed poll is retried at the next tick
      }
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [activeKey]);

  const episodeLabels = useMemo(() => {
    const labels = new Map<string, string>();
    for (const season of view.seasons) {
      for (const episode of season.episodes) {
        labels.set(episode.id, `${t.common.episodeCode(season.season_number, episode.episode_number)} · ${episode.title}`);
      }
    }
    return labels;
  }, [view.seasons, t]);

  return (
    <div className="grid gap-3" data-testid="cms-encodings">
      <h3 className="text-lg font-semibold">{v.encodings}</h3>
      {list.status === "loading" ? <Skeleton className="h-20 w-full" /> : null}
      {list.status === "error" ? <CmsError error={list.error} onRetry={list.reload} /> : null}
      {list.status === "ready" && encodings.length === 0 ? <p className="text-sm text-muted-foreground">{v.noEncodings}</p> : null}
      {encodings.length ? (
        <ul className="grid gap-3">
          {encodings.map((encoding) => (
            <EncodingCard
              key={encoding.id}
              encoding={encoding}
              episodeLabel={encoding.episode_id ? (episodeLabels.get(encoding.episode_id) ?? null) : null}
              canManage={canManage}
              onUpdated={update}
            />
          ))}
        </ul>
      ) : null}
    </div>
  );
}
