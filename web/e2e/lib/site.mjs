// One account set up to show every page with something on it: profiles in English, Hindi and
// for kids, an editor's role, a list, some viewing (continue watching, next up) and a draft.
import { call, newAccount, selectProfile, sessionOf, setRoles, signIn } from "./api.mjs";
import { playableTitle } from "./catalog.mjs";
import { newDevice } from "./browser.mjs";
import { adminCredentials } from "./env.mjs";
import { watchPart } from "./viewing.mjs";

// Every context of this account uses one device id: starting to watch again on another
// context then replaces the stream instead of meeting the free plan's limit of one.
export const DEVICE_ID = "web-e2e-pages";

export async function setUpSite() {
  const admin = adminCredentials();
  const adminToken = (await signIn(admin.email, admin.password)).access_token;
  const account = await newAccount("pages", { profileName: "Asha" });
  await setRoles(adminToken, account.userId, ["viewer", "editor"]);
  const token = (await signIn(account.email, account.password)).access_token;
  const hindi = await call("/api/auth/profiles", {
    token,
    body: { name: "दादी", avatar_url: "/avatars/4.svg", language_preference: "hi" },
  });
  const kids = await call("/api/auth/profiles", { token, body: { name: "Chintu", avatar_url: "/avatars/7.svg", is_kids: true } });
  const sessions = {
    en: sessionOf(await selectProfile(token, account.profileId)),
    hi: sessionOf(await selectProfile(token, hindi.id)),
    kids: sessionOf(await selectProfile(token, kids.id)),
  };

  const film = await playableTitle();
  const series = await playableTitle({ type: "tv_show" });
  const detail = await call(`/api/catalog/content/${series.id}`, { token: sessions.en.accessToken });
  const episodes = await call(`/api/catalog/seasons/${detail.seasons[0].id}/episodes`, { token: sessions.en.accessToken });
  const episode = episodes.find((e) => e.playable);
  for (const language of ["en", "hi"]) {
    const viewer = sessions[language].accessToken;
    await call("/api/activity/watchlist", { token: viewer, body: { content_id: film.id } });
    await call("/api/activity/watchlist", { token: viewer, body: { content_id: series.id } });
    const device = { id: DEVICE_ID, type: "web", name: "Setup" };
    await watchPart({ token: viewer, contentId: film.id, fraction: 0.5, device });
    if (episode) await watchPart({ token: viewer, contentId: series.id, episodeId: episode.id, fraction: 1, device });
  }
  const draft = await call("/api/cms/content", {
    token: sessions.en.accessToken,
    body: { type: "movie", title: "Monsoon Letters", title_hi: "मानसून के ख़त", description: "A draft of the studio's pages.", genres: ["drama"] },
  });
  return { sessions, film, series, draft };
}

/** The app's pages: [name, path, who] ("anonymous", or a profile's language or "kids"). */
export function pagesOf({ film, series, draft }, language) {
  const me = language;
  const word = film.title.split(" ").find((w) => w.length > 3) ?? film.title;
  return [
    ["home", "/", me],
    ["browse", "/browse/?type=movie&sort=popularity", me],
    ["search", `/search/?q=${encodeURIComponent(word.slice(0, 5))}`, me],
    ["title-film", `/title/?id=${film.id}`, me],
    ["title-series", `/title/?id=${series.id}`, me],
    ["watch", `/watch/?id=${film.id}`, me],
    ["watchlist", "/watchlist/", me],
    ["account", "/account/", me],
    ["profiles", "/profiles/", me],
    ["studio", "/cms/", me],
    ["studio-new", "/cms/edit/", me],
    ["studio-edit", `/cms/edit/?id=${draft.id}`, me],
    ["studio-import", "/cms/import/", me],
    ["not-found", "/no-such-page/", me],
    ["home-kids", "/", "kids"],
    ["home-anonymous", "/", "anonymous"],
    ["signin", "/signin/", "anonymous"],
    ["signup", "/signup/", "anonymous"],
    ["reset-password", "/reset-password/", "anonymous"],
    ["plans", "/plans/", "anonymous"],
  ];
}

/** Opens `path` and waits until the page has what it loads (lists, the player's video). */
export async function openSettled(page, path) {
  const response = await page.goto(path, { waitUntil: "networkidle" });
  if (path.startsWith("/watch/")) {
    await page.waitForFunction(() => (document.querySelector('[data-testid="player"] video')?.readyState ?? 0) >= 2, null, { timeout: 30_000 });
  }
  // Skeletons stand in while lists load: none is left once the page has settled.
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, null, { timeout: 15_000 }).catch(() => undefined);
  return response;
}

/** A context for `who` of the site: a profile ("en", "hi", "kids") or "anonymous" reading `language`. */
export function deviceFor(browser, site, who, { language, viewport, userAgent } = {}) {
  const session = who === "anonymous" ? null : site.sessions[who];
  return newDevice(browser, { viewport, userAgent, session, language, storage: { "ott.device-id": DEVICE_ID } });
}
