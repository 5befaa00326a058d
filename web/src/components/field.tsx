"use client";

import { useId, type ComponentProps } from "react";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/** A labelled input with its hint and the problems the API named for it. */
export function Field({
  label,
  hint,
  problems = [],
  ...input
}: ComponentProps<"input"> & { label: string; hint?: string; problems?: string[] }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const problemId = `${id}-problems`;
  const describedBy = [hint ? hintId : null, problems.length ? problemId : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        aria-invalid={problems.length > 0 || undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {problems.length ? (
        <ul id={problemId} className="list-disc pl-5 text-xs text-destructive">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
