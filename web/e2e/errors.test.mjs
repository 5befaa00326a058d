// When the API fails, pages say so in words and offer a way on: never a blank screen.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { newAccount } from "./lib/api.mjs";
import { crashesOf, DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";

let browser;
let viewer;
before(async () => {
  browser = await launchChromium();
  viewer = await newAccount("errors", { profileName: "Meena" });
});
after(async () => {
  await browser?.close();
});

async function withPage(name, body) {
  const device = await newDevice(browser, { viewport: DESKTOP, session: viewer.session });
  try {
    await keepingPicturesOnFailure(name, [device], async () => {
      const page = await device.newPage();
      const crashes = crashesOf(page);
      await body(page);
      assert.deepEqual(crashes, [], "no uncaught errors in the page");
    });
  } finally {
    await device.close();
  }
}

test("an unknown title id: the title page says it was not found", async (t) => {
  await withPage(t.name, async (page) => {
    const id = randomUUID();
    const answered = page.waitForResponse((r) => r.url().includes(`/api/catalog/content/${id}`));
    await page.goto(`/title/?id=${id}`);
    assert.equal((await answered).status(), 404);
    const alert = page.getByRole("alert");
    await alert.getByText("Something went wrong").waitFor();
    await alert.getByText("We could not find that. It may have been removed or is not available here.").waitFor();
    await page.getByRole("banner").getByRole("link", { name: "Browse", exact: true }).first().waitFor();
  });
});

test("the catalog answering 503: browse says the service is busy, and Try again recovers", async (t) => {
  await withPage(t.name, async (page) => {
    // The platform's own answer when a store is down (README "What degrades").
    const unavailable = (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "store_unavailable", message: "PostgreSQL is unavailable", details: null } }),
      });
    await page.route("**/api/catalog/**", unavailable);
    await page.goto("/browse/");
    const alert = page.getByRole("alert").filter({ hasText: "The service is busy or briefly unavailable" }).first();
    await alert.waitFor();
    assert.equal(await page.locator('main a[href^="/title/?id="]').count(), 0);

    await page.unroute("**/api/catalog/**", unavailable);
    await alert.getByRole("button", { name: "Try again" }).click();
    await page.locator('main a[href^="/title/?id="]').first().waitFor();
  });
});

test("no network: the home page says the service cannot be reached", async (t) => {
  await withPage(t.name, async (page) => {
    await page.route("**/api/**", (route) => route.abort("internetdisconnected"));
    await page.goto("/");
    await page.getByRole("alert").filter({ hasText: "The service could not be reached" }).first().waitFor();
  });
});
