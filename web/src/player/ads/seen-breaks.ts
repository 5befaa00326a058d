// The mid-rolls this browser has shown, per title, for a while: coming back to a title (a
// resume) does not show a break again that was seen a moment ago. The ad service leaves such
// breaks out of its VMAP as well; this covers a VMAP made before the break was seen.

export interface SeenBreaks {
  has(title: string, breakId: string): boolean;
  add(title: string, breakId: string): void;
}

const KEY = "ott.ads.seen";
export const SEEN_FOR_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 200;

type Record = { [entry: string]: number };

/** In `storage` (localStorage by default); forgets entries older than `forMs`. */
export function storedSeenBreaks(
  storage: Pick<Storage, "getItem" | "setItem"> | null = typeof localStorage === "undefined" ? null : localStorage,
  { forMs = SEEN_FOR_MS, now = () => Date.now() }: { forMs?: number; now?: () => number } = {},
): SeenBreaks {
  const read = (): Record => {
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? "{}");
      if (typeof parsed !== "object" || parsed === null) return {};
      const fresh: Record = {};
      for (const [entry, at] of Object.entries(parsed)) {
        if (typeof at === "number" && now() - at < forMs) fresh[entry] = at;
      }
      return fresh;
    } catch {
      return {};
    }
  };
  const entryOf = (title: string, breakId: string) => `${title}#${breakId}`;
  return {
    has: (title, breakId) => entryOf(title, breakId) in read(),
    add: (title, breakId) => {
      const record = read();
      record[entryOf(title, breakId)] = now();
      const kept = Object.entries(record)
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_ENTRIES);
      try {
        storage?.setItem(KEY, JSON.stringify(Object.fromEntries(kept)));
      } catch {
        // storage full or refused: the ad service still leaves the break out
      }
    },
  };
}
