// Media URLs carry their token in the path: /media/s/<token>/<expires>/videos/<owner>/<encoding>/<file>.
// Tokens expire (10 minutes by default) and every position report answers a fresh signed folder,
// so each later request gets the fresh /media/s/<token>/<expires>/ swapped in.

const SIGNED = /^\/media\/s\/([^/]+)\/([^/]+)\/(videos\/[^/]+\/[^/]+\/)/;

export interface SignedFolder {
  token: string;
  expires: string;
  /** videos/<owner>/<encoding>/: what the token is valid for. */
  scope: string;
}

/** The token, expiry and scope of a signed media URL or folder (absolute or path-only); null if unsigned. */
export function signedFolderOf(url: string): SignedFolder | null {
  const path = pathOf(url);
  const match = path === null ? null : SIGNED.exec(path);
  if (!match) return null;
  const [, token, expires, scope] = match as unknown as [string, string, string, string];
  return { token, expires, scope };
}

/**
 * `url` under the fresh folder's token when both name the same encoding's folder; otherwise
 * `url` unchanged (another encoding, a public file, an API URL).
 */
export function withFreshToken(url: string, fresh: SignedFolder | null): string {
  if (fresh === null) return url;
  const current = signedFolderOf(url);
  if (current === null || current.scope !== fresh.scope) return url;
  if (current.token === fresh.token && current.expires === fresh.expires) return url;
  const old = `/media/s/${current.token}/${current.expires}/${current.scope}`;
  const next = `/media/s/${fresh.token}/${fresh.expires}/${fresh.scope}`;
  const at = url.indexOf(old);
  return at < 0 ? url : url.slice(0, at) + next + url.slice(at + old.length);
}

/** Whether a request goes to the platform's API (it needs the bearer token). */
export function isApiUrl(url: string, origin: string): boolean {
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === new URL(origin).origin && parsed.pathname.startsWith("/api/");
  } catch {
    return false;
  }
}

function pathOf(url: string): string | null {
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}
