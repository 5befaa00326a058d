// A kids profile never sees an adult title: not on the home page or in browse, not in search,
// not by the title's own URL.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { call, newAccount, selectProfile } from "./lib/api.mjs";
import { crashesOf, DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { everyTitle, searchIds } from "./lib/catalog.mjs";

const KIDS_RATINGS = new Set(["G", "PG"]);
const ADULT_RATINGS = new Set(["R", "NC-17"]);

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The ids of the titles a page links to, once its lists have loaded. */
async function linkedTitleIds(page) {
  await page.locator('main a[href^="/title/?id="]').first().waitFor();
  await page.waitForLoadState("networkidle");
  const hrefs = await page.locator('main a[href^="/title/?id="]').evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  return hrefs.map((href) => new URLSearchParams(href.split("?")[1]).get("id"));
}

test("a kids profile never sees an adult title, in lists, search or by its URL", async (t) => {
  // The parent's own profile, allowed everything, shows what there is to hide.
  const parent = await newAccount("parent", { profileName: "Anjali" });
  await call(`/api/auth/profiles/${parent.profileId}`, { token: parent.token, method: "PUT", body: { maturity_rating: "NC-17" } });
  const grownUp = (await selectProfile(parent.token, parent.profileId)).access_token;
  const catalog = await everyTitle({ token: grownUp });
  const ratingOf = new Map(catalog.map((title) => [title.id, title.maturity_rating]));
  const adult = catalog.find((title) => ADULT_RATINGS.has(title.maturity_rating) && !title.locked);
  assert.ok(adult, "the catalog has an adult title");
  assert.ok((await searchIds(adult.title, { token: grownUp })).has(adult.id), "a grown-up's search finds it");

  const device = await newDevice(browser, { viewport: DESKTOP, session: parent.session });
  try {
    await keepingPicturesOnFailure(t.name, [device], async () => {
      const page = await device.newPage();
      const crashes = crashesOf(page);
      const assertOnlyKidsTitles = (ids, where) => {
        assert.ok(ids.length > 0, `${where} lists titles`);
        assert.ok(!ids.includes(adult.id), `${where} does not list ${adult.title}`);
        const wrong = ids.filter((id) => !KIDS_RATINGS.has(ratingOf.get(id)));
        assert.deepEqual(wrong.map((id) => `${id} (${ratingOf.get(id)})`), [], `${where} lists only G and PG titles`);
      };

      // The kids profile, made and chosen in the picker.
      await page.goto("/profiles/");
      await page.getByRole("button", { name: "Add profile" }).click();
      const form = page.getByRole("dialog", { name: "Add a profile" });
      await form.getByLabel("Name").fill("Chintu");
      await form.getByLabel("Kids profile").check();
      await form.getByRole("button", { name: "Save" }).click();
      await form.waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Watch as Chintu" }).click();
      await page.waitForURL((url) => url.pathname === "/");
      await page.getByRole("button", { name: "Profile menu of Chintu" }).waitFor();

      assertOnlyKidsTitles(await linkedTitleIds(page), "the home page");
      await page.getByRole("link", { name: "Browse", exact: true }).first().click();
      await page.waitForURL((url) => url.pathname === "/browse/");
      assertOnlyKidsTitles(await linkedTitleIds(page), "browse");

      await page.getByRole("link", { name: "Search" }).first().click();
      await page.getByLabel("Search titles, people and genres").fill(adult.title);
      await page.getByRole("heading", { name: `Results for “${adult.title}”` }).or(page.getByText(`Nothing found for “${adult.title}”`)).first().waitFor();
      await page.waitForLoadState("networkidle");
      const found = await page.locator('main a[href^="/title/?id="]').evaluateAll((links) => links.map((a) => new URLSearchParams(a.getAttribute("href").split("?")[1]).get("id")));
      assert.ok(!found.includes(adult.id), `search does not find ${adult.title}`);
      assert.deepEqual(found.filter((id) => !KIDS_RATINGS.has(ratingOf.get(id))), [], "search finds only G and PG titles");

      // By its URL: the title page and the player say it is not there.
      await page.goto(`/title/?id=${adult.id}`);
      await page.getByRole("alert").getByText("We could not find that").waitFor();
      assert.equal(await page.getByRole("heading", { name: adult.title }).count(), 0, "the title page shows nothing of it");
      await page.goto(`/watch/?id=${adult.id}`);
      await page.getByRole("alert").getByText("We could not find that").waitFor();
      assert.equal(await page.locator('[data-testid="player"] video').count(), 0, "no player for it");
      assert.deepEqual(crashes, [], "no uncaught errors in the page");
    });
  } finally {
    await device.close();
  }
});
