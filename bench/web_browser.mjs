// The browser side of bench/web.py: one phase of the web benchmark in Debian's Chromium,
// driven through playwright-core from the web app's node_modules.
//
//   node bench/web_browser.mjs < job.json > result.json
//
// The job (JSON on stdin) names the phase and what it needs; the result (JSON on stdout) has
// one entry per run; progress goes to stderr. Phases:
//   home         the home page, signed in, in a new browser context each run (cold cache):
//                largest contentful paint, cumulative layout shift, the scripts it loaded
//   first-frame  pressing play to the first frame, in the app (title page, Play) and in the
//                bare Video.js page the benchmark serves, alternately, a new context each run
//   quality      the app's watch page: a rung chosen in the quality menu, until its frames show
// Times are taken in the page (performance.now(), one clock per document): from the
// pointerdown of the press to the presentation time of the first video frame
// (requestVideoFrameCallback), so the round trips to this script are not in them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const job = JSON.parse(readFileSync(0, "utf8"));
const { chromium } = createRequire(join(job.webDir, "package.json"))("playwright-core");

const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // The same for both players: the app's watch page starts playing by itself, without a gesture.
  "--autoplay-policy=no-user-gesture-required",
];
const SESSION_KEY = "ott.session"; // web/src/session/storage.ts
const DEVICE_KEY = "ott.device-id"; // web/src/player/device.ts
const FRAME_TIMEOUT_MS = job.frameTimeoutMs ?? 15000;
const SETTLE_MS = 1000;
const SWITCH_TIMEOUT_MS = 10000;

const log = (line) => process.stderr.write(`${line}\n`);

// ------------------------------------------------------------------ in the page

