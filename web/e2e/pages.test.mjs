// Every page: accessible (axe-core, WCAG 2.x A and AA: no serious or critical violation) in
// English and in Hindi, and pictured at phone and desktop widths for people to look at.
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { seriousViolations } from "./lib/axe.mjs";
import { DESKTOP, launchChromium, newDevice, PHONE, PHONE_UA } from "./lib/browser.mjs";
import { ARTIFACTS } from "./lib/env.mjs";
import { DEVICE_ID, openSettled, pagesOf, setUpSite } from "./lib/site.mjs";

let browser;
let site;
before(async () => {
  browser = await launchChromium();
  site = await setUpSite();
});
after(async () => {
  await browser?.close();
});

/** A context for `who` (a profile's language, "kids", or "anonymous" reading `language`). */
function deviceFor(who, language, viewport, userAgent) {
  const session = who === "anonymous" ? null : site.sessions[who];
  return newDevice(browser, { viewport, userAgent, session, language, storage: { "ott.device-id": DEVICE_ID } });
}

test("axe: no serious or critical violations on every page, in English and in Hindi", async () => {
  const problems = [];
  for (const language of ["en", "hi"]) {
    const devices = new Map();
    try {
      for (const [name, path, who] of pagesOf(site, language)) {
        if (who === "kids" && language !== "en") continue; // the kids profile speaks English
        if (!devices.has(who)) devices.set(who, await (await deviceFor(who, language, DESKTOP)).newPage());
        const page = devices.get(who);
        await openSettled(page, path);
        const lang = await page.evaluate(() => document.documentElement.lang);
        const expected = who === "kids" ? "en" : language;
        if (lang !== expected) problems.push(`${language} ${name}: <html lang="${lang}">, expected ${expected}`);
        for (const line of await seriousViolations(page)) problems.push(`${language} ${name}: ${line}`);
      }
    } finally {
      for (const page of devices.values()) await page.context().close();
    }
  }
  assert.deepEqual(problems, [], `accessibility problems:\n${problems.join("\n")}`);
});

test("screenshots of the main pages at phone and desktop widths", async () => {
  const folder = join(ARTIFACTS, "screenshots");
  mkdirSync(folder, { recursive: true });
  const shots = [
    ...pagesOf(site, "en").filter(([name]) => !["studio-new", "studio-import", "not-found", "reset-password", "plans", "signup"].includes(name)),
    ...pagesOf(site, "hi")
      .filter(([name]) => ["home", "title-series", "watch"].includes(name))
      .map(([name, path, who]) => [`${name}-hi`, path, who]),
  ];
  const blank = [];
  for (const [size, viewport, userAgent] of [["phone", PHONE, PHONE_UA], ["desktop", DESKTOP, undefined]]) {
    const devices = new Map();
    try {
      for (const [name, path, who] of shots) {
        const key = who;
        if (!devices.has(key)) devices.set(key, await (await deviceFor(who, who === "hi" ? "hi" : "en", viewport, userAgent)).newPage());
        const page = devices.get(key);
        await openSettled(page, path);
        const file = join(folder, `${name}-${size}.png`);
        await page.screenshot({ path: file });
        const words = await page.evaluate(() => document.body.innerText.trim().length);
        if (words < 20 || statSync(file).size < 5000) blank.push(`${name}-${size}`);
      }
    } finally {
      for (const page of devices.values()) await page.context().close();
    }
  }
  assert.deepEqual(blank, [], "every page shows something");
  console.log(`screenshots in ${folder}`);
});
