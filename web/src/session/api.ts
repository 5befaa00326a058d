// The browser's one API client: tokens in localStorage, refreshes serialised across tabs,
// and the visitor's language sent to the catalog while no profile (whose token names it) is chosen.
import { createApiClient, type AuthResult } from "@/api/client";
import type { Language } from "@/i18n";

import { acrossTabs, browserTokenStore } from "./storage";

export type SessionEvent = { type: "auth"; result: AuthResult } | { type: "ended" };

const listeners = new Set<(event: SessionEvent) => void>();
let visitorLanguage: Language = "en";

export function onSessionEvent(listener: (event: SessionEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setVisitorLanguage(language: Language): void {
  visitorLanguage = language;
}

function send(request: Request): Promise<Response> {
  if (!request.headers.has("accept-language")) {
    request.headers.set("accept-language", visitorLanguage === "hi" ? "hi-IN,hi;q=0.9" : "en-IN,en;q=0.9");
  }
  return fetch(request);
}

export const client = createApiClient({
  tokens: browserTokenStore,
  exclusive: acrossTabs,
  fetch: send,
  onAuthResult: (result) => listeners.forEach((listener) => listener({ type: "auth", result })),
  onSessionEnded: () => listeners.forEach((listener) => listener({ type: "ended" })),
});

export const api = client.api;
