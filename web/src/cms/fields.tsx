"use client";

import { useId, type ComponentProps, type ReactNode } from "react";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { cn } from "@/lib/utils";

function Described({
  label,
  hint,
  children,
  className,
}: {
  label: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={cn("grid content-start gap-2", className)}>
      <Label htmlFor={id}>{label}</Label>
      {children(id, hintId)}
      {hint ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled text input (dates and numbers too). */
export function TextField({
  label,
  hint,
  className,
  ...input
}: ComponentProps<"input"> & { label: string; hint?: string }) {
  return (
    <Described label={label} hint={hint} className={className}>
      {(id, describedBy) => <Input id={id} aria-describedby={describedBy} {...input} />}
    </Described>
  );
}

/** A labelled multi-line text. */
export function TextArea({
  label,
  hint,
  className,
  ...area
}: ComponentProps<"textarea"> & { label: string; hint?: string }) {
  return (
    <Described label={label} hint={hint} className={className}>
      {(id, describedBy) => (
        <textarea
          id={id}
          aria-describedby={describedBy}
          rows={4}
          className="w-full rounded-md border border-input bg-muted px-3 py-2 text-base text-foreground placeholder:text-muted-foreground focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50 sm:text-sm"
          {...area}
        />
      )}
    </Described>
  );
}

/** A labelled native select. */
export function SelectField({
  label,
  hint,
  className,
  children,
  ...select
}: ComponentProps<"select"> & { label: string; hint?: string }) {
  return (
    <Described label={label} hint={hint} className={className}>
      {(id, describedBy) => (
        <NativeSelect id={id} aria-describedby={describedBy} {...select}>
          {children}
        </NativeSelect>
      )}
    </Described>
  );
}

/** A labelled checkbox, 24 px: WCAG 2.5.8's least target size even where the sticky save bar covers its neighbours. */
export function CheckField({ label, className, ...input }: ComponentProps<"input"> & { label: string }) {
  const id = useId();
  return (
    <div className={cn("flex items-center gap-2", className)}>
      <input id={id} type="checkbox" className="size-6 shrink-0 accent-primary" {...input} />
      <Label htmlFor={id} className="font-normal">
        {label}
      </Label>
    </div>
  );
}
