"use client";

import { Archive, CalendarClock, CheckCircle2, Globe, Send, Undo2 } from "lucide-react";
import { useState, type FormEvent } from "react";

import { unwrap } from "@/api/client";
import type { User } from "@/api/types";
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
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { useI18n } from "@/i18n";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { TextArea, TextField } from "./fields";
import { fromLocalInput, toLocalInput } from "./form-state";
import { patchTitle } from "./requests";
import type { CmsView } from "./types";
import { availableActions, type WorkflowAction } from "./workflow";

type Step = Exclude<WorkflowAction, "schedule">;

async function take(view: CmsView, step: Step, comment?: string): Promise<CmsView> {
  const params = { path: { content_id: view.id } };
  const body = { version: view.version, comment: comment ?? null };
  switch (step) {
    case "submit":
      return unwrap(api.POST("/api/cms/content/{content_id}/submit-review", { params, body }));
    case "approve":
      return unwrap(api.POST("/api/cms/content/{content_id}/approve", { params, body }));
    case "reject":
      return unwrap(api.POST("/api/cms/content/{content_id}/reject", { params, body }));
    case "publish":
      return unwrap(api.POST("/api/cms/content/{content_id}/publish", { params, body }));
    case "archive":
      return unwrap(api.POST("/api/cms/content/{content_id}/archive", { params, body }));
  }
}

const icons = {
  submit: Send,
  approve: CheckCircle2,
  reject: Undo2,
  publish: Globe,
  schedule: CalendarClock,
  archive: Archive,
} as const;

/**
 * The workflow steps the caller's roles allow from the title's state. Each names the version it
 * was based on, so a step on a title someone changed meanwhile is refused (409) and reported.
 */
export function WorkflowActions({
  view,
  caller,
  onChanged,
  onError,
}: {
  view: CmsView;
  caller: User;
  onChanged: (view: CmsView) => void;
  onError: (error: unknown) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const w = t.cms.workflow;
  const [busy, setBusy] = useState<WorkflowAction | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<WorkflowAction | null>(null);
  const [dialog, setDialog] = useState<"reject" | "schedule" | "archive" | null>(null);
  const [comment, setComment] = useState("");
  const [goLive, setGoLive] = useState("");
  const actions = availableActions(view, caller);

  async function run(action: WorkflowAction, work: () => Promise<CmsView>) {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      const next = await work();
      setDialog(null);
      setDone(action);
      onChanged(next);
    } catch (caught) {
      setError(caught);
      onError(caught);
    } finally {
      setBusy(null);
    }
  }

  function start(action: WorkflowAction) {
    if (action === "reject") {
      setComment("");
      setDialog("reject");
    } else if (action === "schedule") {
      const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
      setGoLive(toLocalInput(view.available_from && new Date(view.available_from) > new Date() ? view.available_from : tomorrow.toISOString()));
      setDialog("schedule");
    } else if (action === "archive") {
      setDialog("archive");
    } else {
      void run(action, () => take(view, action));
    }
  }

  function reject(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run("reject", () => take(view, "reject", comment.trim()));
  }

  function schedule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const at = fromLocalInput(goLive);
    if (!at) return;
    // Publishing a title whose available_from lies ahead schedules it: set it, then publish.
    void run("schedule", async () => {
      const changed = await patchTitle(view.id, view.version, { available_from: at });
      onChanged(changed); // kept even if publishing it fails
      return take(changed, "publish");
    });
  }

  return (
    <section aria-labelledby="workflow-heading" className="grid gap-3 rounded-xl border border-border bg-card p-4" data-testid="cms-workflow">
      <h2 id="workflow-heading" className="text-sm font-semibold uppercase tracking-wide text-muted-foreground">
        {w.title}
      </h2>
      {view.scheduled_publish_at ? (
        <p className="text-sm" data-testid="cms-scheduled-for">
          {w.scheduledFor(formatDateTime(view.scheduled_publish_at))}
        </p>
      ) : null}
      {actions.length ? (
        <div className="flex flex-wrap gap-2">
          {actions.map((action) => {
            const Icon = icons[action];
            return (
              <Button
                key={action}
                type="button"
                variant={action === "archive" || action === "reject" ? "outline" : "default"}
                disabled={busy !== null}
                onClick={() => start(action)}
                data-testid={`cms-action-${action}`}
              >
                <Icon aria-hidden="true" />
                {busy === action ? t.common.loading : w[action]}
              </Button>
            );
          })}
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">{w.none}</p>
      )}
      <div aria-live="polite">
        {done ? (
          <p className="text-sm font-medium text-primary" data-testid="cms-action-done">
            {w.done[done]}
          </p>
        ) : null}
      </div>
      {dialog === null ? <CmsError error={error} testId="cms-action-error" /> : null}

      <Dialog open={dialog === "reject"} onOpenChange={(open) => !open && setDialog(null)}>
        <DialogContent closeLabel={t.common.close}>
          <DialogHeader>
            <DialogTitle>{w.rejectTitle}</DialogTitle>
            <DialogDescription>{w.rejectBody}</DialogDescription>
          </DialogHeader>
          <form onSubmit={reject} className="grid gap-4">
            <TextArea label={w.reason} required maxLength={450} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="cms-reject-reason" />
            <CmsError error={error} />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setDialog(null)}>
                {t.common.cancel}
              </Button>
              <Button type="submit" variant="destructive" disabled={busy !== null || !comment.trim()} data-testid="cms-reject-confirm">
                {w.rejectConfirm}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={dialog === "schedule"} onOpenChange={(open) => !open && setDialog(null)}>
        <DialogContent closeLabel={t.common.close}>
          <DialogHeader>
            <DialogTitle>{w.scheduleTitle}</DialogTitle>
            <DialogDescription>{w.scheduleBody}</DialogDescription>
          </DialogHeader>
          <form onSubmit={schedule} className="grid gap-4">
            <TextField label={w.goLive} type="datetime-local" required value={goLive} onChange={(e) => setGoLive(e.target.value)} data-testid="cms-schedule-at" />
            <CmsError error={error} />
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setDialog(null)}>
                {t.common.cancel}
              </Button>
              <Button type="submit" disabled={busy !== null || !goLive} data-testid="cms-schedule-confirm">
                {w.scheduleConfirm}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>

      <AlertDialog open={dialog === "archive"} onOpenChange={(open) => !open && setDialog(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>{w.archiveTitle}</AlertDialogTitle>
            <AlertDialogDescription>{w.archiveBody}</AlertDialogDescription>
          </AlertDialogHeader>
          <CmsError error={error} />
          <AlertDialogFooter>
            <AlertDialogCancel>{t.common.cancel}</AlertDialogCancel>
            <AlertDialogAction
              data-testid="cms-archive-confirm"
              disabled={busy !== null}
              onClick={(event) => {
                event.preventDefault();
                void run("archive", () => take(view, "archive"));
              }}
            >
              {w.archiveConfirm}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </section>
  );
}
