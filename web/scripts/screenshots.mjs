// Screenshots of the app's pages at phone and desktop widths, signed in as a new account
// (and as a Hindi and a kids profile of it), with Debian's Chromium:
//   node scripts/screenshots.mjs [--base http://127.0.0.1:3200] [--out /tmp/ott-shots]
// The base URL serves the app and the API (npm run serve, or the gateway). With --axe, every
// page is also checked with axe-core (WCAG 2.2 A/AA rules) and serious or critical violations
// are listed; the script then exits 1 if there were any.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { chromium } from "playwright-core";

const { values } = parseArgs({
  options: {
    base: { type: "string", default: "http://127.0.0.1:3200" },
    out: { type: "string", default: "/tmp/ott-shots" },
    only: { type: "string" },
    axe: { type: "boolean", default: false },
  },
});
const base = values.base.replace(/\/$/, "");
mkdirSync(values.out, { recursive: true });

async function call(path, { token, body, method } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: method ?? (body ? "POST" : "GET"),
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

const tokensOf = (result) => ({
  accessToken: result.access_token,
  refreshToken: result.refresh_token,
  profileId: result.profile_id,
});

const email = `shots-${Date.now()}@example.com`;
const account = await call("/api/auth/register", {
  body: { email, password: "Screenshots-2026!", profile_name: "Asha" },
});
const token = account.access_token;
const hindi = await call("/api/auth/profiles", {
  token,
  body: { name: "दादी", avatar_url: "/avatars/4.svg", language_preference: "hi" },
});
const kids = await call("/api/auth/profiles", {
  token,
  body: { name: "Chintu", avatar_url: "/avatars/7.svg", is_kids: true },
});
await call(`/api/auth/profiles/${account.profile_id}`, { token, method: "PUT", body: { avatar_url: "/avatars/1.svg" } });
const sessions = {
  main: tokensOf(await call(`/api/auth/profiles/${account.profile_id}/select`, { token, body: {} })),
  hindi: tokensOf(await call(`/api/auth/profiles/${hindi.id}/select`, { token, body: {} })),
  kids: tokensOf(await call(`/api/auth/profiles/${kids.id}/select`, { token, body: {} })),
  anonymous: null,
};

const trending = await call("/api/catalog/trending");
const film = trending.find((t) => t.type === "movie") ?? trending[0];
const series = trending.find((t) => t.type === "tv_show") ?? trending[0];
await call("/api/activity/watchlist", { token: sessions.main.accessToken, body: { content_id: film.id } });
await call("/api/activity/watchlist", { token: sessions.main.accessToken, body: { content_id: series.id } });

// Some viewing, for the continue-watching rail: half of a film, and the first episode of a
// series watched to the end (so its next episode is "next up"). A platform started with
// ACTIVITY_MIN_RESUME_SECONDS=0 keeps resume points of the short demo videos.
async function watch(contentId, episodeId, fraction) {
  const device = { id: "screenshots", type: "web", name: "Screenshots" };
  const started = await call("/api/stream/playback/start", {
    token: sessions.main.accessToken,
    body: { content_id: contentId, episode_id: episodeId, format: "hls", device },
  });
  const position = started.duration_seconds * fraction;
  await call("/api/stream/playback/position", {
    token: sessions.main.accessToken,
    method: "PUT",
    body: { session_id: started.session_id, position_seconds: position, sequence: 1 },
  });
  await call(fraction >= 1 ? "/api/stream/playback/complete" : "/api/stream/playback/position", {
    token: sessions.main.accessToken,
    method: fraction >= 1 ? "POST" : "PUT",
    body: fraction >= 1 ? { session_id: started.session_id } : { session_id: started.session_id, position_seconds: position, sequence: 2 },
  });
}
const { items: playable } = await call("/api/catalog/content?limit=100&sort=popularity", { token: sessions.main.accessToken });
for (const title of playable.filter((t) => t.playable && !t.locked)) {
  try {
    if (title.type === "tv_show") {
      const detail = await call(`/api/catalog/content/${title.id}`, { token: sessions.main.accessToken });
      const episodes = await call(`/api/catalog/seasons/${detail.seasons[0].id}/episodes`, { token: sessions.main.accessToken });
      const first = episodes.find((e) => e.playable);
      if (first) await watch(title.id, first.id, 1);
    } else {
      await watch(title.id, null, 0.5);
    }
  } catch (error) {
    console.log(`no viewing of ${title.title}: ${error.message}`);
  }
}

const pages = [
  ["home", "/", "main"],
  ["browse", "/browse/?type=movie&sort=popularity", "main"],
  ["search", `/search/?q=${encodeURIComponent(film.title.split(" ")[0].slice(0, 5))}`, "main"],
  ["title-film", `/title/?id=${film.id}`, "main"],
  ["title-series", `/title/?id=${series.id}`, "main"],
  ["watchlist", "/watchlist/", "main"],
  ["account", "/account/", "main"],
  ["profiles", "/profiles/", "main"],
  ["home-hi", "/", "hindi"],
  ["browse-hi", "/browse/?language=hi", "hindi"],
  ["search-hi", "/search/?q=%E0%A4%AE%E0%A5%89%E0%A4%A8%E0%A4%B8%E0%A5%82%E0%A4%A8", "hindi"],
  ["title-hi", `/title/?id=${series.id}`, "hindi"],
  ["watchlist-hi", "/watchlist/", "hindi"],
  ["account-hi", "/account/", "hindi"],
  ["profiles-hi", "/profiles/?manage=1", "hindi"],
  ["home-kids", "/", "kids"],
  ["signin", "/signin/", "anonymous"],
  ["signup", "/signup/", "anonymous"],
  ["reset", "/reset-password/", "anonymous"],
  ["plans", "/plans/", "anonymous"],
  ["home-anon", "/", "anonymous"],
];
const widths = { phone: { width: 390, height: 844 }, desktop: { width: 1440, height: 900 } };

const axeSource = values.axe
  ? readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")
  : null;
let violations = 0;

async function audit(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (const [name, path, who] of pages) {
    if (values.only && !name.startsWith(values.only)) continue;
    for (const [size, viewport] of Object.entries(widths)) {
      // axe-core is injected as an inline script, which the gateway's CSP rightly refuses.
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, bypassCSP: Boolean(axeSource) });
      const tokens = sessions[who];
      await context.addInitScript((value) => {
        if (value) localStorage.setItem("ott.session", value);
      }, tokens ? JSON.stringify(tokens) : "");
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
      });
      await page.goto(`${base}${path}`, { waitUntil: "networkidle" });
      await page.waitForTimeout(400);
      const file = join(values.out, `${name}-${size}.png`);
      await page.screenshot({ path: file, fullPage: size === "desktop" ? false : false });
      console.log(`${file}${problems.length ? `  problems: ${problems.join(" | ")}` : ""}`);
      if (axeSource) {
        const found = await audit(page);
        violations += found.length;
        for (const line of found) console.log(`  axe ${line}`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (violations) {
  console.log(`${violations} serious or critical accessibility violations`);
  process.exit(1);
}
