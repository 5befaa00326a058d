// The API client against a scripted fetch: tokens, the one serialised refresh, typed errors.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { compileApi } from "./compile.mjs";

const load = compileApi();
const { createApiClient, unwrap, succeed } = await load("client");
const { ApiError } = await load("errors");

function memoryStore(tokens) {
  let current = tokens;
  return { read: () => current, write: (next) => (current = next) };
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function authResult(n) {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: "bearer",
    expires_in: 900,
    refresh_expires_in: 604800,
    profile_id: "p1",
    user: { id: "u1", email: "a@example.com", subscription_tier: "free", subscription_expires_at: null, roles: ["viewer"], created_at: "2026-01-01T00:00:00Z" },
  };
}

/** A fake platform: `valid` is the access token it accepts; refreshes spend refresh tokens. */
function platform({ valid = "access-1", refreshDelay = 0 } = {}) {
  const state = { valid, refreshes: [], seen: [], spent: new Set(), next: 2 };
  async function fetch(request) {
    const url = new URL(request.url);
    const auth = request.headers.get("authorization");
    const body = request.method === "GET" ? null : await request.text();
    state.seen.push({ path: url.pathname, auth, body });
    if (url.pathname === "/api/auth/refresh") {
      const { refresh_token } = JSON.parse(body);
      state.refreshes.push(refresh_token);
      await new Promise((resolve) => setTimeout(resolve, refreshDelay));
      if (state.spent.has(refresh_token)) {
        return json(401, { error: { code: "refresh_token_reused", message: "spent", details: null } });
      }
      state.spent.add(refresh_token);
      const result = authResult(state.next++);
      state.valid = result.access_token;
      return json(200, result);
    }
    if (url.pathname === "/api/auth/login") {
      return json(401, { error: { code: "invalid_credentials", message: "no", details: null } });
    }
    if (auth !== `Bearer ${state.valid}`) {
      return json(401, { error: { code: "token_expired", message: "expired", details: null } }, { "x-correlation-id": "c-401" });
    }
    if (url.pathname === "/api/activity/watchlist" && request.method === "POST") {
      return json(201, { content_id: JSON.parse(body).content_id });
    }
    return json(200, { id: "u1", email: "a@example.com" });
  }
  return { state, fetch };
}

