// Where the browser tests point: the platform under test, the browser, where pictures go.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The platform (gateway: the web app and its API on one origin), without a trailing slash. */
export const BASE_URL = (process.env.OTT_BASE_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = process.env.OTT_CHROMIUM || "/usr/bin/chromium";

/** Screenshots and failure pictures. */
export const ARTIFACTS = resolve(process.env.OTT_ARTIFACTS || join(here, "..", "artifacts"));

/** An admin account of the platform (`ott create-admin`), for the editorial flow. */
export function adminCredentials() {
  const email = process.env.OTT_ADMIN_EMAIL;
  const password = process.env.OTT_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error(
      "OTT_ADMIN_EMAIL and OTT_ADMIN_PASSWORD must name an admin of the platform under test " +
        "(ott create-admin EMAIL --password P): the editorial flow needs one to give roles and publish",
    );
  }
  return { email, password };
}

/** FFmpeg, for the short video the editor uploads (the platform's own setting, else PATH). */
export const FFMPEG = process.env.FFMPEG_BINARY || "ffmpeg";

/** How long to wait for a video to be transcoded (a busy 2-core machine is slow). */
export const TRANSCODE_TIMEOUT_MS = Number(process.env.OTT_E2E_TRANSCODE_TIMEOUT_MS || 240_000);
