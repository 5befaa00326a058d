// The editorial flow in the studio: an editor creates a title and uploads its video (tus, with
// progress), waits for the transcoding; a reviewer approves, an admin publishes; a viewer finds
// it by search and plays it.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, before, test } from "node:test";

import { newAccount, setRoles, signIn, signInAsFirstProfile } from "./lib/api.mjs";
import { crashesOf, DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { makeClip } from "./lib/clip.mjs";
import { adminCredentials, TRANSCODE_TIMEOUT_MS } from "./lib/env.mjs";
import { assertPlays } from "./lib/video.mjs";
import { eventually } from "./lib/wait.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Records every value the upload's progress bar shows (the upload starts as the file is chosen). */
function recordProgress() {
  window.__uploadProgress = [];
  new MutationObserver(() => {
    const bar = document.querySelector('[data-testid="cms-upload-video"] [data-testid="cms-upload-progress"]');
    const value = bar?.getAttribute("aria-valuenow");
    if (value !== null && value !== undefined && window.__uploadProgress.at(-1) !== Number(value)) window.__uploadProgress.push(Number(value));
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
}

/** Takes a workflow step on the title's studio page and waits until it is done. */
async function step(page, action, state) {
  const editor = page.getByTestId("cms-editor");
  await page.getByTestId(`cms-action-${action}`).click();
  await page.getByTestId("cms-action-done").waitFor();
  await page.locator(`[data-testid="cms-editor"][data-state="${state}"]`).waitFor();
  return editor;
}

test("an editor creates and uploads a title, a reviewer approves, an admin publishes, a viewer finds and plays it", async (t) => {
  const admin = adminCredentials();
  const adminToken = (await signIn(admin.email, admin.password)).access_token;
  const editor = await newAccount("editor", { profileName: "Editor" });
  const reviewer = await newAccount("reviewer", { profileName: "Reviewer" });
  await setRoles(adminToken, editor.userId, ["viewer", "editor"]);
  await setRoles(adminToken, reviewer.userId, ["viewer", "reviewer"]);
  const viewer = await newAccount("studio-viewer", { profileName: "Viewer" });
  const clip = await makeClip();
  const name = `Kite Festival ${Date.now().toString(36)}`;

  const editorDevice = await newDevice(browser, { viewport: DESKTOP, session: await signInAsFirstProfile(editor.email, editor.password) });
  const reviewerDevice = await newDevice(browser, { viewport: DESKTOP, session: await signInAsFirstProfile(reviewer.email, reviewer.password) });
  const adminDevice = await newDevice(browser, { viewport: DESKTOP, session: await signInAsFirstProfile(admin.email, admin.password) });
  const viewerDevice = await newDevice(browser, { viewport: DESKTOP, session: viewer.session });
  const devices = [editorDevice, reviewerDevice, adminDevice, viewerDevice];
  try {
    await keepingPicturesOnFailure(t.name, devices, async () => {
      // The editor: a new draft from the studio's list.
      const page = await editorDevice.newPage();
      const crashes = crashesOf(page);
      await page.goto("/cms/");
      await page.getByTestId("cms-new-title").click();
      await page.getByTestId("cms-field-title").fill(name);
      await page.getByTestId("cms-field-description").fill("A kite festival on the river bank, from the first kite to the last.");
      await page.getByTestId("cms-field-type").selectOption("movie");
      await page.getByTestId("cms-field-maturity").selectOption("G");
      await page.getByTestId("cms-field-tier").selectOption("free");
      await page.getByTestId("cms-save").click();
      await page.locator('[data-testid="cms-editor"][data-state="draft"]').waitFor();
      const id = await page.getByTestId("cms-editor").getAttribute("data-id");
      assert.match(page.url(), new RegExp(`/cms/edit/\\?id=${id}$`));

      // Its video, over a slow uplink so the progress bar has steps to show.
      await page.evaluate(recordProgress);
      const cdp = await editorDevice.newCDPSession(page);
      const bytes = statSync(clip).size;
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: Math.ceil(bytes / 3) });
      const upload = page.getByTestId("cms-upload-video");
      await upload.getByTestId("cms-upload-file").setInputFiles(clip);
      await page.locator('[data-testid="cms-upload-video"][data-status="done"]').waitFor({ timeout: 60_000 });
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      const progress = await page.evaluate(() => window.__uploadProgress);
      assert.equal(progress.at(-1), 100, `the upload ends at 100%: ${progress}`);
      assert.ok(progress.some((p) => p > 0 && p < 100), `the progress bar moved through the upload: ${progress}`);
      await upload.getByText("Uploaded").waitFor();
      t.diagnostic(`upload progress shown: ${progress.join(", ")} %`);

      await page.getByTestId("cms-transcode").click();
      const encoding = page.getByTestId("cms-encoding").first();
      await encoding.waitFor();
      await page.locator('[data-testid="cms-encoding"][data-status="succeeded"]').waitFor({ timeout: TRANSCODE_TIMEOUT_MS });
      await step(page, "submit", "pending_review");
      assert.deepEqual(crashes, [], "no uncaught errors in the editor's page");

      // The reviewer watches the unpublished video (a signed preview) and approves; the admin
      // publishes.
      const review = await reviewerDevice.newPage();
      await review.goto(`/cms/edit/?id=${id}`);
      await review.locator('[data-testid="cms-encoding"][data-status="succeeded"]').waitFor();
      assert.equal(await review.getByTestId("cms-encoding-retry").count(), 0, "a reviewer manages no encodings");
      assert.equal(await review.getByTestId("cms-upload-video").count(), 0, "nor uploads videos");
      await review.getByTestId("cms-encoding-preview").click();
      const preview = review.getByTestId("cms-preview");
      await preview.getByTestId("player-play").click();
      await review.waitForFunction(() => (document.querySelector('[data-testid="cms-preview"] video')?.currentTime ?? 0) > 0.5, null, {
        timeout: 30_000,
      });
      await step(review, "approve", "approved");
      const publish = await adminDevice.newPage();
      await publish.goto(`/cms/edit/?id=${id}`);
      await step(publish, "publish", "published");

      // A viewer finds it by search and plays it.
      const watch = await viewerDevice.newPage();
      await watch.goto("/search/");
      const box = watch.getByLabel("Search titles, people and genres");
      const result = watch.locator(`main a[href="/title/?id=${id}"]`).first();
      await eventually(
        async () => {
          await box.fill("");
          await box.fill(name);
          await watch.getByRole("heading", { name: `Results for “${name}”` }).or(watch.getByText(`Nothing found for “${name}”`)).first().waitFor();
          return (await result.count()) > 0;
        },
        { timeout: 30_000, interval: 1000, what: "the published title in search" },
      );
      await result.click();
      await watch.getByRole("heading", { level: 1, name }).waitFor();
      await watch.getByRole("link", { name: "Play", exact: true }).click();
      await assertPlays(watch);
    });
  } finally {
    await Promise.all(devices.map((device) => device.close()));
  }
});
