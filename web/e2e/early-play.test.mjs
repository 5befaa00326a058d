// A Play press on a title page plays at once in a player shown over the page, before the watch
// page opens (web/src/player/early-session.ts). Going back before the watch page is there
// gives the page back: the player is gone and its stream is released.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { call, newAccount } from "./lib/api.mjs";
import { DESKTOP, keepingPicturesOnFailure, launchChromium, newDevice } from "./lib/browser.mjs";
import { playableTitle } from "./lib/catalog.mjs";
import { assertPlays } from "./lib/video.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const STREAMS = "/api/stream/sessions";

async function streamsOf(account) {
  return (await call(STREAMS, { token: account.session.accessToken })).streams;
}

test("going back while a Play press is starting leaves no player over the page and releases its stream", async (t) => {
  const film = await playableTitle();
  const account = await newAccount("early-play", { profileName: "Meera" });
  const device = await newDevice(browser, { viewport: DESKTOP, session: account.session });
  try {
    await keepingPicturesOnFailure(t.name, [device], async () => {
      const page = await device.newPage();
      await page.goto("/browse/");
      await page.goto(`/title/?id=${film.id}`);
      const started = page.waitForResponse((r) => r.url().endsWith("/api/stream/playback/start"));
      await page.getByRole("link", { name: "Play", exact: true }).click();
      assert.equal((await started).status(), 201);
      await page.goBack();
      await page.waitForURL((url) => url.pathname === "/browse/");
      await page.waitForFunction(() => document.querySelectorAll("video").length === 0, null, { timeout: 10_000 });
      await page.waitForFunction(
        async ([path, token]) => {
          const answer = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
          return (await answer.json()).streams.length === 0;
        },
        [STREAMS, account.session.accessToken],
        { timeout: 10_000, polling: 250 },
      );

      // Pressed again, it plays, and the watch page takes the playing picture over.
      await page.goto(`/title/?id=${film.id}`);
      await page.getByRole("link", { name: "Play", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/watch/");
      await assertPlays(page);
      assert.equal(await page.locator("video").count(), 1, "one player: the one the press made, moved into the watch page");
      assert.ok((await streamsOf(account)).length <= 1);
    });
  } finally {
    await device.close();
  }
});
