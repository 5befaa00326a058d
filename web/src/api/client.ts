// The one typed client of the platform's API (openapi-fetch over the generated schema).
// Framework-free so a mobile app can share it: storage and cross-context locking are passed in.
//
// - attaches the bearer token of the TokenStore to every request;
// - on a 401 refreshes once (POST /api/auth/refresh) and repeats the request. The refresh
//   token is single use (presenting a spent one revokes the session), so concurrent
//   refreshes are serialised: one in flight per client, and `exclusive` (a Web Lock in
//   browsers) serialises clients sharing one store, e.g. two tabs;
// - `unwrap` turns an answer into its data or throws an ApiError.
import createClient, { type Client } from "openapi-fetch";

import { ApiError, errorFromResponse, networkError } from "./errors";
import type { components, paths } from "./schema";

export type AuthResult = components["schemas"]["AuthResult"];

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  profileId: string | null;
}

export interface TokenStore {
  read(): Tokens | null;
  write(tokens: Tokens | null): void;
}

export interface ApiClientOptions {
  /** Origin of the gateway; "" (the default) for the page's own origin. */
  baseUrl?: string;
  tokens: TokenStore;
  fetch?: (request: Request) => Promise<Response>;
  /** Runs a task while no other client sharing the store runs one (default: just runs it). */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
  /** Fresh tokens and account from a sign-in, a profile choice or a refresh. */
  onAuthResult?: (result: AuthResult) => void;
  /** The session can no longer be refreshed (it ended or was revoked): tokens are cleared. */
  onSessionEnded?: () => void;
}

export type Api = Client<paths>;

export interface ApiClient {
  api: Api;
  /**
   * The same authorised fetch (token, refresh) for what the schema does not describe: bodies
   * that are not JSON (tus uploads) and routes newer than the committed snapshot.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Keep the tokens of a sign-in, sign-up, profile selection or refresh. */
  accept(result: AuthResult): void;
  /**
   * New tokens now (the same one serialised refresh as after a 401): after the account's plan
   * changed, so that its tier in the access token (and the account) is the new one.
   * Resolves false when there is no session or it could not be refreshed.
   */
  refresh(): Promise<boolean>;
  /** Forget the tokens (after sign-out). */
  forget(): void;
}

// Routes where a 401 means wrong credentials or a spent token, not an expired access token.
const NO_REFRESH = [
  "/api/auth/login",
  "/api/auth/register",
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/auth/password-reset",
];

export function tokensOf(result: AuthResult): Tokens {
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token,
    profileId: result.profile_id ?? null,
  };
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const store = options.tokens;
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const exclusive = options.exclusive ?? (<T>(task: () => Promise<T>) => task());
  let refreshing: Promise<Tokens | Response> | null = null;

  function accept(result: AuthResult): void {
    store.write(tokensOf(result));
    options.onAuthResult?.(result);
  }

  function forget(): void {
    store.write(null);
  }

  async function refreshOnce(staleAccessToken: string): Promise<Tokens | Response> {
    return exclusive(async () => {
      const current = store.read();
      if (current === null) return new Response(null, { status: 401 });
      // Another client (tab) refreshed while this one waited for the lock.
      if (current.accessToken !== staleAccessToken) return current;
      const answer = await send(
        new Request(`${baseUrl}/api/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refreshToken }),
        }),
      );
      if (answer.ok) {
        const result = (await answer.json()) as AuthResult;
        accept(result);
        return tokensOf(result);
      }
      if (answer.status === 401) {
        forget();
        options.onSessionEnded?.();
      }
      return answer;
    });
  }

  function refresh(staleAccessToken: string): Promise<Tokens | Response> {
    refreshing ??= refreshOnce(staleAccessToken).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function authorised(request: Request, tokens: Tokens | null): Request {
    if (tokens !== null && !request.headers.has("authorization")) {
      request.headers.set("authorization", `Bearer ${tokens.accessToken}`);
    }
    return request;
  }

  async function authFetch(request: Request): Promise<Response> {
    const path = new URL(request.url, "http://placeholder.invalid").pathname;
    const refreshable = !NO_REFRESH.some((prefix) => path.startsWith(prefix));
    const sent = store.read();
    // A clone keeps the body for the one repeat after a refresh.
    const repeat = refreshable && sent !== null ? request.clone() : null;
    const first = await send(authorised(request, sent));
    if (first.status !== 401 || repeat === null || sent === null) return first;
    const outcome = await refresh(sent.accessToken);
    if (outcome instanceof Response) return outcome.status === 401 ? first : outcome;
    return send(authorised(repeat, outcome));
  }

  const api = createClient<paths>({ baseUrl, fetch: authFetch });
  const fetchPath = (path: string, init?: RequestInit) => authFetch(new Request(`${baseUrl}${path}`, init));
  const refreshNow = async (): Promise<boolean> => {
    const current = store.read();
    if (current === null) return false;
    const outcome = await refresh(current.accessToken);
    return !(outcome instanceof Response);
  };
  return { api, fetch: fetchPath, accept, forget, refresh: refreshNow };
}

interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

async function settle<D>(call: Promise<Answer<D>>): Promise<Answer<D>> {
  try {
    return await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw networkError(cause);
  }
}

/** The data of a successful answer; an ApiError for anything else. */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  const answer = await settle(call);
  if (!answer.response.ok) throw errorFromResponse(answer.response, answer.error);
  return answer.data as D;
}

/** For answers without a body (204): resolves, or throws an ApiError. */
export async function succeed(call: Promise<Answer<unknown>>): Promise<void> {
  const answer = await settle(call);
  if (!answer.response.ok) throw errorFromResponse(answer.response, answer.error);
}
