// Browser storage of the session: tokens (and the chosen profile) in localStorage, since a
// static export has no server to keep them; a Web Lock serialises refreshes across tabs.
import type { TokenStore, Tokens } from "@/api/client";
import type { Language } from "@/i18n";

const TOKENS_KEY = "ott.session";
const LANGUAGE_KEY = "ott.language";
const LOCK_NAME = "ott.refresh";

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy settings)
  }
}

function isTokens(value: unknown): value is Tokens {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === "string" &&
    typeof v.refreshToken === "string" &&
    (v.profileId === null || typeof v.profileId === "string")
  );
}

export const browserTokenStore: TokenStore = {
  read() {
    const raw = storage()?.getItem(TOKENS_KEY);
    if (!raw) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isTokens(parsed) ? parsed : null;
    } catch {
      return null;
    }
  },
  write(tokens) {
    const store = storage();
    if (tokens === null) store?.removeItem(TOKENS_KEY);
    else store?.setItem(TOKENS_KEY, JSON.stringify(tokens));
  },
};

export function isTokenKey(key: string | null): boolean {
  return key === null || key === TOKENS_KEY;
}

export async function acrossTabs<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return task();
  return locks.request(LOCK_NAME, task);
}

/** The interface language of a visitor who has not chosen a profile. */
export function storedLanguage(): Language | null {
  const value = storage()?.getItem(LANGUAGE_KEY);
  return value === "en" || value === "hi" ? value : null;
}

export function storeLanguage(language: Language): void {
  storage()?.setItem(LANGUAGE_KEY, language);
}
