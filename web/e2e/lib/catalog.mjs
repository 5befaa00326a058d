// Titles of the catalog under test, as the API shows them to a viewer.
import { call } from "./api.mjs";
import { eventually } from "./wait.mjs";

/** Every title the viewer (`token`, or anonymous) may see, with `query` filters. */
export async function everyTitle({ token, query = "" } = {}) {
  const titles = [];
  let cursor = null;
  do {
    const page = await call(`/api/catalog/content?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    titles.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return titles;
}

/**
 * A free title of `type` with a video, waited for: the demo videos are transcoded in the
 * background after the platform starts.
 */
export function playableTitle({ token, type = "movie", timeout = 180_000 } = {}) {
  return eventually(
    async () => (await everyTitle({ token, query: `&type=${type}` })).find((t) => t.playable && !t.locked),
    { timeout, interval: 2000, what: `a playable free ${type} in the catalog` },
  );
}

/** The ids of the titles a search finds for the viewer. */
export async function searchIds(q, { token } = {}) {
  const found = await call(`/api/catalog/search?q=${encodeURIComponent(q)}&limit=50`, { token });
  return new Set(found.items.map((item) => item.id));
}
