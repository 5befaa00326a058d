"use client";

import { MessageSquareWarning, RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";

import { unwrap } from "@/api/client";
import { ApiError } from "@/api/errors";
import type { User } from "@/api/types";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { Encodings } from "./encodings";
import { emptyForm, formFromView } from "./form-state";
import { PosterUpload } from "./poster-upload";
import { StateBadge } from "./state-badge";
import { Section, TitleForm } from "./title-form";
import type { CmsView, Encoding, TitleIn } from "./types";
import { VersionHistory } from "./version-history";
import { VideoUpload } from "./video-upload";
import { WorkflowActions } from "./workflow-actions";
import { hasRole, readOnlyReason } from "./workflow";

function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.code === "stale_version";
}

/** "Changed by someone else": the one way out is to load the latest version. */
function StaleNotice({ onReload }: { onReload: () => void }) {
  const { t } = useI18n();
  return (
    <Alert variant="destructive" role="alert" className="sticky top-20 z-20" data-testid="cms-stale">
      <RefreshCw aria-hidden="true" />
      <AlertTitle>{t.cms.edit.stale}</AlertTitle>
      <AlertDescription>
        <p>{t.cms.edit.staleBody}</p>
        <Button size="sm" className="mt-3" onClick={onReload} data-testid="cms-stale-reload">
          <RefreshCw aria-hidden="true" />
          {t.cms.edit.reload}
        </Button>
      </AlertDescription>
    </Alert>
  );
}

function Review({ view }: { view: CmsView }) {
  const { t, formatDateTime } = useI18n();
  const review = view.last_review;
  if (!review || view.workflow_state !== "draft" || review.action !== "reject") return null;
  return (
    <Alert data-testid="cms-last-review">
      <MessageSquareWarning aria-hidden="true" />
      <AlertTitle>{t.cms.edit.lastReview.reject(formatDateTime(review.at))}</AlertTitle>
      {review.comment ? (
        <AlertDescription>
          <p>
            <span className="font-semibold">{t.cms.edit.lastReview.comment}: </span>
            {review.comment}
          </p>
        </AlertDescription>
      ) : null}
    </Alert>
  );
}

