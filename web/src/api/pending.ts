// Account routes the auth service is adding (sessions and devices, password change), typed by
// hand until they are in the committed openapi.json snapshot; then regenerate schema.d.ts and
// move their callers to `api` (this file goes away).
import type { ApiClient } from "./client";
import { errorFromResponse, networkError } from "./errors";

export interface AuthSession {
  id: string;
  /** What signed in, from its User-Agent: "Chrome on Android". */
  device: string;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  /** The session of the token that asked. */
  current: boolean;
}

async function call(client: ApiClient, path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await client.fetch(path, init);
  } catch (cause) {
    throw networkError(cause);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    throw errorFromResponse(response, body);
  }
  return response;
}

export async function listSessions(client: ApiClient, signal?: AbortSignal): Promise<AuthSession[]> {
  const response = await call(client, "/api/auth/sessions", { signal });
  return (await response.json()) as AuthSession[];
}

export async function endSession(client: ApiClient, sessionId: string): Promise<void> {
  await call(client, `/api/auth/sessions/${encodeURIComponent(sessionId)}`, { method: "DELETE" });
}

export async function changePassword(
  client: ApiClient,
  body: { current_password: string; new_password: string },
): Promise<void> {
  await call(client, "/api/auth/password", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
