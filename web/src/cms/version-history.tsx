"use client";

import { History, RotateCcw } from "lucide-react";
import { useState } from "react";

import { unwrap } from "@/api/client";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { ScrollRegion } from "./scroll-region";
import type { CmsView, FieldChange, Version } from "./types";

const MAX_VALUE = 600;

function Value({ value }: { value: unknown }) {
  const { t } = useI18n();
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
    return <span className="italic text-muted-foreground">{t.cms.history.none}</span>;
  }
  const shown = typeof value === "string" ? value : JSON.stringify(value, null, 1);
  const cut = shown.length > MAX_VALUE ? `${shown.slice(0, MAX_VALUE)}…` : shown;
  return <span className="whitespace-pre-wrap break-words font-mono text-xs">{cut}</span>;
}

function Changes({ changes, label }: { changes: FieldChange[]; label: string }) {
  const { t } = useI18n();
  const h = t.cms.history;
  if (changes.length === 0) return <p className="text-sm text-muted-foreground">{h.noChanges}</p>;
  return (
    <ScrollRegion label={label}>
      <table className="w-full min-w-[32rem] text-left text-sm" data-testid="cms-version-changes">
        <thead className="text-xs uppercase tracking-wide text-muted-foreground">
          <tr>
            <th scope="col" className="w-1/5 py-1 pr-3 font-semibold">{h.field}</th>
            <th scope="col" className="w-2/5 py-1 pr-3 font-semibold">{h.before}</th>
            <th scope="col" className="w-2/5 py-1 font-semibold">{h.after}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change, i) => (
            <tr key={`${change.field}-${i}`} className="border-t border-border align-top" data-testid="cms-version-change" data-field={change.field}>
              <th scope="row" className="py-2 pr-3 font-mono text-xs font-medium">{change.field}</th>
              <td className="py-2 pr-3 text-destructive/90">
                <Value value={change.before} />
              </td>
              <td className="py-2 text-emerald-300">
                <Value value={change.after} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

function who(t: ReturnType<typeof useI18n>["t"], id: string | null, me: string): string {
  if (id === null) return t.cms.history.system;
  if (id === me) return t.cms.history.you;
  return t.cms.history.someone(id.slice(0, 8));
}

/** Every version of the title, newest first, with what changed; restoring makes a new one. */
export function VersionHistory({
  view,
  me,
  canRestore,
  onRestored,
  onError,
}: {
  view: CmsView;
  me: string;
  canRestore: boolean;
  onRestored: (view: CmsView) => void;
  onError: (error: unknown) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const h = t.cms.history;
  const history = useResource(`history:${view.id}:${view.version}`, (signal) =>
    unwrap(
      api.GET("/api/cms/content/{content_id}/versions", {
        params: { path: { content_id: view.id } },
        signal,
      }),
    ),
  );
  const [restoring, setRestoring] = useState<Version | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [restored, setRestored] = useState<number | null>(null);

  async function restore(version: Version) {
    setBusy(true);
    setError(null);
    try {
      const next = await unwrap(
        api.POST("/api/cms/content/{content_id}/versions/{number}/restore", {
          params: { path: { content_id: view.id, number: version.version } },
          body: { version: view.version },
        }),
      );
      setRestoring(null);
      setRestored(next.version);
      onRestored(next);
    } catch (caught) {
      setError(caught);
      onError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (history.status === "loading") {
    return (
      <div className="grid gap-2" aria-busy="true">
        <span className="sr-only" role="status">{t.common.loading}</span>
        <Skeleton className="h-14 w-full" />
        <Skeleton className="h-14 w-full" />
      </div>
    );
  }
  if (history.status === "error") return <CmsError error={history.error} onRetry={history.reload} />;
  const versions = history.data.versions;
  return (
    <div className="grid gap-3">
      <p className="text-sm text-muted-foreground">{h.intro}</p>
      <div aria-live="polite">
        {restored ? <p className="text-sm font-medium text-primary">{h.restored(restored)}</p> : null}
      </div>
      {versions.length === 0 ? <p className="text-sm text-muted-foreground">{h.empty}</p> : null}
      <ol className="grid gap-2" data-testid="cms-versions">
        {versions.map((version, index) => {
          const current = version.version === history.data.current_version;
          return (
            <li key={version.version} className="rounded-lg border border-border bg-card" data-testid="cms-version" data-version={version.version}>
              <details open={index === 0}>
                <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 rounded-lg px-4 py-3 hover:bg-muted/40">
                  <History aria-hidden="true" className="size-4 text-muted-foreground" />
                  <span className="font-semibold">{t.cms.edit.version(version.version)}</span>
                  <span>{h.actions[version.action] ?? version.action}</span>
                  {current ? <Badge variant="secondary">{h.current}</Badge> : null}
                  <span className="text-sm text-muted-foreground">
                    <time dateTime={version.changed_at}>{formatDateTime(version.changed_at)}</time> · {h.by(who(t, version.changed_by, me))}
                  </span>
                </summary>
                <div className="grid gap-3 border-t border-border px-4 py-3">
                  {version.note ? (
                    <p className="text-sm">
                      <span className="font-semibold">{h.note}: </span>
                      {version.note}
                    </p>
                  ) : null}
                  <Changes changes={version.changes} label={t.cms.edit.version(version.version)} />
                  {canRestore && !current ? (
                    <Button
                      type="button"
                      variant="outline"
                      size="sm"
                      className="justify-self-start"
                      onClick={() => {
                        setError(null);
                        setRestoring(version);
                      }}
                      data-testid="cms-restore"
                    >
                      <RotateCcw aria-hidden="true" />
                      {h.restore(version.version)}
                    </Button>
                  ) : null}
                </div>
              </details>
            </li>
          );
        })}
      </ol>
      <AlertDialog open={restoring !== null} onOpenChange={(open) => !open && setRestoring(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>{restoring ? h.restoreTitle(restoring.version) : ""}</AlertDialogTitle>
            <AlertDialogDescription>{h.restoreBody}</AlertDialogDescription>
          </AlertDialogHeader>
          <CmsError error={error} />
          <AlertDialogFooter>
            <AlertDialogCancel>{t.common.cancel}</AlertDialogCancel>
            <AlertDialogAction
              className="bg-primary text-primary-foreground hover:bg-primary/90"
              disabled={busy}
              data-testid="cms-restore-confirm"
              onClick={(event) => {
                event.preventDefault();
                if (restoring) void restore(restoring);
              }}
            >
              {t.cms.workflow.restore}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}
