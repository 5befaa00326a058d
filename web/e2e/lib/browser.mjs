// Debian's Chromium through playwright-core, and browser contexts signed in as a test's
// accounts (the web app keeps its session in localStorage, so a context starts with it there).
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

import { ARTIFACTS, BASE_URL, CHROMIUM } from "./env.mjs";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--mute-audio",
  // The player starts playing on its own once the session is there, as after a click on Play.
  "--autoplay-policy=no-user-gesture-required",
];

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * A context (one browser profile: one device) of the platform's origin (`base`). `session` is what the
 * app stores for a sign-in (api.mjs sessionOf), `language` the interface language of a visitor
 * without a profile; `storage` more localStorage entries.
 */
export async function newDevice(browser, { base = BASE_URL, viewport = DESKTOP, session = null, language = null, userAgent, storage = {} } = {}) {
  const localStorage = Object.entries(storage).map(([name, value]) => ({ name, value }));
  if (session) localStorage.push({ name: "ott.session", value: JSON.stringify(session) });
  if (language) localStorage.push({ name: "ott.language", value: language });
  const context = await browser.newContext({
    baseURL: base,
    viewport,
    deviceScaleFactor: 1,
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    userAgent,
    isMobile: viewport.width < 600 && Boolean(userAgent),
    hasTouch: viewport.width < 600 && Boolean(userAgent),
    storageState: { cookies: [], origins: [{ origin: base, localStorage }] },
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/** Uncaught exceptions in a page: none is what a working page has. */
export function crashesOf(page) {
  const crashes = [];
  page.on("pageerror", (error) => crashes.push(`${error.message} ${(error.stack ?? "").split("\n").slice(1, 4).join(" ")}`.trim()));
  return crashes;
}

/** A picture of `page` in artifacts/failures/, named `name`. */
export async function keepPicture(page, name) {
  const folder = join(ARTIFACTS, "failures");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  console.error(`failure picture: ${file} (${page.url()})`);
}

/**
 * Runs `body`; if it throws, a picture of every page still open in `contexts` is kept in
 * artifacts/failures/ (named after the test) before the error goes on.
 */
export async function keepingPicturesOnFailure(name, contexts, body) {
  try {
    return await body();
  } catch (error) {
    let n = 0;
    for (const context of contexts) {
      for (const page of context.pages()) await keepPicture(page, `${name}-${++n}`);
    }
    throw error;
  }
}
