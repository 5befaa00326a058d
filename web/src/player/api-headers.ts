import { browserTokenStore } from "@/session/storage";

import { isApiUrl } from "./media-token";

/** The bearer token for requests to the platform's API (a playback session's manifest). */
export function apiRequestHeaders(url: string): Record<string, string> | null {
  if (!isApiUrl(url, window.location.origin)) return null;
  const token = browserTokenStore.read()?.accessToken;
  return token ? { Authorization: `Bearer ${token}` } : null;
}
