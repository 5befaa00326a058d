"use client";

import { Archive, CalendarClock, CheckCircle2, Eye, FilePen, Globe } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";

import type { WorkflowState } from "./types";

const looks: Record<WorkflowState | "scheduled", { icon: typeof Eye; className: string }> = {
  draft: { icon: FilePen, className: "border-border bg-secondary text-secondary-foreground" },
  pending_review: { icon: Eye, className: "border-transparent bg-sky-300 text-sky-950" },
  approved: { icon: CheckCircle2, className: "border-transparent bg-emerald-300 text-emerald-950" },
  scheduled: { icon: CalendarClock, className: "border-transparent bg-premium text-premium-foreground" },
  published: { icon: Globe, className: "border-transparent bg-primary text-primary-foreground" },
  archived: { icon: Archive, className: "border-border bg-transparent text-muted-foreground" },
};

/** A title's workflow state; a published title that has not gone live yet says when it will. */
export function StateBadge({
  state,
  scheduledAt,
  className,
}: {
  state: WorkflowState;
  scheduledAt?: string | null;
  className?: string;
}) {
  const { t, formatDateTime } = useI18n();
  const key = state === "published" && scheduledAt ? "scheduled" : state;
  const { icon: Icon, className: look } = looks[key];
  return (
    <Badge
      variant="outline"
      className={cn(look, className)}
      data-testid="cms-state"
      data-state={key}
      title={scheduledAt ? t.cms.list.scheduledFor(formatDateTime(scheduledAt)) : undefined}
    >
      <Icon aria-hidden="true" />
      {t.cms.states[key]}
      {scheduledAt ? <span className="sr-only">{`, ${t.cms.list.scheduledFor(formatDateTime(scheduledAt))}`}</span> : null}
    </Badge>
  );
}
