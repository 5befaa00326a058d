"use client";

import { Clapperboard, Pause, Play, Plus, Trash2, Upload as UploadIcon, X } from "lucide-react";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { PreviousUpload, Upload } from "tus-js-client";

import { unwrap } from "@/api/client";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Progress } from "@/components/ui/progress";
import { useI18n, useT } from "@/i18n";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { SelectField, TextField } from "./fields";
import { newKey } from "./form-state";
import { createUpload, forgetUpload, startOrResume, unfinishedUploads, type UploadKind } from "./tus";
import type { CmsView, Encoding } from "./types";

const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const ACCEPT: Record<UploadKind, string> = {
  video: "video/*,.mp4,.mov,.mkv,.webm,.ts",
  audio: "audio/*,.m4a,.aac,.mp3,.wav,.flac,.mp4",
  subtitle: ".srt,application/x-subrip,text/plain",
};

type Status = "idle" | "uploading" | "paused" | "done" | "error";

interface Item {
  key: string;
  kind: UploadKind;
  file: File | null;
  language: string;
  label: string;
  status: Status;
  sent: number;
  total: number;
  uploadId: string | null;
  error: unknown;
  resumed: boolean;
}

function blank(kind: UploadKind): Item {
  return { key: newKey(), kind, file: null, language: "", label: "", status: "idle", sent: 0, total: 0, uploadId: null, error: null, resumed: false };
}

function formatBytes(bytes: number, locale: string): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}

