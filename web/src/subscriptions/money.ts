// Prices: exact decimals from the API ("299.00") shown in the viewer's language, and which of
// a plan's currencies a viewer sees.
import type { Currency } from "@/api/types";
import type { Language } from "@/i18n";

const LOCALES: Record<Language, string> = { en: "en-IN", hi: "hi-IN" };
const CHOSEN_KEY = "ott.currency";

/** "₹299", "$7.99": whole amounts without decimals. */
export function formatMoney(amount: string, currency: Currency, language: Language): string {
  const value = Number(amount);
  const whole = Number.isInteger(value);
  return new Intl.NumberFormat(LOCALES[language], {
    style: "currency",
    currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(value);
}

/** Whether this browser looks Indian (its time zone or languages): rupees, else dollars. */
export function looksIndian(env: { timeZone?: string; languages?: readonly string[] } = browserEnv()): boolean {
  if (env.timeZone === "Asia/Kolkata" || env.timeZone === "Asia/Calcutta") return true;
  return (env.languages ?? []).some((tag) => /^hi\b/i.test(tag) || /-IN$/i.test(tag));
}

function browserEnv(): { timeZone?: string; languages?: readonly string[] } {
  if (typeof navigator === "undefined") return {};
  return { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, languages: navigator.languages };
}

/**
 * The currency to show among `offered`: the subscription's own, else the one chosen here
 * before, else INR for India and USD elsewhere, else the first offered.
 */
export function preferredCurrency(
  offered: readonly Currency[],
  { subscription = null, chosen = storedCurrency(), indian = looksIndian() }: {
    subscription?: Currency | null;
    chosen?: Currency | null;
    indian?: boolean;
  } = {},
): Currency | null {
  for (const candidate of [subscription, chosen, indian ? "INR" : "USD"] as const) {
    if (candidate && offered.includes(candidate)) return candidate;
  }
  return offered[0] ?? null;
}

export function storedCurrency(): Currency | null {
  try {
    const value = typeof localStorage === "undefined" ? null : localStorage.getItem(CHOSEN_KEY);
    return value === "INR" || value === "USD" ? value : null;
  } catch {
    return null;
  }
}

export function storeCurrency(currency: Currency): void {
  try {
    localStorage.setItem(CHOSEN_KEY, currency);
  } catch {
    // private mode: the choice lasts this page
  }
}