function Editor({ initial, caller, onReload }: { initial: CmsView; caller: User; onReload: () => void }) {
  const { t, formatDateTime, language } = useI18n();
  const [view, setView] = useState(initial);
  const [stale, setStale] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [added, setAdded] = useState<Encoding | null>(null);
  const form = useMemo(() => formFromView(view), [view]);
  const reason = readOnlyReason(view, caller);
  const e = t.cms.edit;

  const report = useCallback((error: unknown) => {
    if (isStale(error)) setStale(true);
  }, []);
  const changed = useCallback((next: CmsView) => {
    setView(next);
    setSaved(null);
  }, []);

  async function save(body: TitleIn) {
    setSaveError(null);
    setSaved(null);
    try {
      const next = await unwrap(
        api.PUT("/api/cms/content/{content_id}", {
          params: { path: { content_id: view.id } },
          body: { ...body, version: view.version },
        }),
      );
      setView(next);
      setSaved(next.version);
    } catch (caught) {
      setSaveError(caught);
      report(caught);
    }
  }

  async function queued(encoding: Encoding) {
    setAdded(encoding);
    // Queuing a video is an edit: the title has a new version.
    try {
      changed(await unwrap(api.GET("/api/cms/content/{content_id}", { params: { path: { content_id: view.id } } })));
    } catch {
      setStale(true);
    }
  }

  const name = language === "hi" && view.title_hi ? view.title_hi : view.title;
  const sections = [
    { id: "details", label: e.sections.details },
    ...(view.type === "tv_show" ? [{ id: "seasons", label: e.sections.seasons }] : []),
    { id: "poster", label: e.sections.poster },
    { id: "video", label: e.sections.video },
    { id: "history", label: e.sections.history },
  ];

  return (
    <div className="grid gap-6" data-testid="cms-editor" data-id={view.id} data-version={view.version} data-state={view.workflow_state}>
      <header className="grid gap-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-bold sm:text-3xl" data-testid="cms-editor-title">
            {e.editTitle(name)}
          </h1>
          <StateBadge state={view.workflow_state} scheduledAt={view.scheduled_publish_at} />
        </div>
        <p className="text-sm text-muted-foreground">
          <span data-testid="cms-version-number">{e.version(view.version)}</span> · {e.createdAt(formatDateTime(view.created_at))} ·{" "}
          {e.updatedAt(formatDateTime(view.updated_at))}
        </p>
      </header>

      {stale ? <StaleNotice onReload={onReload} /> : null}
      <Review view={view} />
      <WorkflowActions view={view} caller={caller} onChanged={changed} onError={report} />

      <nav aria-label={e.onThisPage} className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {sections.map((section) => (
          <a key={section.id} href={`#${section.id}`} className="text-primary underline-offset-4 hover:underline">
            {section.label}
          </a>
        ))}
      </nav>

      {reason ? (
        <p className="rounded-lg border border-border bg-muted/40 px-4 py-3 text-sm" data-testid="cms-read-only">
          {e.readOnly[reason]}
        </p>
      ) : null}

      <TitleForm
        initial={form}
        mode="edit"
        disabled={reason !== null}
        locked={stale}
        onSubmit={save}
        error={saveError}
        notice={
          saved ? (
            <p className="text-sm font-medium text-primary" role="status" data-testid="cms-saved">
              {e.saved(saved)}
            </p>
          ) : null
        }
      />

      <Section id="poster" title={e.sections.poster}>
        <PosterUpload view={view} disabled={reason !== null || stale} onUploaded={changed} onError={report} />
      </Section>

      <Section id="video" title={e.sections.video}>
        {/* Editors and admins upload and manage videos; reviewers follow and preview them. */}
        {hasRole(caller, "editor") && reason === null && !stale ? (
          <VideoUpload key={view.id} view={view} onQueued={queued} onError={report} />
        ) : null}
        <Encodings view={view} added={added} canManage={hasRole(caller, "editor")} />
      </Section>

      <Section id="history" title={e.sections.history}>
        <VersionHistory view={view} me={caller.id} canRestore={reason === null && !stale} onRestored={changed} onError={report} />
      </Section>
    </div>
  );
}

/** The editor of one title, loaded by id; reloading after a conflict starts from the latest. */
export function TitleEditor({ id, caller }: { id: string; caller: User }) {
  const { t } = useI18n();
  const [generation, setGeneration] = useState(0);
  const view = useResource(`title:${id}:${generation}`, (signal) =>
    unwrap(api.GET("/api/cms/content/{content_id}", { params: { path: { content_id: id } }, signal })),
  );
  if (view.status === "loading") {
    return (
      <div className="grid gap-4" aria-busy="true" data-testid="cms-editor-loading">
        <span className="sr-only" role="status">
          {t.cms.edit.loading}
        </span>
        <Skeleton className="h-10 w-2/3" />
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-96 w-full" />
      </div>
    );
  }
  if (view.status === "error") return <CmsError error={view.error} onRetry={view.reload} />;
  return <Editor key={`${view.data.id}:${generation}`} initial={view.data} caller={caller} onReload={() => setGeneration((n) => n + 1)} />;
}

/** A new title: the same form, creating a draft; then on to its editor. */
export function NewTitle() {
  const { t } = useI18n();
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const initial = useMemo(() => emptyForm(), []);

  async function create(body: TitleIn) {
    setError(null);
    try {
      const created = await unwrap(api.POST("/api/cms/content", { body }));
      router.replace(`/cms/edit/?id=${created.id}`);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <div className="grid gap-6" data-testid="cms-new">
      <h1 className="text-2xl font-bold sm:text-3xl">{t.cms.edit.newTitle}</h1>
      <TitleForm initial={initial} mode="create" disabled={false} onSubmit={create} error={error} />
    </div>
  );
}
