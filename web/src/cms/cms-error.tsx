"use client";

import { AlertTriangle, RotateCcw } from "lucide-react";

import { ApiError } from "@/api/errors";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

import { apiDetail, describeCmsError } from "./describe";

/** Validation problems with their whole path (`seasons.0.episodes.1.title`), as the API named them. */
function fieldPaths(error: unknown): { field: string; message: string }[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null) return [];
    const { field, message } = item as Record<string, unknown>;
    if (typeof field !== "string" || typeof message !== "string") return [];
    return [{ field: field.replace(/^(body|query)\./, ""), message }];
  });
}

/** A studio error: the friendly sentence, the API's own detail, the problems per field. */
export function CmsError({
  error,
  onRetry,
  className,
  testId = "cms-error",
}: {
  error: unknown;
  onRetry?: () => void;
  className?: string;
  testId?: string;
}) {
  const t = useT();
  if (!error) return null;
  const detail = apiDetail(error);
  const problems = fieldPaths(error);
  const reference = error instanceof ApiError ? error.correlationId : null;
  // As the app's notices: trying again helps when the platform was unreachable or busy, not
  // when it said no.
  const retryable = !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
  const retry = retryable ? onRetry : undefined;
  return (
    <Alert variant="destructive" role="alert" className={className} data-testid={testId}>
      <AlertTriangle aria-hidden="true" />
      <AlertTitle>{describeCmsError(t, error)}</AlertTitle>
      <AlertDescription>
        {detail ? <p>{t.cms.errors.details(detail)}</p> : null}
        {problems.length ? (
          <ul className="mt-1 list-disc pl-5">
            {problems.map((problem, i) => (
              <li key={`${problem.field}-${i}`}>
                <span className="font-mono text-xs">{problem.field}</span>: {problem.message}
              </li>
            ))}
          </ul>
        ) : null}
        {reference ? <p className="mt-1 text-xs">{t.errors.reference(reference)}</p> : null}
        {retry ? (
          <Button variant="outline" size="sm" className="mt-3" onClick={retry}>
            <RotateCcw aria-hidden="true" />
            {t.common.retry}
          </Button>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}
