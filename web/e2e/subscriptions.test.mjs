// Subscriptions in the browser: a free viewer upgrades through the plans page and the
// development checkout (no ads after it, a rung above the free cap offered); a subscription
// whose renewals fail goes through the grace period (the banner, "payment failed") to the
// hold, where the viewer is back on the ad-supported tier (ads again). The platform runs the
// subscription jobs every SUBSCRIPTION_JOB_INTERVAL_SECONDS; POST /dev/advance moves the
// subscription's dates back so that the next run finds them due.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { activateCampaign, adminToken, endCampaign, pauseCampaign, servingAdsAlone, sportsCampaign, waitForAd } from "./lib/ads.mjs";
import { call, newAccount } from "./lib/api.mjs";
import { DESKTOP, crashesOf, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { everyTitle, playableTitle } from "./lib/catalog.mjs";
import { assertPlays } from "./lib/video.mjs";
import { eventually } from "./lib/wait.mjs";

const FREE_MAX_HEIGHT = 720;
const GRACE_DAYS = Number(process.env.OTT_E2E_GRACE_DAYS || 1);

let browser;
let campaign;
let token;
before(async () => {
  browser = await launchChromium();
  token = await adminToken();
  // Sports titles get a campaign of this file's (active only while a flow here needs it).
  campaign = sportsCampaign(token, { name: `e2e lapse ${Date.now()}`, seconds: 5 });
  campaign.catch(() => undefined);
});
after(async () => {
  await browser?.close();
  const made = await campaign.catch(() => null);
  if (made) await endCampaign(token, made.id);
});

/** The heights a playback start offers `token`'s account for `contentId` (the session is stopped again). */
async function offeredHeights(token, contentId) {
  const start = await call("/api/stream/playback/start", {
    token,
    body: { content_id: contentId, format: "hls", device: { id: randomUUID(), type: "web", name: "e2e probe" } },
  });
  await call(`/api/stream/sessions/${start.session_id}`, { token, method: "DELETE" }).catch(() => undefined);
  return start.qualities.map((quality) => quality.height);
}

/** Plans page → a plan's button → the development checkout paid with `card`; ends on the account page. */
async function subscribe(page, { card, plan = "premium-monthly" }) {
  await page.goto("/plans/");
  const chosen = page.locator(`[data-testid="plan"][data-plan="${plan}"]`);
  await chosen.getByTestId("plan-choose").click();
  await page.waitForURL(/\/checkout\/\?reference=/);
  await page.getByTestId("checkout-plan").waitFor();
  await page.getByRole("button", { name: `Use ${card}` }).click();
  await page.getByTestId("checkout-pay").click();
  await page.waitForURL(/\/account\/\?checkout=/);
}

async function advance(token, days) {
  return call("/api/subscriptions/dev/advance", { token, body: { days } });
}

async function entitlement(token) {
  return call("/api/subscriptions/entitlements", { token });
}

test("upgrading through the development checkout: no ads, and a rung above the free cap", async (t) => {
  const account = await newAccount("upgrade");
  const [sports, films] = await Promise.all([playableTitle({ type: "sports" }), everyTitle({ query: "&type=movie" })]);
  const device = await newDevice(browser, { viewport: DESKTOP, session: account.session });
  try {
    await keepingPicturesOnFailure(t.name, [device], async () => {
      const page = await device.newPage();
      const crashes = crashesOf(page);
      await page.goto("/plans/");
      await page.locator('[data-testid="plan"][data-plan="free"][data-current]').waitFor();
      await subscribe(page, { card: "4242 4242 4242 4242" });
      const card = page.getByTestId("subscription");
      await card.waitFor();
      assert.equal(await card.getAttribute("data-status"), "trialing");
      assert.match(await page.getByTestId("subscription-line").innerText(), /Free trial until/);
      assert.equal((await entitlement(account.token)).ads, false);

      // A title with an active campaign plays without a break.
      const made = await campaign;
      await servingAdsAlone(async () => {
        await activateCampaign(token, made.id);
        await page.goto(`/watch/?id=${sports.id}`);
        await assertPlays(page);
        assert.equal(await page.getByTestId("player-break").count(), 0, "no ad break for a Premium viewer");
        await pauseCampaign(token, made.id);
      });

      // The demo film encoded above the free cap: its higher rung is in the quality menu.
      let tall = null;
      for (const film of films.filter((f) => f.playable && !f.locked)) {
        const heights = await offeredHeights(account.token, film.id);
        if (Math.max(...heights) > FREE_MAX_HEIGHT) {
          tall = { film, height: Math.max(...heights) };
          break;
        }
      }
      assert.ok(tall, "a playable film has a rung above the free cap");
      await page.goto(`/watch/?id=${tall.film.id}`);
      await assertPlays(page);
      await page.getByTestId("player").hover();
      await page.getByTestId("player-quality").click();
      const names = await page.locator('[data-testid^="player-quality-level-"]').allInnerTexts();
      assert.ok(
        names.some((name) => Number.parseInt(name, 10) > FREE_MAX_HEIGHT),
        `the quality menu offers a rung above ${FREE_MAX_HEIGHT}p: ${names.join(", ")}`,
      );
      assert.deepEqual(crashes, []);
    });
  } finally {
    await device.close();
  }
});

test("renewals that fail: the grace period's banner, then the hold and ads again", async (t) => {
  const account = await newAccount("lapse");
  const sports = await playableTitle({ type: "sports" });
  const device = await newDevice(browser, { viewport: DESKTOP, session: account.session });
  try {
    await keepingPicturesOnFailure(t.name, [device], async () => {
      const page = await device.newPage();
      await subscribe(page, { card: "4000 0000 0000 0341" });
      await page.getByTestId("subscription").waitFor();
      assert.equal((await entitlement(account.token)).tier, "premium");

      // Past the trial: the renewal's charge fails, the grace period starts.
      await advance(account.token, 8);
      await eventually(async () => (await entitlement(account.token)).reason === "grace_period", {
        timeout: 60_000,
        interval: 1000,
        what: "the failed renewal to start the grace period",
      });
      await page.goto("/account/");
      const banner = page.getByTestId("payment-banner");
      await banner.waitFor();
      assert.equal(await banner.getAttribute("data-reason"), "grace_period");
      assert.match(await banner.innerText(), /payment failed/i);
      assert.match(await page.getByTestId("subscription-line").innerText(), /Payment failed: update your payment by/);
      assert.equal((await entitlement(account.token)).tier, "premium", "the plan is kept in the grace period");

      // Past the grace period: on hold, the ad-supported tier.
      await advance(account.token, GRACE_DAYS + 1);
      await eventually(async () => (await entitlement(account.token)).reason === "payment_hold", {
        timeout: 60_000,
        interval: 1000,
        what: "the grace period to end in the hold",
      });
      const held = await entitlement(account.token);
      assert.equal(held.tier, "free");
      assert.equal(held.ads, true);
      await page.goto("/account/");
      await page.locator('[data-testid="payment-banner"][data-reason="payment_hold"]').waitFor();
      assert.equal(await page.getByTestId("subscription").getAttribute("data-status"), "unpaid");

      const made = await campaign;
      await servingAdsAlone(async () => {
        await activateCampaign(token, made.id);
        await page.goto(`/watch/?id=${sports.id}`);
        const label = await waitForAd(page);
        assert.match(label, /^Ad/);
        await pauseCampaign(token, made.id);
      });
    });
  } finally {
    await device.close();
  }
});
