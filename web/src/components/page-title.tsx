"use client";

import { useT } from "@/i18n";

/** The document title of a page (React hoists <title> into the head). */
export function PageTitle({ title }: { title?: string }) {
  const t = useT();
  return <title>{title ? `${title} · ${t.brand}` : t.brand}</title>;
}