// Installed before any of the page's scripts: watches every <video> the page makes.
function probe() {
  const state = {
    armed: null,
    t0: null,
    firstFrame: null,
    playing: null,
    last: null,
    frames: 0,
    switchTarget: null,
    switchT0: null,
    switched: null,
    resizes: [],
  };
  Object.defineProperty(window, "__bench", { value: state });
  performance.setResourceTimingBufferSize(5000);
  // The main thread's long tasks (50 ms or more): what holds back the page's own work.
  state.longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) state.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  state.arm = (what, height) => {
    state.armed = what;
    if (what === "switch") {
      state.switchTarget = height;
      state.switchFromMediaTime = state.last?.mediaTime ?? null;
    }
  };
  addEventListener(
    "pointerdown",
    () => {
      if (state.armed === "start") state.t0 = performance.now();
      if (state.armed === "switch") state.switchT0 = performance.now();
      state.armed = null;
    },
    true,
  );
  // Luminance range of the picture, scaled down: a decoded frame of the test pattern is far
  // from uniform; a black or blank one is not.
  const contrast = (video) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let low = 255;
    let high = 0;
    for (let i = 0; i < data.length; i += 4) {
      const y = (data[i] * 299 + data[i + 1] * 587 + data[i + 2] * 114) / 1000;
      low = Math.min(low, y);
      high = Math.max(high, y);
    }
    return Math.round(high - low);
  };
  const watch = (video) => {
    if (video.__benchWatched) return;
    video.__benchWatched = true;
    video.addEventListener("playing", () => {
      if (state.t0 !== null && state.playing === null) state.playing = performance.now();
    });
    video.addEventListener("resize", () => state.resizes.push({ at: performance.now(), height: video.videoHeight }));
    const onFrame = (now, meta) => {
      const height = meta.height || video.videoHeight;
      state.frames += 1;
      state.last = { at: meta.presentationTime, height, mediaTime: meta.mediaTime };
      if (state.t0 !== null && state.firstFrame === null && meta.presentationTime >= state.t0) {
        state.firstFrame = {
          presented: meta.presentationTime,
          expectedDisplay: meta.expectedDisplayTime,
          callback: now,
          mediaTime: meta.mediaTime,
          height,
          contrast: contrast(video),
        };
      }
      if (
        state.switchT0 !== null &&
        state.switched === null &&
        meta.presentationTime >= state.switchT0 &&
        height === state.switchTarget
      ) {
        state.switched = { presented: meta.presentationTime, mediaTime: meta.mediaTime, height };
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  new MutationObserver(() => {
    for (const video of document.querySelectorAll("video")) watch(video);
  }).observe(document, { childList: true, subtree: true });
}

// The network requests since `since` (ms on the page's clock), with the media tokens taken out.
function requestsSince(since) {
  return performance
    .getEntriesByType("resource")
    .filter((entry) => entry.startTime >= since - 1)
    .map((entry) => {
      const url = new URL(entry.name);
      return {
        path: (url.pathname + url.search).replace(/\/media\/s\/[^/]+\/[^/]+\//, "/media/s/…/").replace(/session=[^&]+/, "session=…"),
        origin: url.origin === location.origin ? "page" : url.origin,
        type: entry.initiatorType,
        start: Math.round(entry.startTime - since),
        end: Math.round(entry.responseEnd - since),
        bytes: entry.encodedBodySize,
      };
    });
}

// LCP, CLS (the largest session window: shifts less than 1 s apart, 5 s at most, without
// recent input), FCP and the scripts fetched, once the page has settled.
function homeMetrics() {
  const entries = (type) =>
    new Promise((resolve) => {
      const seen = [];
      const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
      observer.observe({ type, buffered: true });
      setTimeout(() => {
        seen.push(...observer.takeRecords());
        observer.disconnect();
        resolve(seen);
      }, 50);
    });
  return Promise.all([entries("largest-contentful-paint"), entries("layout-shift"), entries("paint")]).then(([lcps, shifts, paints]) => {
    const lcp = lcps.at(-1) ?? null;
    let cls = 0;
    let window = 0;
    let first = 0;
    let previous = 0;
    for (const shift of shifts.filter((s) => !s.hadRecentInput)) {
      if (window > 0 && shift.startTime - previous < 1000 && shift.startTime - first < 5000) {
        window += shift.value;
      } else {
        window = shift.value;
        first = shift.startTime;
      }
      previous = shift.startTime;
      cls = Math.max(cls, window);
    }
    // An element as "img in [data-testid=hero]": its tag and the nearest ancestor with a test id.
    const describe = (element) => {
      if (!element) return null;
      const named = element.closest("[data-testid]");
      return `${element.tagName.toLowerCase()}${named ? ` in [data-testid=${named.getAttribute("data-testid")}]` : ""}`;
    };
    const shiftSources = shifts
      .filter((s) => !s.hadRecentInput)
      .map((s) => ({ at: Math.round(s.startTime), value: s.value, nodes: (s.sources ?? []).map((source) => describe(source.node)) }));
    const resources = performance.getEntriesByType("resource");
    const image = lcp?.url ? resources.find((entry) => entry.name === lcp.url) : undefined;
    const apiBefore = resources.filter((entry) => new URL(entry.name).pathname.startsWith("/api/") && (!image || entry.startTime < image.startTime));
    const scripts = resources
      .filter((entry) => new URL(entry.name).pathname.endsWith(".js"))
      .map((entry) => ({
        path: new URL(entry.name).pathname,
        type: entry.initiatorType,
        encoded: entry.encodedBodySize,
        decoded: entry.decodedBodySize,
      }));
    return {
      lcpMs: lcp ? Math.round(lcp.startTime) : null,
      lcpElement: describe(lcp?.element),
      lcpUrl: lcp?.url ? new URL(lcp.url).pathname : null,
      lcpSize: lcp?.size ?? null,
      // When the LCP image was asked for and arrived, and the API answers it waited for.
      lcpImageStartMs: image ? Math.round(image.startTime) : null,
      lcpImageEndMs: image ? Math.round(image.responseEnd) : null,
      apiBeforeImageMs: apiBefore.length ? Math.round(Math.max(...apiBefore.map((entry) => entry.responseEnd))) : null,
      cls: Math.round(cls * 10000) / 10000,
      shifts: shiftSources,
      fcpMs: Math.round(paints.find((p) => p.name === "first-contentful-paint")?.startTime ?? NaN),
      scripts,
    };
  });
}

// ------------------------------------------------------------------ here

async function newContext(browser, viewport, { signedIn }) {
  const context = await browser.newContext({
    viewport: viewport.size,
    deviceScaleFactor: viewport.scale,
    isMobile: viewport.mobile,
    hasTouch: viewport.mobile,
  });
  const values = { session: signedIn ? JSON.stringify(job.tokens) : null, device: job.deviceId, keys: [SESSION_KEY, DEVICE_KEY] };
  await context.addInitScript((v) => {
    if (v.session) localStorage.setItem(v.keys[0], v.session);
    if (v.device) localStorage.setItem(v.keys[1], v.device);
  }, values);
  await context.addInitScript(probe);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return { context, page, problems };
}

// What the page shows when a wait ran out: the video's state and any alert or dialog.
async function pageState(page) {
  return page
    .evaluate(() => {
      const video = document.querySelector("video");
      const s = window.__bench;
      const notes = [...document.querySelectorAll('[role="alert"], [role="dialog"], [role="alertdialog"]')]
        .map((e) => e.textContent.trim().slice(0, 120))
        .filter(Boolean);
      const playback = video
        ? `video at ${video.currentTime.toFixed(2)} s, readyState ${video.readyState}, ${video.paused ? "paused" : "playing"}, ${s.frames} frames`
        : "no video element";
      return [playback, ...notes].join("; ");
    })
    .catch((error) => `page state unknown: ${error.message}`);
}

// page.waitForFunction, failing with what the page showed.
async function waitFor(page, what, predicate, arg, timeout) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  } catch (error) {
    if (error.name !== "TimeoutError") throw error;
    throw new Error(`no ${what} within ${timeout} ms (${await pageState(page)})`);
  }
}

async function settle(page) {
  await page.waitForLoadState("networkidle", { timeout: 10000 }).catch(() => undefined);
}

async function firstFrame(page) {
  await waitFor(page, "first frame", () => window.__bench.firstFrame !== null, null, FRAME_TIMEOUT_MS);
  const measured = await page.evaluate(() => {
    const s = window.__bench;
    return {
      t0: s.t0,
      frame: s.firstFrame,
      playing: s.playing,
      // The app's own steps (web/src/player/marks.ts).
      marks: performance
        .getEntriesByType("mark")
        .filter((mark) => mark.name.startsWith("ott:") && mark.startTime >= s.t0)
        .map((mark) => ({ name: mark.name.slice(4), at: mark.startTime - s.t0 })),
      longTasks: s.longTasks.filter((task) => task.start + task.duration >= s.t0).map((task) => ({ start: task.start - s.t0, duration: task.duration })),
    };
  });
  // It really plays: the picture moves on from the first frame.
  const advanced = await page
    .waitForFunction((from) => window.__bench.last && window.__bench.last.mediaTime > from + 0.5, measured.frame.mediaTime, {
      timeout: 5000,
      polling: 100,
    })
    .then(() => true)
    .catch(() => false);
  const requests = await page.evaluate(requestsSince, measured.t0);
  const { t0, frame, playing, marks, longTasks } = measured;
  return {
    ms: round(frame.presented - t0),
    expectedDisplayMs: round(frame.expectedDisplay - t0),
    playingMs: playing === null ? null : round(playing - t0),
    height: frame.height,
    contrast: frame.contrast,
    advanced,
    requests,
    marks: marks.map((mark) => ({ name: mark.name, at: round(mark.at) })),
    longTasks: longTasks.map((task) => ({ start: round(task.start), duration: round(task.duration) })),
  };
}

const round = (value) => Math.round(value * 10) / 10;

async function bareRun(browser) {
  const { context, page, problems } = await newContext(browser, job.viewport, { signedIn: false });
  try {
    await page.goto(job.bare, { waitUntil: "load" });
    await page.waitForFunction(() => window.benchPlayerReady === true, null, { timeout: 10000 });
    await settle(page);
    await page.evaluate(() => window.__bench.arm("start"));
    await page.click("#play");
    return { ...(await firstFrame(page)), problems };
  } finally {
    await context.close();
  }
}

async function appRun(browser) {
  const { context, page, problems } = await newContext(browser, job.viewport, { signedIn: true });
  try {
    await page.goto(`${job.base}/title/?id=${job.contentId}`, { waitUntil: "load" });
    const play = page.locator(`a[href^="/watch/?id=${job.contentId}"]`).first();
    await play.waitFor({ state: "visible", timeout: 15000 });
    await settle(page);
    await page.evaluate(() => window.__bench.arm("start"));
    const trace = process.env.OTT_BENCH_TRACE;
    if (trace) await browser.startTracing(page, { path: trace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing"] });
    await play.click();
    const result = await firstFrame(page);
    if (trace) await browser.stopTracing();
    return { ...result, problems };
  } finally {
    await context.close();
  }
}

async function firstFramePhase(browser) {
  const runs = [];
  for (let index = 0; index < job.runs; index++) {
    // Alternate which goes first, so a slow moment of the machine is shared out evenly.
    const order = index % 2 === 0 ? ["bare", "app"] : ["app", "bare"];
    for (const player of order) {
      try {
        const result = player === "app" ? await appRun(browser) : await bareRun(browser);
        runs.push({ player, index, ...result });
        log(`  ${player} ${index + 1}/${job.runs}: first frame ${result.ms} ms (playing at ${result.playingMs} ms, ${result.height}p)`);
      } catch (error) {
        runs.push({ player, index, error: String(error.message ?? error).split("\n")[0] });
        log(`  ${player} ${index + 1}/${job.runs}: ${runs.at(-1).error}`);
      }
    }
  }
  return runs;
}

async function qualityRun(browser) {
  const { context, page, problems } = await newContext(browser, job.viewport, { signedIn: true });
  try {
    await page.goto(`${job.base}/watch/?id=${job.contentId}`, { waitUntil: "load" });
    // Steady playback first: past the first segments, the adaptive choice made.
    const steady = job.switchAfterSeconds;
    await waitFor(page, `${steady} s of playback`, (seconds) => (window.__bench.last?.mediaTime ?? 0) >= seconds, steady, FRAME_TIMEOUT_MS + steady * 1000);
    const from = await page.evaluate(() => window.__bench.last.height);
    const rungs = [...job.qualities].sort((a, b) => a.height - b.height);
    const highest = rungs.at(-1);
    const target = from === highest.height ? rungs[0] : highest;
    const player = page.getByTestId("player");
    await player.hover();
    await page.getByTestId("player-quality").click();
    const item = page
      .locator('[data-testid^="player-quality-level-"]:not([data-testid="player-quality-level-auto"])')
      .filter({ hasText: new RegExp(`^${target.quality}$`) });
    await item.waitFor({ state: "visible", timeout: 5000 });
    await page.evaluate((height) => window.__bench.arm("switch", height), target.height);
    await item.click();
    const shown = await page
      .waitForFunction(() => window.__bench.switched !== null, null, { timeout: SWITCH_TIMEOUT_MS, polling: 50 })
      .then(() => true)
      .catch(() => false);
    const measured = await page.evaluate(() => {
      const s = window.__bench;
      const resize = s.resizes.find((r) => r.at >= s.switchT0 && r.height === s.switchTarget);
      return {
        ms: s.switched ? s.switched.presented - s.switchT0 : null,
        resizeMs: resize ? resize.at - s.switchT0 : null,
        t0: s.switchT0,
        mediaTime: (s.switched ?? s.last).mediaTime,
        fromMediaTime: s.switchFromMediaTime,
        height: s.last.height,
      };
    });
    const requests = await page.evaluate(requestsSince, measured.t0);
    return {
      // null: no frame of the chosen rung within SWITCH_TIMEOUT_MS (a missed target, not an error)
      ms: shown ? round(measured.ms) : null,
      resizeMs: measured.resizeMs === null ? null : round(measured.resizeMs),
      from,
      to: target.height,
      toQuality: target.quality,
      heightAtEnd: measured.height,
      atMediaTime: round(measured.mediaTime),
      chosenAtMediaTime: round(measured.fromMediaTime),
      requests,
      problems,
    };
  } finally {
    await context.close();
  }
}

async function qualityPhase(browser) {
  const runs = [];
  for (let index = 0; index < job.runs; index++) {
    try {
      const result = await qualityRun(browser);
      runs.push({ index, ...result });
      const took = result.ms === null ? `not shown within ${SWITCH_TIMEOUT_MS} ms (still ${result.heightAtEnd}p)` : `in ${result.ms} ms`;
      log(`  switch ${index + 1}/${job.runs}: ${result.from}p → ${result.to}p ${took}`);
    } catch (error) {
      runs.push({ index, error: String(error.message ?? error).split("\n")[0] });
      log(`  switch ${index + 1}/${job.runs}: ${runs.at(-1).error}`);
    }
  }
  return runs;
}

async function homePhase(browser) {
  const runs = [];
  for (const viewport of job.viewports) {
    for (let index = 0; index < job.runs; index++) {
      const { context, page, problems } = await newContext(browser, viewport, { signedIn: true });
      try {
        await page.goto(`${job.base}/`, { waitUntil: "load" });
        await settle(page);
        await page.waitForTimeout(SETTLE_MS);
        const metrics = await page.evaluate(homeMetrics);
        runs.push({ viewport: viewport.name, index, ...metrics, problems });
        log(`  home ${viewport.name} ${index + 1}/${job.runs}: LCP ${metrics.lcpMs} ms (${metrics.lcpElement}), CLS ${metrics.cls}`);
      } catch (error) {
        runs.push({ viewport: viewport.name, index, error: String(error.message ?? error).split("\n")[0] });
        log(`  home ${viewport.name} ${index + 1}/${job.runs}: ${runs.at(-1).error}`);
      } finally {
        await context.close();
      }
    }
  }
  return runs;
}

const PHASES = { home: homePhase, "first-frame": firstFramePhase, quality: qualityPhase };

const browser = await chromium.launch({ executablePath: job.chromium, args: LAUNCH_ARGS });
const version = browser.version();
let runs;
try {
  runs = await PHASES[job.phase](browser);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ phase: job.phase, browser: version, runs }));
