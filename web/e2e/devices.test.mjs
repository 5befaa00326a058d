// The free plan's one stream: a second device is refused and shown the device that holds the
// stream, stops it from there and plays; the first device's player says its stream ended.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { newAccount, selectProfile, sessionOf, signIn } from "./lib/api.mjs";
import { DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice, PHONE, PHONE_UA } from "./lib/browser.mjs";
import { playableTitle } from "./lib/catalog.mjs";
import { assertPlays } from "./lib/video.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("a second device over the stream limit is refused with the devices shown, stops the first and plays", async (t) => {
  const film = await playableTitle();
  const account = await newAccount("devices", { profileName: "Kabir" });
  // The phone signs in on its own (a session of its own), as the same profile.
  const phoneLogin = await signIn(account.email, account.password);
  const phoneSession = sessionOf(await selectProfile(phoneLogin.access_token, account.profileId));

  const laptop = await newDevice(browser, { viewport: DESKTOP, session: account.session });
  const phone = await newDevice(browser, { viewport: PHONE, session: phoneSession, userAgent: PHONE_UA });
  try {
    await keepingPicturesOnFailure(t.name, [laptop, phone], async () => {
      const first = await laptop.newPage();
      await first.goto(`/watch/?id=${film.id}`);
      await assertPlays(first);

      // The phone presses Play on the title page: the start the press makes is refused, and the
      // watch page it opens shows why.
      const second = await phone.newPage();
      await second.goto(`/title/?id=${film.id}`);
      const refused = second.waitForResponse((r) => r.url().endsWith("/api/stream/playback/start"));
      await second.getByRole("link", { name: "Play", exact: true }).click();
      const answer = await refused;
      assert.equal(answer.status(), 409, "the platform refuses a second stream on the free plan");
      assert.equal((await answer.json()).error.code, "stream_limit_reached");

      const dialog = second.getByTestId("stream-limit-dialog");
      await dialog.getByRole("heading", { name: "Too many streams" }).waitFor();
      const devices = dialog.getByTestId("stream-limit-device");
      assert.equal(await devices.count(), 1, "the one stream in use is listed");
      const listed = await devices.first().innerText();
      assert.ok(listed.includes("Chrome on Linux"), `it names the laptop: ${listed}`);
      assert.ok(listed.includes(film.title), `and what it plays: ${listed}`);

      await dialog.getByRole("button", { name: "Stop the stream on Chrome on Linux" }).click();
      await dialog.waitFor({ state: "detached" });
      await assertPlays(second);

      // The laptop learns at its next position report (every 10 s) that its stream is over.
      const stopped = first.getByTestId("player-stopped");
      await stopped.waitFor({ timeout: 30_000 });
      assert.equal(await stopped.getAttribute("data-reason"), "stream_ended");
      assert.ok(await first.evaluate(() => document.querySelector('[data-testid="player"] video').paused), "the laptop's video stopped");
    });
  } finally {
    await Promise.all([laptop.close(), phone.close()]);
  }
});
