"use client";

import { FileUp } from "lucide-react";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";

import { ApiError } from "@/api/errors";
import type { User } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { useT } from "@/i18n";

import { CmsError } from "./cms-error";
import { CheckField } from "./fields";
import { ScrollRegion } from "./scroll-region";
import { bulkImport } from "./requests";
import { StateBadge } from "./state-badge";
import type { BulkResult } from "./types";
import { hasRole } from "./workflow";

interface RowProblem {
  row?: number;
  item?: number;
  external_id: string | null;
  field: string | null;
  message: string;
}

interface Report {
  count: number;
  truncated: boolean;
  errors: RowProblem[];
}

/** The per-row report of a refused file (422 bulk_validation_failed), if that is what it is. */
function reportOf(error: unknown): Report | null {
  if (!(error instanceof ApiError) || error.code !== "bulk_validation_failed") return null;
  const details = error.details as { error_count?: unknown; truncated?: unknown; errors?: unknown } | null;
  if (!details || !Array.isArray(details.errors)) return null;
  const errors = details.errors.filter(
    (e: unknown): e is RowProblem => typeof e === "object" && e !== null && typeof (e as RowProblem).message === "string",
  );
  return {
    count: typeof details.error_count === "number" ? details.error_count : errors.length,
    truncated: details.truncated === true,
    errors,
  };
}

function ProblemTable({ report }: { report: Report }) {
  const t = useT();
  const b = t.cms.bulk;
  const c = b.columns;
  return (
    <div className="grid gap-3" data-testid="cms-bulk-problems" role="alert">
      <p className="font-semibold">{b.problems(report.count)}</p>
      {report.truncated ? <p className="text-sm text-muted-foreground">{b.truncated(report.errors.length)}</p> : null}
      <ScrollRegion label={b.problems(report.count)} className="rounded-lg border border-destructive/60">
        <table className="w-full min-w-[36rem] text-left text-sm">
          <caption className="sr-only">{b.problems(report.count)}</caption>
          <thead className="border-b border-border bg-muted/40 text-xs uppercase tracking-wide text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">{c.where}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.externalId}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.field}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.message}</th>
            </tr>
          </thead>
          <tbody>
            {report.errors.map((problem, i) => (
              <tr key={i} className="border-b border-border align-top last:border-0" data-testid="cms-bulk-problem">
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                  {typeof problem.row === "number" ? b.row(problem.row) : typeof problem.item === "number" ? b.item(problem.item) : b.file_}
                </td>
                <td className="px-3 py-2 font-mono text-xs">{problem.external_id ?? "—"}</td>
                <td className="px-3 py-2 font-mono text-xs">{problem.field ?? "—"}</td>
                <td className="px-3 py-2">{problem.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}

function ResultTable({ result }: { result: BulkResult }) {
  const t = useT();
  const b = t.cms.bulk;
  const c = b.columns;
  return (
    <div className="grid gap-3" data-testid="cms-bulk-result">
      <p className="font-semibold" role="status">
        {b.summary(result.total, result.created, result.updated, result.unchanged)}
      </p>
      <ScrollRegion label={b.result} className="rounded-lg border border-border">
        <table className="w-full min-w-[32rem] text-left text-sm">
          <caption className="sr-only">{b.result}</caption>
          <thead className="border-b border-border bg-muted/40 text-xs uppercase tracking-wide text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">{c.externalId}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.status}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.state}</th>
              <th scope="col" className="px-3 py-2 font-semibold">{c.version}</th>
            </tr>
          </thead>
          <tbody>
            {result.titles.map((title) => (
              <tr key={title.id} className="border-b border-border last:border-0" data-testid="cms-bulk-title">
                <td className="px-3 py-2">
                  <Link href={`/cms/edit/?id=${title.id}`} className="font-mono text-xs text-primary hover:underline" aria-label={b.open(title.external_id)}>
                    {title.external_id}
                  </Link>
                </td>
                <td className="px-3 py-2">{b.statuses[title.status] ?? title.status}</td>
                <td className="px-3 py-2">
                  <StateBadge state={title.workflow_state} />
                </td>
                <td className="px-3 py-2 tabular-nums">{title.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}

/** Import a JSON or CSV file of titles; the API's per-row report is shown as a table. */
export function BulkImport({ caller }: { caller: User }) {
  const t = useT();
  const b = t.cms.bulk;
  const inputId = useId();
  const hintId = `${inputId}-hint`;
  const [file, setFile] = useState<File | null>(null);
  const [publish, setPublish] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  const [missing, setMissing] = useState(false);
  const report = reportOf(error);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      setMissing(true);
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await bulkImport(file, publish));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="grid gap-6">
      <div>
        <h1 className="text-3xl font-bold">{b.title}</h1>
        <p className="mt-1 max-w-3xl text-muted-foreground">{b.intro}</p>
      </div>
      <form onSubmit={submit} className="grid max-w-2xl gap-4" data-testid="cms-bulk-form" aria-busy={busy}>
        <div className="grid gap-2">
          <Label htmlFor={inputId}>{b.file}</Label>
          <input
            id={inputId}
            type="file"
            accept=".json,.csv,application/json,text/csv"
            aria-describedby={hintId}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setMissing(false);
            }}
            className="text-sm file:mr-3 file:rounded-md file:border-0 file:bg-secondary file:px-3 file:py-2 file:text-sm file:font-semibold file:text-secondary-foreground"
            data-testid="cms-bulk-file"
          />
          <p id={hintId} className="text-xs text-muted-foreground">
            {b.fileHint}
          </p>
        </div>
        {hasRole(caller, "admin") ? (
          <CheckField label={b.publish} checked={publish} onChange={(event) => setPublish(event.target.checked)} data-testid="cms-bulk-publish" />
        ) : null}
        <Button type="submit" className="justify-self-start" disabled={busy} data-testid="cms-bulk-submit">
          <FileUp aria-hidden="true" />
          {busy ? b.submitting : b.submit}
        </Button>
        {missing ? (
          <p className="text-sm text-destructive" role="alert">
            {b.chooseFile}
          </p>
        ) : null}
      </form>
      {report ? <ProblemTable report={report} /> : error ? <CmsError error={error} /> : null}
      {result ? <ResultTable result={result} /> : null}
    </div>
  );
}
