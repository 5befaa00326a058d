"use client";

import { useT, type Messages } from "@/i18n";

/**
 * The document title of a page, in the interface's language. React puts the <title> in the
 * head; the layout's metadata names none, so there is no other one. Render it outside the
 * page's <Suspense> so the static export's HTML has it too (`select` picks the words).
 */
export function PageTitle({ title, select }: { title?: string; select?: (t: Messages) => string }) {
  const t = useT();
  const words = title ?? select?.(t);
  return <title>{words ? `${words} · ${t.brand}` : t.brand}</title>;
}
