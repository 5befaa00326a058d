// Drives Debian's Chromium through the player against a running platform and the built app
// (npm run serve), checking that the video really plays and the session is kept:
//   node scripts/player-check.mjs [--base http://127.0.0.1:3310] [--out /tmp/player-check]
// Signs up a new account, plays the first playable film (checks currentTime, a drawn frame,
// position reports with a rising sequence, the fresh media token in later requests, a quality
// switch, the thumbnail preview, subtitles and shortcuts), then opens it on a second device
// (a phone) to meet the stream limit, stops the first stream from there, and sees the first
// device stop. Screenshots of each step go to --out. Exits non-zero when a check fails.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { chromium, devices } from "playwright-core";

const { values } = parseArgs({
  options: {
    base: { type: "string", default: "http://127.0.0.1:3310" },
    out: { type: "string", default: "/tmp/player-check" },
    format: { type: "string", default: "hls" },
  },
});
const base = values.base;
mkdirSync(values.out, { recursive: true });

const results = [];
function check(name, ok, detail = "") {
  results.push({ name, ok: Boolean(ok), detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

async function api(path) {
  const answer = await fetch(`${base}${path}`);
  return answer.json();
}

/** The ids of a playable film, from the catalog's search (its list may be cached a while). */
async function playableFilm() {
  for (const query of ["Last Monsoon", "Golden Kite"]) {
    const found = await api(`/api/catalog/search?q=${encodeURIComponent(query)}`);
    for (const item of found.items ?? []) {
      const detail = await api(`/api/catalog/content/${item.id}`);
      if (detail.playable && detail.type === "movie" && !detail.locked) return detail;
    }
  }
  throw new Error("no playable film yet: wait for the demo transcoding");
}

/** Moves the playhead (a short demo film must not end during the checks). */
async function seekTo(page, seconds, { play }) {
  await page.evaluate(
    async ({ seconds, play }) => {
      const element = document.querySelector('[data-testid="player"] video');
      element.currentTime = seconds;
      if (play) await element.play();
      else element.pause();
    },
    { seconds, play },
  );
  await page.waitForTimeout(300);
}

/** A series whose first two episodes play: {id, first, second}, or null. */
async function seriesWithTwoEpisodes() {
  const found = await api(`/api/catalog/search?q=${encodeURIComponent("Chai Aur Chandni")}`);
  for (const item of found.items ?? []) {
    if (item.type !== "tv_show") continue;
    const detail = await api(`/api/catalog/content/${item.id}`);
    const season = [...(detail.seasons ?? [])].sort((a, b) => a.season_number - b.season_number)[0];
    if (!season || detail.locked) continue;
    const episodes = (await api(`/api/catalog/seasons/${season.id}/episodes`)).sort((a, b) => a.episode_number - b.episode_number);
    if (episodes[0]?.playable && episodes[1]?.playable) return { id: detail.id, first: episodes[0].id, second: episodes[1].id };
  }
  return null;
}

async function videoState(page) {
  return page.evaluate(() => {
    const element = document.querySelector('[data-testid="player"] video');
    if (!element) return null;
    return {
      currentTime: element.currentTime,
      paused: element.paused,
      muted: element.muted,
      width: element.videoWidth,
      height: element.videoHeight,
      readyState: element.readyState,
    };
  });
}

/** How many distinct colours a frame drawn on a canvas has (1: uniform). */
async function frameColours(page) {
  return page.evaluate(() => {
    const element = document.querySelector('[data-testid="player"] video');
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext("2d");
    context.drawImage(element, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add(`${data[i] >> 3},${data[i + 1] >> 3},${data[i + 2] >> 3}`);
    return colours.size;
  });
}

function watchNetwork(page) {
  const log = { reports: [], answers: [], media: [] };
  page.on("request", (request) => {
    const url = request.url();
    if (url.includes("/api/stream/playback/position")) log.reports.push(JSON.parse(request.postData() ?? "{}"));
    else if (url.includes("/media/s/")) log.media.push({ url, at: Date.now() });
  });
  page.on("response", async (response) => {
    if (!response.url().includes("/api/stream/playback/position")) return;
    try {
      log.answers.push({ status: response.status(), body: await response.json(), at: Date.now() });
    } catch {
      log.answers.push({ status: response.status(), body: null, at: Date.now() });
    }
  });
  return log;
}

async function signUp(page, email, next) {
  await page.goto(`${base}/signup/?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Your name").fill("Checker");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("a-Long-enough-passw0rd!");
  await page.getByRole("button", { name: "Create account" }).or(page.locator('form button[type="submit"]')).first().click();
}

async function signIn(page, email, next) {
  await page.goto(`${base}/signin/?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("a-Long-enough-passw0rd!");
  await page.locator('form button[type="submit"]').click();
}

/** The profile picker, if it shows: choose the first profile. */
async function pickProfile(page) {
  await page.waitForURL((url) => url.pathname.startsWith("/watch/") || url.pathname.startsWith("/profiles/"), { timeout: 20_000 });
  if (new URL(page.url()).pathname.startsWith("/profiles/")) {
    await page.getByRole("button", { name: /Checker/ }).first().click();
  }
  await page.waitForURL((url) => url.pathname.startsWith("/watch/"), { timeout: 20_000 });
}

async function waitPlaying(page, beyond = 1) {
  await page.waitForFunction(
    (limit) => {
      const element = document.querySelector('[data-testid="player"] video');
      return element !== null && element.currentTime > limit && !element.paused;
    },
    beyond,
    { timeout: 30_000 },
  );
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--autoplay-policy=no-user-gesture-required", "--no-sandbox"],
});
try {
  const film = await playableFilm();
  const watch = `/watch/?id=${film.id}${values.format === "dash" ? "&format=dash" : ""}`;
  const email = `player-${Date.now()}@example.com`;

  // --- desktop: sign up, play --------------------------------------------------------------
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await desktop.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`  [console] ${message.text()}`);
  });
  const network = watchNetwork(page);
  await signUp(page, email, watch);
  await pickProfile(page);
  const clicked = Date.now();
  await page.waitForSelector('[data-testid="player"] video', { timeout: 20_000 });
  await page.waitForFunction(
    () => (document.querySelector('[data-testid="player"] video')?.currentTime ?? 0) > 0,
    null,
    { timeout: 30_000 },
  );
  check("first frame after opening the watch page", true, `${Date.now() - clicked} ms`);
  await waitPlaying(page, 1.5);
  const first = await videoState(page);
  await page.waitForTimeout(1500);
  const later = await videoState(page);
  check("currentTime advances", later.currentTime > first.currentTime, `${first.currentTime.toFixed(2)} → ${later.currentTime.toFixed(2)}`);
  const colours = await frameColours(page);
  check("a drawn frame is not uniform", colours > 8, `${colours} colours`);
  check("title shown", (await page.getByTestId("watch-title").textContent()) === film.title, film.title);
  await page.mouse.move(640, 300);
  await page.screenshot({ path: join(values.out, "desktop-playing.png") });

  // Position reports: every 10 s, also while paused (they renew the lease), rising sequence.
  await seekTo(page, 2, { play: false });
  const heartbeat = () => {
    const ok = network.answers.filter((a) => a.status === 200 && a.body);
    return ok.some((a, i) => i > 0 && a.at - ok[i - 1].at > 9000);
  };
  const deadline = Date.now() + 30_000;
  while (!heartbeat() && Date.now() < deadline) await page.waitForTimeout(500);
  const ok = network.answers.filter((a) => a.status === 200 && a.body);
  // Answers name the session's last applied sequence: never lower than an earlier answer's, and
  // each applied report's is higher than the one before (a report overtaken by a later one is
  // answered applied: false).
  const sequences = ok.map((a) => a.body.sequence);
  const applied = ok.filter((a) => a.body.applied).map((a) => a.body.sequence);
  check(
    "position reports (on pause, seek and every 10 s) with a rising sequence",
    heartbeat() && sequences.every((s, i) => i === 0 || s >= sequences[i - 1]) && applied.every((s, i) => i === 0 || s > applied[i - 1]),
    `sequences ${sequences.join(",")} (applied ${applied.join(",")}) at ${ok.map((a) => ((a.at - clicked) / 1000).toFixed(1)).join(", ")} s`,
  );
  const last = ok.at(-1);

  // Quality: pick the lowest rung, then see the picture change size; the requests this makes
  // (the buffer is flushed) carry the token of the latest report, not the start's.
  await seekTo(page, 1, { play: true });
  await page.mouse.move(640, 400);
  await page.getByTestId("player-quality").click();
  const levels = page.locator('[data-testid^="player-quality-level-"]');
  const names = await levels.allTextContents();
  check("quality menu lists Auto and the rungs", names.length >= 2 && /Auto/.test(names[0]), names.join(", "));
  await page.screenshot({ path: join(values.out, "desktop-quality-menu.png") });
  const before = await videoState(page);
  const switchedAt = Date.now();
  await levels.last().click();
  try {
    await page.waitForFunction(
      (height) => {
        const element = document.querySelector('[data-testid="player"] video');
        return element !== null && element.videoHeight !== height && element.videoHeight > 0;
      },
      before.height,
      { timeout: 15_000 },
    );
    const after = await videoState(page);
    check("quality switch shows the new rung", true, `${before.height}p → ${after.height}p in ${Date.now() - switchedAt} ms`);
  } catch {
    check("quality switch shows the new rung", false, `still ${before.height}p`);
  }
  // Each media request after the switch must carry the token of the newest report answered
  // before it went out (with 100 ms of leeway for the answer to be read), never an older one.
  const prefixOf = (url) => new URL(url, base).pathname.split("/").slice(0, 5).join("/");
  const tokens = network.answers.filter((a) => a.status === 200 && a.body?.media).map((a) => ({ prefix: prefixOf(a.body.media.base_url), at: a.at }));
  const afterSwitch = network.media.filter((m) => m.at >= switchedAt);
  const stale = afterSwitch.filter((m) => {
    // The same second signs the same token: the newest answer that carried it counts.
    const used = tokens.findLastIndex((t) => t.prefix === prefixOf(m.url));
    const expected = tokens.filter((t) => t.at < m.at - 100).length - 1;
    return used < expected;
  });
  const renewed = afterSwitch.filter((m) => tokens.some((t) => t.prefix === prefixOf(m.url)));
  check(
    "media requests after a report carry its fresh token",
    last !== undefined && afterSwitch.length > 0 && stale.length === 0 && renewed.length === afterSwitch.length,
    `${afterSwitch.length} requests after the switch, ${renewed.length} under a renewed token, ${stale.length} under an older one` +
      (stale.length
        ? `: ${tokens.map((t) => `${t.prefix.slice(9, 15)}@${t.at - switchedAt}`).join(" ")}; e.g. ${prefixOf(stale[0].url).slice(9, 15)}@${stale[0].at - switchedAt}`
        : ""),
  );

  // Thumbnail preview on the seek bar.
  const seek = page.getByTestId("player-seek");
  const box = await seek.boundingBox();
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  const thumbnail = page.getByTestId("player-thumbnail");
  await thumbnail.waitFor({ timeout: 5000 }).catch(() => undefined);
  const hasSprite = await thumbnail.locator("div[style*='background-image']").count();
  check("thumbnail preview from the sprite track", hasSprite > 0);
  await page.screenshot({ path: join(values.out, "desktop-thumbnail.png") });

  // Subtitles from the start answer.
  if (await page.getByTestId("player-subtitles").count()) {
    await seekTo(page, 1, { play: true });
    await page.mouse.move(640, 400);
    await page.getByTestId("player-subtitles").click();
    await page.locator('[data-testid^="player-subtitle-"]').nth(1).click();
    const cue = await page
      .waitForSelector(".vjs-text-track-display .vjs-text-track-cue", { timeout: 8000 })
      .then((element) => element.textContent())
      .catch(() => null);
    check("a subtitle cue shows", cue !== null && cue.trim().length > 0, cue ?? "none");
    await page.screenshot({ path: join(values.out, "desktop-subtitles.png") });
  }

  // Shortcuts: k pauses, k plays, m mutes; turned off, k does nothing.
  await seekTo(page, 1, { play: true });
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
  await page.keyboard.press("k");
  await page.waitForTimeout(300);
  const paused = (await videoState(page)).paused;
  await page.keyboard.press("k");
  await page.waitForTimeout(300);
  const resumed = !(await videoState(page)).paused;
  await page.keyboard.press("m");
  await page.waitForTimeout(200);
  const muted = (await videoState(page)).muted;
  await page.keyboard.press("m");
  check("shortcuts k (pause, play) and m (mute)", paused && resumed && muted, JSON.stringify({ paused, resumed, muted }));
  await page.mouse.move(640, 400);
  await page.getByTestId("player-settings").click();
  await page.getByTestId("player-shortcuts-toggle").click();
  await page.keyboard.press("Escape");
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
  await page.keyboard.press("k");
  await page.waitForTimeout(300);
  check("shortcuts can be turned off", !(await videoState(page)).paused);
  check("the choice is kept", (await page.evaluate(() => localStorage.getItem("ott.player.shortcuts"))) === "off");
  await page.evaluate(() => localStorage.removeItem("ott.player.shortcuts"));
  // Audio: the second language.
  if (await page.getByTestId("player-audio").count()) {
    await page.mouse.move(640, 400);
    await page.getByTestId("player-audio").click();
    const tracks = page.locator('[data-testid^="player-audio-track-"]');
    const labels = await tracks.allTextContents();
    await tracks.last().click();
    await page.waitForTimeout(1500);
    const enabled = await page.evaluate(() => {
      const list = document.querySelector('[data-testid="player"] .video-js').player.audioTracks();
      return Array.from({ length: list.length }, (_, i) => list[i]).findIndex((track) => track.enabled);
    });
    check("audio menu switches the track", enabled === labels.length - 1, `${labels.join(", ")}: track ${enabled} on`);
    await seekTo(page, 1, { play: true });
    await page.waitForTimeout(1500);
    check("playback goes on after the audio switch", !(await videoState(page)).paused && (await videoState(page)).currentTime > 1.5);
  }
  check("picture-in-picture button", (await page.getByTestId("player-pip").count()) === 1);

  // Keyboard alone: Tab reaches the controls, with a visible focus ring.
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  const focus = await page.evaluate(() => {
    const element = document.activeElement;
    const style = element ? getComputedStyle(element) : null;
    return {
      name: element?.getAttribute("aria-label") ?? element?.textContent ?? "",
      inPlayer: Boolean(element?.closest('[data-testid="player"]')),
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "",
    };
  });
  check("Tab reaches the player's controls with a visible focus", focus.inPlayer && !focus.outline.startsWith("none"), `${focus.name}: ${focus.outline}`);
  await page.screenshot({ path: join(values.out, "desktop-keyboard-focus.png") });
  await page.keyboard.press("Enter");

  // Paused, the stream keeps its lease (reports go on) for the second device to meet.
  await seekTo(page, 2, { play: false });

  // --- phone: a second device meets the stream limit and stops the first --------------------
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const mobile = await phone.newPage();
  await signIn(mobile, email, watch);
  await pickProfile(mobile);
  const dialog = mobile.getByTestId("stream-limit-dialog");
  await dialog.waitFor({ timeout: 20_000 });
  const listed = await mobile.getByTestId("stream-limit-device").allTextContents();
  check("the second device is refused and shown the streams", listed.length >= 1, listed.join(" | "));
  await mobile.waitForTimeout(500);
  await mobile.screenshot({ path: join(values.out, "phone-too-many-streams.png") });
  await mobile.getByTestId("stream-limit-stop").first().click();
  await mobile.waitForFunction(
    () => (document.querySelector('[data-testid="player"] video')?.currentTime ?? 0) > 0.5,
    null,
    { timeout: 30_000 },
  );
  check("after stopping the first stream the phone plays", true);
  await mobile.waitForTimeout(1000);
  await mobile.screenshot({ path: join(values.out, "phone-playing.png") });

  // The desktop learns at its next report (410) and stops with a message.
  const stopped = page.getByTestId("player-stopped");
  try {
    await stopped.waitFor({ timeout: 25_000 });
    check("the first device stops with a message", (await stopped.getAttribute("data-reason")) === "stream_ended");
  } catch {
    const finished = await page.getByTestId("watch-finished").count();
    check("the first device stops with a message", false, finished ? "the film ended first" : "no message");
  }
  await page.screenshot({ path: join(values.out, "desktop-stream-ended.png") });

  // --- resume: leave the phone's player mid-way and come back -------------------------------
  await mobile.evaluate(() => {
    const element = document.querySelector('[data-testid="player"] video');
    element.currentTime = 8;
  });
  await mobile.waitForTimeout(1500);
  const leftAt = (await videoState(mobile)).currentTime;
  await mobile.getByTestId("watch-back").click();
  await mobile.waitForURL((url) => url.pathname.startsWith("/title/"));
  await mobile.waitForTimeout(1000);
  await mobile.goto(`${base}${watch}`);
  await mobile.waitForFunction(() => (document.querySelector('[data-testid="player"] video')?.currentTime ?? 0) > 0, null, {
    timeout: 30_000,
  });
  const cameBack = (await videoState(mobile)).currentTime;
  check("coming back resumes where it stopped", Math.abs(cameBack - leftAt) < 3, `left ${leftAt.toFixed(1)}, resumed ${cameBack.toFixed(1)}`);
  await mobile.screenshot({ path: join(values.out, "phone-resumed.png") });

  // Leaving by a full page load (the page is unloaded: the report on page hide, with keepalive).
  await seekTo(mobile, 12, { play: true });
  await mobile.waitForTimeout(1000);
  const unloadedAt = (await videoState(mobile)).currentTime;
  await mobile.goto(`${base}/`);
  await mobile.waitForTimeout(1000);
  await mobile.goto(`${base}${watch}`);
  await mobile.waitForFunction(() => (document.querySelector('[data-testid="player"] video')?.currentTime ?? 0) > 0, null, {
    timeout: 30_000,
  });
  const reloaded = (await videoState(mobile)).currentTime;
  check(
    "after the page is unloaded it resumes where it stopped",
    Math.abs(reloaded - unloadedAt) < 3,
    `left ${unloadedAt.toFixed(1)}, resumed ${reloaded.toFixed(1)}`,
  );

  // --- a series: its first episode, then the next-episode countdown -------------------------
  const series = await seriesWithTwoEpisodes();
  if (series) {
    await mobile.goto(`${base}/watch/?id=${series.id}`);
    await mobile.waitForURL((url) => url.searchParams.get("episode") === series.first, { timeout: 20_000 });
    check("a series opens at its first episode", true);
    await waitPlaying(mobile, 0.5);
    await mobile.screenshot({ path: join(values.out, "phone-episode.png") });
    await seekTo(mobile, (await mobile.evaluate(() => document.querySelector('[data-testid="player"] video').duration)) - 1.5, { play: true });
    const countdown = mobile.getByTestId("next-episode");
    await countdown.waitFor({ timeout: 15_000 });
    await mobile.waitForTimeout(1200);
    check("the next-episode countdown shows", true, await mobile.getByTestId("next-episode-seconds").textContent());
    await mobile.screenshot({ path: join(values.out, "phone-next-episode.png") });
    await mobile.waitForURL((url) => url.searchParams.get("episode") === series.second, { timeout: 15_000 });
    check("the countdown plays the next episode", true);
    await waitPlaying(mobile, 0.5);
    await seekTo(mobile, (await mobile.evaluate(() => document.querySelector('[data-testid="player"] video').duration)) - 1.5, { play: true });
    const nextAgain = await mobile.getByTestId("next-episode").waitFor({ timeout: 8000 }).then(() => true, () => false);
    if (nextAgain) {
      await mobile.getByTestId("next-episode-cancel").click();
      check("the countdown can be cancelled", (await mobile.getByTestId("watch-finished").count()) === 1);
    } else {
      check("the last playable episode ends without a countdown", (await mobile.getByTestId("watch-finished").count()) === 1);
    }
    await mobile.screenshot({ path: join(values.out, "phone-finished.png") });
  } else {
    check("a series with two playable episodes to try", false, "none in the catalog");
  }

  // --- the player in Hindi (the profile's language) -----------------------------------------
  await mobile.evaluate(async () => {
    const { accessToken, profileId } = JSON.parse(localStorage.getItem("ott.session"));
    await fetch(`/api/auth/profiles/${profileId}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ language_preference: "hi" }),
    });
    const answer = await fetch(`/api/auth/profiles/${profileId}/select`, { method: "POST", headers: { authorization: `Bearer ${accessToken}` } });
    const result = await answer.json();
    localStorage.setItem(
      "ott.session",
      JSON.stringify({ accessToken: result.access_token, refreshToken: result.refresh_token, profileId: result.profile_id }),
    );
  });
  await mobile.goto(`${base}${watch}`);
  await waitPlaying(mobile, 0.5);
  await seekTo(mobile, 2, { play: false });
  await mobile.getByTestId("player-settings").click();
  const hindi = await mobile.getByTestId("player-shortcuts-toggle").textContent();
  check("the player speaks the profile's language", hindi === "कीबोर्ड शॉर्टकट", hindi);
  await mobile.screenshot({ path: join(values.out, "phone-hindi-settings.png") });

  // --- autoplay refused: the big play button, and a click plays -----------------------------
  const refusing = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const third = await refusing.newPage();
  await third.addInitScript(() => {
    const play = HTMLMediaElement.prototype.play;
    let pressed = false;
    addEventListener("pointerdown", () => (pressed = true), true);
    HTMLMediaElement.prototype.play = function () {
      return pressed ? play.call(this) : Promise.reject(new DOMException("no gesture", "NotAllowedError"));
    };
  });
  await signUp(third, `player-refused-${Date.now()}@example.com`, "/");
  await third.waitForURL((url) => url.pathname === "/", { timeout: 20_000 });
  await third.goto(`${base}${watch}`);
  const bigPlay = third.getByTestId("player-big-play");
  const offered = await bigPlay.waitFor({ timeout: 20_000 }).then(() => true, () => false);
  await third.screenshot({ path: join(values.out, "desktop-autoplay-refused.png") });
  if (offered) await bigPlay.click();
  const played = offered && (await waitPlaying(third, 0.5).then(() => true, () => false));
  check("autoplay refused: the big play button plays", played);
} finally {
  await browser.close();
}

const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length}/${results.length} checks passed; screenshots in ${values.out}`);
process.exit(failed.length ? 1 : 0);
