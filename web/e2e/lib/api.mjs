// The platform's API from Node, for what a test sets up or looks up around the browser: the
// accounts and roles of a flow, which titles exist. What a person does goes through the pages.
import { randomUUID } from "node:crypto";

import { BASE_URL } from "./env.mjs";

export const PASSWORD = "Browser-Tests-2026!";

export class ApiFailure extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: ${status} ${body}`);
    this.status = status;
    this.body = body;
  }
}

/** A caller of the API at `base`: `call(path, {token, body, method})` answers the JSON (null for 204). */
export function apiAt(base = BASE_URL) {
  return async function call(path, { token, body, method } = {}) {
    const verb = method ?? (body === undefined ? "GET" : "POST");
    const response = await fetch(`${base}${path}`, {
      method: verb,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new ApiFailure(verb, path, response.status, text);
    return text ? JSON.parse(text) : null;
  };
}

export const call = apiAt();

/** What the web app keeps in localStorage ("ott.session") for a sign-in or profile choice. */
export function sessionOf(result) {
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token,
    profileId: result.profile_id ?? null,
  };
}

export function uniqueEmail(tag) {
  return `${tag}-${randomUUID().slice(0, 12)}@example.com`;
}

/** A new account (free plan) with its first profile; `session` watches as that profile. */
export async function newAccount(tag, { profileName = "Asha", api = call } = {}) {
  const email = uniqueEmail(tag);
  const registered = await api("/api/auth/register", {
    body: { email, password: PASSWORD, profile_name: profileName },
  });
  return {
    email,
    password: PASSWORD,
    userId: registered.user.id,
    profileId: registered.profile_id,
    token: registered.access_token,
    session: sessionOf(registered),
  };
}

export async function signIn(email, password, { api = call } = {}) {
  return api("/api/auth/login", { body: { email, password } });
}

/** Tokens for watching as `profileId` (the access token of any session of the account). */
export async function selectProfile(token, profileId, { api = call } = {}) {
  return api(`/api/auth/profiles/${profileId}/select`, { token, body: {} });
}

/** Gives an account roles (as an admin); its sessions end, so it signs in again afterwards. */
export async function setRoles(adminToken, userId, roles, { api = call } = {}) {
  return api(`/api/auth/users/${userId}/roles`, { token: adminToken, method: "PUT", body: { roles } });
}

/** Signs in and chooses the account's first profile: the session a browser would keep. */
export async function signInAsFirstProfile(email, password, { api = call } = {}) {
  const { access_token: token } = await signIn(email, password, { api });
  const [profile] = await api("/api/auth/profiles", { token });
  return sessionOf(await selectProfile(token, profile.id, { api }));
}
