// Ads for an ad-supported viewer: pressing Play on a title with a campaign shows its pre-roll
// (the Play press's early session has the viewer's ads too) with "Ad · 0:0n", "Skip in", then
// "Skip ad"; skipping goes on to the title, and the ad service counts the impression once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { activateCampaign, adminToken, campaignTotals, endCampaign, servingAdsAlone, sportsCampaign, waitForAd } from "./lib/ads.mjs";
import { newAccount } from "./lib/api.mjs";
import { DESKTOP, crashesOf, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { playableTitle } from "./lib/catalog.mjs";
import { waitUntilPlaying } from "./lib/video.mjs";
import { eventually } from "./lib/wait.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("a free viewer sees a skippable pre-roll, skips it, the title plays, the impression counts once", async (t) => {
  const token = await adminToken();
  const [campaign, title] = await Promise.all([
    sportsCampaign(token, { name: `e2e pre-roll ${Date.now()}`, seconds: 8, skipOffsetSeconds: 2 }),
    playableTitle({ type: "sports" }),
  ]);
  const account = await newAccount("ads");
  const device = await newDevice(browser, { viewport: DESKTOP, session: account.session });
  try {
    await keepingPicturesOnFailure(t.name, [device], () => servingAdsAlone(async () => {
      await activateCampaign(token, campaign.id);
      const page = await device.newPage();
      const crashes = crashesOf(page);
      await page.goto(`/title/?id=${title.id}`);
      await page.getByRole("link", { name: "Play", exact: true }).click();

      const label = await waitForAd(page);
      assert.match(label, /^Ad · 0:0\d/, `the ad's label counts down: ${label}`);
      await page.waitForURL(/\/watch\//);
      // The content waits under the ad.
      const content = await page.evaluate(() => document.querySelector('[data-testid="player"] video').currentTime);
      assert.ok(content < 0.5, `the title has not started under the ad (${content} s)`);
      await page.getByTestId("player-ad-skip-in").or(page.getByTestId("player-ad-skip")).first().waitFor();
      await page.getByTestId("player-ad-learn-more").waitFor();
      // A break may be a pod (another flow's campaign is for sports titles too): skip each ad.
      const breakLayer = page.getByTestId("player-break");
      for (let ad = 0; ad < 3 && (await breakLayer.count()) > 0; ad++) {
        const skip = page.getByTestId("player-ad-skip");
        // An ad that may not be skipped ends by itself within that time.
        await skip.waitFor({ timeout: 12_000 }).catch(() => undefined);
        if ((await skip.count()) > 0) await skip.click().catch(() => undefined);
        await page.waitForTimeout(500);
      }
      await breakLayer.waitFor({ state: "detached", timeout: 20_000 });
      await waitUntilPlaying(page, { from: 0.5 });

      const totals = await eventually(
        async () => {
          const counts = await campaignTotals(token, campaign.id);
          return (counts.impression ?? 0) >= 1 && (counts.skip ?? 0) >= 1 ? counts : null;
        },
        { timeout: 30_000, interval: 1000, what: "the impression and the skip to be counted" },
      );
      // Counted once, and still once after the next flushes (5 s apart).
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const later = await campaignTotals(token, campaign.id);
      assert.equal(later.impression, 1, `one impression: ${JSON.stringify(later)}`);
      assert.equal(later.skip, 1, `one skip: ${JSON.stringify(later)}`);
      assert.ok((totals.start ?? 0) >= 1, `the ad's start was tracked: ${JSON.stringify(totals)}`);
      assert.deepEqual(crashes, []);
      await endCampaign(token, campaign.id);
    }));
  } finally {
    await device.close();
    await endCampaign(token, campaign.id);
  }
});
