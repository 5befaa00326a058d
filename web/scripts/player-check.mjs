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
  const deadline = Date.now() + 30_000;
  while (network.answers.filter((a) => a.status === 200).length < 2 && Date.now() < deadline) await page.waitForTimeout(500);
  const ok = network.answers.filter((a) => a.status === 200 && a.body);
  const sequences = ok.map((a) => a.body.sequence);
  check(
    "position reports every 10 s with a rising sequence",
    sequences.length >= 2 && sequences.every((s, i) => i === 0 || s > sequences[i - 1]),
    `sequences ${sequences.join(",")} at ${ok.map((a) => ((a.at - clicked) / 1000).toFixed(1)).join(", ")} s`,
  );

  // Quality: pick the lowest rung, then see the picture change size; the requests this makes
  // (the buffer is flushed) carry the token of the latest report, not the start's.
  const last = ok.at(-1);
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
  if (last?.body?.media?.base_url) {
    const fresh = new URL(last.body.media.base_url, base).pathname.split("/").slice(0, 5).join("/");
    const startToken = network.media[0] ? new URL(network.media[0].url).pathname.split("/").slice(0, 5).join("/") : "";
    const afterSwitch = network.media.filter((m) => m.at >= switchedAt);
    const stale = afterSwitch.filter((m) => !new URL(m.url).pathname.startsWith(fresh));
    check(
      "media requests after a report carry its fresh token",
      afterSwitch.length > 0 && stale.length === 0 && fresh !== startToken,
      `${afterSwitch.length} requests after the switch, ${stale.length} with an older token`,
    );
  } else {
    check("a position report answered a fresh token", false);
  }

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
} finally {
  await browser.close();
}

const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length}/${results.length} checks passed; screenshots in ${values.out}`);
process.exit(failed.length ? 1 : 0);
