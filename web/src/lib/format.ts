import type { Messages } from "@/i18n";

/** "1 h 52 min" from minutes (or seconds when that is all there is). */
export function formatDuration(
  t: Messages,
  minutes: number | null | undefined,
  seconds?: number | null,
): string | null {
  const total = minutes ?? (seconds ? Math.max(1, Math.round(seconds / 60)) : null);
  if (!total) return null;
  if (total < 60) return t.common.minutes(total);
  return t.common.hoursMinutes(Math.floor(total / 60), total % 60);
}

/** A language tag (`hi`, `en-IN`) in the interface's language. */
export function languageName(tag: string, uiLanguage: string): string {
  try {
    return new Intl.DisplayNames([uiLanguage], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