describe("the API client", () => {
  let store;
  beforeEach(() => {
    store = memoryStore({ accessToken: "access-1", refreshToken: "refresh-1", profileId: "p1" });
  });

  it("sends the bearer token", async () => {
    const server = platform();
    const { api } = createApiClient({ baseUrl: "http://ott.test", tokens: store, fetch: server.fetch });
    await unwrap(api.GET("/api/auth/me"));
    assert.equal(server.state.seen[0].auth, "Bearer access-1");
    assert.equal(server.state.refreshes.length, 0);
  });

  it("refreshes once on a 401 and repeats the request with its body", async () => {
    const server = platform({ valid: "access-0" });
    const results = [];
    const { api } = createApiClient({
      baseUrl: "http://ott.test",
      tokens: store,
      fetch: server.fetch,
      onAuthResult: (result) => results.push(result),
    });
    const data = await unwrap(api.POST("/api/activity/watchlist", { body: { content_id: "c1" } }));
    assert.deepEqual(data, { content_id: "c1" });
    assert.deepEqual(server.state.refreshes, ["refresh-1"]);
    const repeat = server.state.seen.at(-1);
    assert.equal(repeat.auth, "Bearer access-2");
    assert.equal(repeat.body, JSON.stringify({ content_id: "c1" }));
    assert.deepEqual(store.read(), { accessToken: "access-2", refreshToken: "refresh-2", profileId: "p1" });
    assert.equal(results.length, 1);
  });

  it("serialises concurrent refreshes: one refresh token spent for many 401s", async () => {
    const server = platform({ valid: "access-0", refreshDelay: 20 });
    const { api } = createApiClient({ baseUrl: "http://ott.test", tokens: store, fetch: server.fetch });
    const answers = await Promise.all(Array.from({ length: 5 }, () => unwrap(api.GET("/api/auth/me"))));
    assert.equal(answers.length, 5);
    assert.deepEqual(server.state.refreshes, ["refresh-1"]);
    const repeats = server.state.seen.filter((s) => s.path === "/api/auth/me" && s.auth === "Bearer access-2");
    assert.equal(repeats.length, 5);
  });

  it("serialises refreshes across clients sharing a store (tabs), through `exclusive`", async () => {
    const server = platform({ valid: "access-0", refreshDelay: 10 });
    let chain = Promise.resolve();
    const exclusive = (task) => {
      const run = chain.then(task);
      chain = run.catch(() => undefined);
      return run;
    };
    const tabs = [1, 2].map(() =>
      createApiClient({ baseUrl: "http://ott.test", tokens: store, fetch: server.fetch, exclusive }),
    );
    await Promise.all(tabs.map(({ api }) => unwrap(api.GET("/api/auth/me"))));
    // The second tab found fresh tokens in the store once it had the lock.
    assert.deepEqual(server.state.refreshes, ["refresh-1"]);
  });

  it("refreshes on demand (a plan change), through the same serialised refresh", async () => {
    const server = platform();
    const results = [];
    const client = createApiClient({
      baseUrl: "http://ott.test",
      tokens: store,
      fetch: server.fetch,
      onAuthResult: (result) => results.push(result),
    });
    const [first, second] = await Promise.all([client.refresh(), client.refresh()]);
    assert.equal(first, true);
    assert.equal(second, true);
    assert.deepEqual(server.state.refreshes, ["refresh-1"]);
    assert.equal(store.read().accessToken, "access-2");
    assert.equal(results.length, 1);
    store.write(null);
    assert.equal(await client.refresh(), false);
  });

  it("ends the session when the refresh is refused, and reports the 401", async () => {
    const server = platform({ valid: "access-0" });
    server.state.spent.add("refresh-1");
    let ended = 0;
    const { api } = createApiClient({
      baseUrl: "http://ott.test",
      tokens: store,
      fetch: server.fetch,
      onSessionEnded: () => ended++,
    });
    const error = await unwrap(api.GET("/api/auth/me")).catch((caught) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(error.code, "token_expired");
    assert.equal(error.correlationId, "c-401");
    assert.equal(store.read(), null);
    assert.equal(ended, 1);
  });

  it("does not refresh for a failed sign-in", async () => {
    const server = platform();
    const { api } = createApiClient({ baseUrl: "http://ott.test", tokens: store, fetch: server.fetch });
    const error = await unwrap(
      api.POST("/api/auth/login", { body: { email: "a@example.com", password: "x" } }),
    ).catch((caught) => caught);
    assert.equal(error.code, "invalid_credentials");
    assert.equal(server.state.refreshes.length, 0);
  });

  it("turns the platform's error body into an ApiError with field problems", async () => {
    const fetch = async () =>
      json(422, {
        error: {
          code: "weak_password",
          message: "The password is too weak",
          details: [{ field: "body.password", message: "The password must be at least 8 characters" }],
        },
      });
    const { api } = createApiClient({ baseUrl: "http://ott.test", tokens: memoryStore(null), fetch });
    const error = await unwrap(
      api.POST("/api/auth/register", { body: { email: "a@example.com", password: "x" } }),
    ).catch((caught) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 422);
    assert.equal(error.code, "weak_password");
    assert.deepEqual(error.fieldProblems, [
      { field: "password", message: "The password must be at least 8 characters" },
    ]);
  });

  it("reports an unreachable platform as a network error, and a 204 as success", async () => {
    const down = createApiClient({
      baseUrl: "http://ott.test",
      tokens: store,
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    });
    const error = await unwrap(down.api.GET("/api/auth/me")).catch((caught) => caught);
    assert.equal(error.code, "network");
    assert.equal(error.status, 0);

    const up = createApiClient({
      baseUrl: "http://ott.test",
      tokens: store,
      fetch: async () => new Response(null, { status: 204 }),
    });
    await succeed(up.api.POST("/api/auth/logout"));
  });
});
