// A new viewer: signs up, makes a profile, plays a title (the video really plays), leaves and
// comes back where they stopped, and finds the title in continue watching on the home page.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { PASSWORD, uniqueEmail } from "./lib/api.mjs";
import { crashesOf, DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { playableTitle } from "./lib/catalog.mjs";
import { assertPlays, videoState, waitUntilPlaying } from "./lib/video.mjs";
import { eventually } from "./lib/wait.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Clicks Play on the title page and answers what the platform said to the player's start. */
async function playFromTitlePage(page) {
  const started = page.waitForResponse((r) => r.url().endsWith("/api/stream/playback/start"));
  await page.getByRole("link", { name: "Play", exact: true }).click();
  const response = await started;
  assert.equal(response.status(), 201, `playback start: ${response.status()} ${await response.text()}`);
  await page.waitForURL((url) => url.pathname === "/watch/");
  return response.json();
}

/**
 * Back from the player to the title page. The player's page makes the rest of the app inert
 * while it is shown and gives it back in an effect's clean-up, a moment after the title page
 * is painted: the header only takes clicks again from then.
 */
async function leavePlayer(page, title) {
  await page.getByTestId("watch-back").click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  await page.waitForFunction(() => document.querySelector("[inert]") === null);
}

/** Pauses with the player's shortcut and answers where the video stopped. */
async function pause(page) {
  await page.keyboard.press("k");
  await page.waitForFunction(() => document.querySelector('[data-testid="player"] video')?.paused === true);
  return (await videoState(page)).currentTime;
}

test("a new user signs up, makes a profile, plays a title, resumes it and finds it in continue watching", async (t) => {
  const film = await playableTitle();
  const device = await newDevice(browser, { viewport: DESKTOP });
  try {
    await keepingPicturesOnFailure(t.name, [device], async () => {
      const page = await device.newPage();
      const crashes = crashesOf(page);

      // Sign up: the account's first profile is watching.
      await page.goto("/signup/");
      await page.getByLabel("Your name").fill("Ravi");
      await page.getByLabel("Email").fill(uniqueEmail("viewer"));
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL((url) => url.pathname === "/");
      await page.getByRole("button", { name: "Profile menu of Ravi" }).click();

      // A second profile, made in the picker, then chosen.
      await page.getByRole("menuitem", { name: "Manage profiles" }).click();
      await page.waitForURL((url) => url.pathname === "/profiles/");
      await page.getByRole("button", { name: "Add profile" }).click();
      const form = page.getByRole("dialog", { name: "Add a profile" });
      await form.getByLabel("Name").fill("Mira");
      await form.getByRole("button", { name: "Save" }).click();
      await form.waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Done" }).click();
      await page.getByRole("button", { name: "Watch as Mira" }).click();
      await page.waitForURL((url) => url.pathname === "/");
      await page.getByRole("button", { name: "Profile menu of Mira" }).waitFor();

      // The title, found by search.
      await page.getByRole("link", { name: "Search" }).first().click();
      await page.getByLabel("Search titles, people and genres").fill(film.title);
      await page.locator(`main a[href="/title/?id=${film.id}"]`).first().click();
      await page.getByRole("heading", { level: 1, name: film.title }).waitFor();

      // It plays; then pause, forward 10 s (the player's shortcuts), play a little more, pause
      // and leave.
      const first = await playFromTitlePage(page);
      assert.equal(first.resume_position_seconds, 0, "a title never played starts at the beginning");
      const playing = await assertPlays(page);
      const duration = playing.duration;
      assert.ok(duration >= 18, `the demo video is long enough for a resume check (${duration} s; DEMO_VIDEO_SECONDS ≥ 18)`);
      const firstPause = await pause(page);
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction((at) => document.querySelector('[data-testid="player"] video').currentTime >= at, firstPause + 9.5);
      await page.keyboard.press("k");
      await waitUntilPlaying(page, { from: firstPause + 10.2 });
      const stoppedAt = await pause(page);
      assert.ok(stoppedAt >= firstPause + 10 && stoppedAt < duration * 0.8, `paused at ${stoppedAt} s (${firstPause} s before the 10 s forward)`);
      await leavePlayer(page, film.title);

      // Back again: the platform and the player resume where it stopped.
      const again = await playFromTitlePage(page);
      const resume = again.resume_position_seconds;
      assert.ok(resume > 0 && Math.abs(resume - stoppedAt) <= 10, `resumes at ${resume} s, stopped at ${stoppedAt} s`);
      const resumed = await waitUntilPlaying(page, { from: resume - 1 });
      assert.ok(Math.abs(resumed.currentTime - stoppedAt) <= 10, `the player resumed at ${resumed.currentTime} s`);
      const leftAt = await pause(page);
      await leavePlayer(page, film.title);

      // Home: the title is in continue watching, with how much was watched.
      // (The click's navigation finishes before the first look: a reload while it is under way
      // would reload the title page and cancel it.)
      await page.getByRole("link", { name: "Home", exact: true }).first().click();
      await page.waitForURL((url) => url.pathname === "/");
      const rail = page.getByRole("region", { name: "Continue watching" });
      const entry = rail.locator(`a[href="/watch/?id=${film.id}"]`);
      await eventually(
        async () => {
          if (await entry.count()) return true;
          await page.reload();
          await page.getByRole("heading", { level: 2 }).first().waitFor();
          return false;
        },
        { timeout: 30_000, interval: 1000, what: "the title in continue watching" },
      );
      assert.ok((await entry.innerText()).includes(film.title), "the entry names the title");
      const watched = Number((await entry.getByRole("progressbar").getAttribute("aria-label")).match(/(\d+)%/)[1]);
      const expected = (leftAt / duration) * 100;
      assert.ok(Math.abs(watched - expected) <= 15, `continue watching says ${watched}% (left at ${expected.toFixed(0)}%)`);
      assert.deepEqual(crashes, [], "no uncaught errors in the page");
    });
  } finally {
    await device.close();
  }
});
