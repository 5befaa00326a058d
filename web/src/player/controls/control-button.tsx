"use client";

import type { ComponentProps } from "react";

import { cn } from "@/lib/utils";

/** An icon button of the player: named for screen readers, a visible focus ring on video. */
export function ControlButton({
  label,
  pressed,
  className,
  children,
  ...props
}: ComponentProps<"button"> & { label: string; pressed?: boolean }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      className={cn(
        "relative inline-flex size-10 shrink-0 items-center justify-center rounded-md text-white transition-colors hover:bg-white/15 focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-ring disabled:pointer-events-none disabled:opacity-40 [&_svg]:size-5",
        className,
      )}
      {...props}
    >
      {children}
    </button>
  );
}
