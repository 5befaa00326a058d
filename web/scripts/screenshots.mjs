// Screenshots of the app's pages at phone and desktop widths, signed in as a new account
// (and as a Hindi and a kids profile of it), with Debian's Chromium:
//   node scripts/screenshots.mjs [--base http://127.0.0.1:3200] [--out /tmp/ott-shots]
// The base URL serves the app and the API (npm run serve, or the gateway). With --axe, every
// page is also checked with axe-core (WCAG 2.2 A/AA rules) and serious or critical violations
// are listed; the script then exits 1 if there were any.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { apiAt, sessionOf } from "../e2e/lib/api.mjs";
import { seriousViolations } from "../e2e/lib/axe.mjs";
import { launchChromium, newDevice } from "../e2e/lib/browser.mjs";
import { watchPart } from "../e2e/lib/viewing.mjs";

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

const call = apiAt(base);
const tokensOf = sessionOf;

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
const watch = (contentId, episodeId, fraction) =>
  watchPart({
    api: call,
    token: sessions.main.accessToken,
    contentId,
    episodeId,
    fraction,
    device: { id: "screenshots", type: "web", name: "Screenshots" },
  });
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

let violations = 0;

const browser = await launchChromium();
try {
  for (const [name, path, who] of pages) {
    if (values.only && !name.startsWith(values.only)) continue;
    for (const [size, viewport] of Object.entries(widths)) {
      const context = await newDevice(browser, { base, viewport, session: sessions[who] });
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
      if (values.axe) {
        const found = await seriousViolations(page);
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