function UploadRow({
  item,
  title,
  onFile,
  onChange,
  onStart,
  onPause,
  onResume,
  onCancel,
  onRemove,
}: {
  item: Item;
  title: string;
  onFile: (file: File | null) => void;
  onChange: (patch: Partial<Item>) => void;
  onStart: () => void;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
  onRemove?: () => void;
}) {
  const { t, language } = useI18n();
  const v = t.cms.video;
  const inputId = useId();
  const locale = language === "hi" ? "hi-IN" : "en-IN";
  const percent = item.total ? Math.floor((item.sent / item.total) * 100) : 0;
  const track = item.kind !== "video";
  const needsLanguage = track && !LANGUAGE_TAG.test(item.language);
  const busy = item.status === "uploading" || item.status === "paused";
  const statusText = {
    idle: item.file ? v.waiting : "",
    uploading: v.progress(formatBytes(item.sent, locale), formatBytes(item.total, locale)),
    paused: `${v.paused} · ${v.progress(formatBytes(item.sent, locale), formatBytes(item.total, locale))}`,
    done: v.uploaded,
    error: v.failed,
  }[item.status];
  const fileLabel = item.kind === "video" ? v.chooseVideo : item.kind === "audio" ? v.chooseAudio : v.chooseSubtitle;
  return (
    <li className="grid gap-3 rounded-lg border border-border bg-background/40 p-4" data-testid={`cms-upload-${item.kind}`} data-status={item.status}>
      <div className="flex items-center justify-between gap-2">
        <h4 className="font-semibold">{title}</h4>
        {onRemove ? (
          <Button type="button" variant="ghost" size="icon-sm" aria-label={v.removeTrack(title)} onClick={onRemove}>
            <Trash2 aria-hidden="true" />
          </Button>
        ) : null}
      </div>
      {track ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label={v.language} hint={v.languageHint} required value={item.language} disabled={busy || item.status === "done"} onChange={(e) => onChange({ language: e.target.value.trim() })} aria-invalid={item.language !== "" && needsLanguage ? true : undefined} data-testid="cms-track-language" />
          <TextField label={v.label} hint={v.labelHint} maxLength={50} value={item.label} disabled={busy || item.status === "done"} onChange={(e) => onChange({ label: e.target.value })} data-testid="cms-track-label" />
        </div>
      ) : null}
      {item.status === "idle" || item.status === "error" ? (
        <div className="flex flex-wrap items-end gap-3">
          <div className="grid gap-2">
            <Label htmlFor={inputId}>{fileLabel}</Label>
            <input
              id={inputId}
              type="file"
              accept={ACCEPT[item.kind]}
              onChange={(event) => onFile(event.target.files?.[0] ?? null)}
              className="max-w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-secondary file:px-3 file:py-2 file:text-sm file:font-semibold file:text-secondary-foreground"
              data-testid="cms-upload-file"
            />
          </div>
          {item.file && (track || item.status === "error") ? (
            <Button type="button" onClick={onStart} disabled={needsLanguage} data-testid="cms-upload-start">
              <UploadIcon aria-hidden="true" />
              {v.startUpload}
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="truncate text-sm">{item.file?.name}</p>
      )}
      {item.status !== "idle" ? (
        <div className="grid gap-2">
          <Progress value={item.status === "done" ? 100 : percent} className="h-2 bg-muted" aria-label={`${title}: ${item.status === "done" ? 100 : percent}%`} data-testid="cms-upload-progress" />
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm text-muted-foreground" aria-live="polite" data-testid="cms-upload-status">
              {statusText}
            </p>
            <div className="flex gap-2">
              {item.status === "uploading" ? (
                <Button type="button" size="sm" variant="outline" onClick={onPause} data-testid="cms-upload-pause">
                  <Pause aria-hidden="true" />
                  {v.pause}
                </Button>
              ) : null}
              {item.status === "paused" ? (
                <Button type="button" size="sm" onClick={onResume} data-testid="cms-upload-resume">
                  <Play aria-hidden="true" />
                  {v.resume}
                </Button>
              ) : null}
              {busy || item.status === "done" ? (
                <Button type="button" size="sm" variant="ghost" onClick={onCancel} data-testid="cms-upload-cancel">
                  <X aria-hidden="true" />
                  {v.cancelUpload}
                </Button>
              ) : null}
            </div>
          </div>
        </div>
      ) : null}
      {item.resumed && item.status !== "done" ? <p className="text-sm text-primary">{v.resumed}</p> : null}
      {track && item.file && needsLanguage && item.status === "idle" ? <p className="text-sm text-muted-foreground">{v.needsLanguage}</p> : null}
      {item.error ? <CmsError error={item.error} /> : null}
    </li>
  );
}

function Unfinished({ contentId, refresh, busy }: { contentId: string; refresh: string; busy: (string | null)[] }) {
  const t = useT();
  const v = t.cms.video;
  const [uploads, setUploads] = useState<PreviousUpload[]>([]);
  // Read again whenever an upload starts, pauses, finishes or is cancelled.
  useEffect(() => {
    void unfinishedUploads(contentId).then(setUploads);
  }, [contentId, refresh]);
  // Those running on this page are not "unfinished" here.
  const shown = uploads.filter((upload) => !busy.includes(upload.uploadUrl));
  if (shown.length === 0) return null;
  return (
    <div className="grid gap-2 rounded-lg border border-primary/50 p-4" data-testid="cms-unfinished-uploads">
      <h4 className="font-semibold">{v.unfinished}</h4>
      <p className="text-sm text-muted-foreground">{v.unfinishedHint}</p>
      <ul className="grid gap-1">
        {shown.map((upload) => (
          <li key={upload.urlStorageKey} className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span>
              {upload.metadata.filename ?? "?"} · {upload.metadata.kind}
              {upload.metadata.language ? ` (${upload.metadata.language})` : ""}
            </span>
            <Button
              type="button"
              size="sm"
              variant="ghost"
              onClick={() => {
                void forgetUpload(upload).then(() => setUploads((list) => list.filter((u) => u.urlStorageKey !== upload.urlStorageKey)));
              }}
            >
              {v.forget}
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The title's (or an episode's) new video: resumable uploads of the source and of optional
 * extra audio tracks and subtitles, then the encoding queued with them (an edit of the title,
 * naming its version).
 */
export function VideoUpload({
  view,
  onQueued,
  onError,
}: {
  view: CmsView;
  onQueued: (encoding: Encoding) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const v = t.cms.video;
  const [items, setItems] = useState<Item[]>(() => [blank("video")]);
  const [episodeId, setEpisodeId] = useState("");
  const [queueing, setQueueing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const uploads = useRef(new Map<string, Upload>());
  const series = view.type === "tv_show";
  const episodes = view.seasons.flatMap((season) =>
    season.episodes.map((episode) => ({ id: episode.id, season: season.season_number, episode })),
  );

  const patch = useCallback((key: string, change: Partial<Item>) => {
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  // Leaving the page pauses the uploads; choosing the same files again continues them.
  useEffect(() => {
    const running = uploads.current;
    return () => {
      running.forEach((upload) => void upload.abort(false));
      running.clear();
    };
  }, []);

  function start(item: Item) {
    if (!item.file) return;
    const file = item.file;
    const upload = createUpload(
      file,
      { contentId: view.id, kind: item.kind, language: item.language || undefined, label: item.label.trim() || undefined },
      {
        onProgress: (sent, total) => patch(item.key, { sent, total }),
        onSuccess: (uploadId) => {
          uploads.current.delete(item.key);
          patch(item.key, { status: "done", uploadId, sent: file.size, total: file.size });
        },
        onError: (failure) => {
          uploads.current.delete(item.key);
          patch(item.key, { status: "error", error: failure });
        },
      },
    );
    uploads.current.set(item.key, upload);
    patch(item.key, { status: "uploading", sent: 0, total: file.size, error: null, resumed: false });
    startOrResume(upload)
      .then((resumed) => patch(item.key, { resumed }))
      .catch((failure: unknown) => patch(item.key, { status: "error", error: failure }));
  }

  function choose(item: Item, file: File | null) {
    const next = { ...item, file, status: "idle" as const, error: null, uploadId: null, sent: 0, total: 0 };
    patch(item.key, next);
    if (file && item.kind === "video") start(next);
  }

  function pause(item: Item) {
    void uploads.current.get(item.key)?.abort(false);
    patch(item.key, { status: "paused" });
  }

  function resume(item: Item) {
    const upload = uploads.current.get(item.key);
    if (!upload) return start(item);
    patch(item.key, { status: "uploading" });
    upload.start();
  }

  function cancel(item: Item) {
    const upload = uploads.current.get(item.key);
    uploads.current.delete(item.key);
    // Terminating deletes the partial file on the platform; a finished upload is simply not used.
    if (upload) void upload.abort(true).catch(() => undefined);
    patch(item.key, { ...blank(item.kind), key: item.key, language: item.language, label: item.label });
  }

  function remove(item: Item) {
    cancel(item);
    setItems((list) => list.filter((other) => other.key !== item.key));
  }

  const source = items[0];
  const tracks = items.slice(1).filter((item) => item.file !== null);
  const pending = items.some((item) => item.status === "uploading" || item.status === "paused") || tracks.some((item) => item.status !== "done");
  const ready = source?.status === "done" && !pending && (!series || episodeId !== "");

  async function queue() {
    if (!source?.uploadId) return;
    setQueueing(true);
    setError(null);
    const trackIn = (kind: UploadKind) =>
      tracks
        .filter((item) => item.kind === kind && item.uploadId)
        .map((item) => ({ upload_id: item.uploadId as string, language: item.language, label: item.label.trim() || null }));
    try {
      const encoding = await unwrap(
        api.POST("/api/cms/content/{content_id}/encodings", {
          params: { path: { content_id: view.id }, query: { version: view.version } },
          body: {
            source_upload_id: source.uploadId,
            episode_id: series ? episodeId : null,
            audio: trackIn("audio"),
            subtitles: trackIn("subtitle"),
          },
        }),
      );
      setItems([blank("video")]);
      onQueued(encoding);
    } catch (caught) {
      setError(caught);
      onError(caught);
    } finally {
      setQueueing(false);
    }
  }

  const titles: Record<UploadKind, (n: number) => string> = {
    video: () => v.source,
    audio: (n) => `${v.audioTracks} ${n}`,
    subtitle: (n) => `${v.subtitles} ${n}`,
  };
  const counters: Record<UploadKind, number> = { video: 0, audio: 0, subtitle: 0 };

  return (
    <div className="grid gap-4" data-testid="cms-video-upload">
      <p className="text-sm text-muted-foreground">{v.intro}</p>
      {series ? (
        episodes.length ? (
          <SelectField label={v.episode} value={episodeId} onChange={(e) => setEpisodeId(e.target.value)} className="max-w-md" data-testid="cms-video-episode">
            <option value="">{v.chooseEpisode}</option>
            {episodes.map(({ id, season, episode }) => (
              <option key={id} value={id}>
                {`${t.common.episodeCode(season, episode.episode_number)} · ${episode.title}`}
              </option>
            ))}
          </SelectField>
        ) : (
          <p className="text-sm text-muted-foreground">{v.noEpisodes}</p>
        )
      ) : null}
      <Unfinished
        contentId={view.id}
        refresh={items.map((item) => `${item.key}:${item.status}`).join(",")}
        busy={[...uploads.current.values()].map((upload) => upload.url)}
      />
      <ul className="grid gap-3">
        {items.map((item) => {
          counters[item.kind] += 1;
          const title = titles[item.kind](counters[item.kind]);
          return (
            <UploadRow
              key={item.key}
              item={item}
              title={title}
              onFile={(file) => choose(item, file)}
              onChange={(change) => patch(item.key, change)}
              onStart={() => start(item)}
              onPause={() => pause(item)}
              onResume={() => resume(item)}
              onCancel={() => cancel(item)}
              onRemove={item.kind === "video" ? undefined : () => remove(item)}
            />
          );
        })}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" size="sm" onClick={() => setItems((list) => [...list, blank("audio")])} data-testid="cms-add-audio">
          <Plus aria-hidden="true" />
          {v.addAudio}
        </Button>
        <Button type="button" variant="secondary" size="sm" onClick={() => setItems((list) => [...list, blank("subtitle")])} data-testid="cms-add-subtitle">
          <Plus aria-hidden="true" />
          {v.addSubtitle}
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" onClick={() => void queue()} disabled={!ready || queueing} data-testid="cms-transcode">
          <Clapperboard aria-hidden="true" />
          {queueing ? v.transcoding : v.transcode}
        </Button>
        {!ready ? (
          <p className="text-sm text-muted-foreground">
            {source?.status !== "done" ? v.needsSource : pending ? v.uploadsPending : series ? v.chooseEpisode : null}
          </p>
        ) : null}
      </div>
      <CmsError error={error} testId="cms-transcode-error" />
    </div>
  );
}
