import type { ComponentProps } from "react";

import { cn } from "@/lib/utils";

/** A wide table's horizontal scroller, reachable by keyboard (Tab, then the arrow keys). */
export function ScrollRegion({ label, className, ...props }: ComponentProps<"div"> & { label: string }) {
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      className={cn("overflow-x-auto focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-ring", className)}
      {...props}
    />
  );
}
