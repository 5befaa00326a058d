// Every page accessible (axe-core, WCAG 2.x A and AA: no serious or critical violation), in
// English and in Hindi.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { seriousViolations } from "./lib/axe.mjs";
import { DESKTOP, keepPicture, launchChromium } from "./lib/browser.mjs";
import { deviceFor, openSettled, pagesOf, setUpSite } from "./lib/site.mjs";

let browser;
let sites;
before(async () => {
  browser = await launchChromium();
  // An account for each language: each plays on its own, never taking the other's stream.
  sites = await Promise.all([setUpSite(), setUpSite()]);
});
after(async () => {
  await browser?.close();
});

/** The problems of every page in `language` (its kids and anonymous pages too). */
async function problemsIn(language, site) {
  const problems = [];
  const pages = new Map();
  try {
    for (const [name, path, who] of pagesOf(site, language)) {
      if (who === "kids" && language !== "en") continue; // the kids profile speaks English
      if (!pages.has(who)) pages.set(who, await (await deviceFor(browser, site, who, { language, viewport: DESKTOP })).newPage());
      const page = pages.get(who);
      try {
        await openSettled(page, path);
      } catch (error) {
        problems.push(`${language} ${name}: the page did not settle: ${error.message.split("\n")[0]}`);
        await keepPicture(page, `accessibility-${language}-${name}`);
        continue;
      }
      const expected = who === "kids" ? "en" : language;
      // Hindi's catalogue is a chunk of its own: the page shows (and declares) English until
      // it has come.
      await page
        .waitForFunction((wanted) => document.documentElement.lang === wanted, expected, { timeout: 10_000 })
        .catch(() => undefined); // then reported below
      const lang = await page.evaluate(() => document.documentElement.lang);
      if (lang !== expected) problems.push(`${language} ${name}: <html lang="${lang}">, expected ${expected}`);
      for (const line of await seriousViolations(page)) problems.push(`${language} ${name}: ${line}`);
    }
  } finally {
    for (const page of pages.values()) await page.context().close();
  }
  return problems;
}

test("axe: no serious or critical violations on every page, in English and in Hindi", async () => {
  // Both languages at once: a renderer each.
  const problems = (await Promise.all([problemsIn("en", sites[0]), problemsIn("hi", sites[1])])).flat();
  assert.deepEqual(problems, [], `accessibility problems:\n${problems.join("\n")}`);
});
