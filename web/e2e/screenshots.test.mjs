// Screenshots of the main pages at phone and desktop widths, for people to look at: in
// OTT_ARTIFACTS/screenshots (default web/e2e/artifacts/screenshots).
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { DESKTOP, launchChromium, PHONE, PHONE_UA } from "./lib/browser.mjs";
import { ARTIFACTS } from "./lib/env.mjs";
import { deviceFor, openSettled, pagesOf, setUpSite } from "./lib/site.mjs";

const MAIN = ["home", "browse", "search", "title-film", "title-series", "watch", "profiles", "account", "studio", "studio-edit", "home-kids", "signin"];
const IN_HINDI = ["home", "title-series"];

let browser;
let sites;
before(async () => {
  browser = await launchChromium();
  // An account for each width: each plays on its own, never taking the other's stream.
  sites = await Promise.all([setUpSite(), setUpSite()]);
});
after(async () => {
  await browser?.close();
});

/** Pictures of `shots` at one width; answers the ones that show next to nothing. */
async function photograph(site, size, viewport, userAgent, folder) {
  const shots = shotsOf(site);
  const empty = [];
  const pages = new Map();
  try {
    for (const [name, path, who] of shots) {
      if (!pages.has(who)) pages.set(who, await (await deviceFor(browser, site, who, { language: who === "hi" ? "hi" : "en", viewport, userAgent })).newPage());
      const page = pages.get(who);
      await openSettled(page, path);
      const file = join(folder, `${name}-${size}.png`);
      await page.screenshot({ path: file });
      const text = await page.evaluate(() => document.body.innerText.trim().length);
      if (text < 20 || statSync(file).size < 5000) empty.push(`${name}-${size}`);
    }
  } finally {
    for (const page of pages.values()) await page.context().close();
  }
  return empty;
}

function shotsOf(site) {
  return [
    ...pagesOf(site, "en").filter(([name]) => MAIN.includes(name)),
    ...pagesOf(site, "hi")
      .filter(([name]) => IN_HINDI.includes(name))
      .map(([name, path, who]) => [`${name}-hi`, path, who]),
  ];
}

test("screenshots of the main pages at phone and desktop widths", async (t) => {
  const folder = join(ARTIFACTS, "screenshots");
  mkdirSync(folder, { recursive: true });
  const empty = (
    await Promise.all([
      photograph(sites[0], "phone", PHONE, PHONE_UA, folder),
      photograph(sites[1], "desktop", DESKTOP, undefined, folder),
    ])
  ).flat();
  assert.deepEqual(empty, [], "every page shows something");
  t.diagnostic(`${shotsOf(sites[0]).length * 2} screenshots in ${folder}`);
});
