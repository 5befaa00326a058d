"use client";

import { AlertTriangle, RotateCcw } from "lucide-react";

import { ApiError } from "@/api/errors";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { describeError } from "@/lib/describe-error";
import { cn } from "@/lib/utils";

export function ErrorNotice({
  error,
  onRetry,
  className,
  compact = false,
}: {
  error: unknown;
  onRetry?: () => void;
  className?: string;
  /** One line, for a part of a page (a shelf) whose neighbours may say the same. */
  compact?: boolean;
}) {
  const t = useT();
  const reference = error instanceof ApiError ? error.correlationId : null;
  // Trying again helps when the platform was unreachable or busy, not when it said no.
  const retryable =
    !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
  const retry = retryable ? onRetry : undefined;
  if (compact) {
    return (
      <p role="alert" className={cn("flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground", className)}>
        <AlertTriangle aria-hidden="true" className="size-4 text-destructive" />
        {describeError(t, error)}
        {retry ? (
          <Button variant="link" size="sm" className="h-auto px-0" onClick={retry}>
            {t.common.retry}
          </Button>
        ) : null}
      </p>
    );
  }
  return (
    <Alert variant="destructive" role="alert" className={className}>
      <AlertTriangle aria-hidden="true" />
      <AlertTitle>{t.errors.title}</AlertTitle>
      <AlertDescription>
        <p>{describeError(t, error)}</p>
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

/** A form's error line, announced to screen readers. */
export function FormError({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-destructive/60 bg-card px-3 py-2 text-sm">
      {describeError(t, error)}
    </p>
  );
}
