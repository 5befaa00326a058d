// A player made before its page. Once the Play press's start answer is in (early-start.ts),
// an engine is made for its stream in a holder that is not displayed, and it loads the
// manifest, the media playlists and the first segments while the app changes to the watch
// page. That page's player moves it in instead of making its own, so playing starts from
// what has already arrived. One at a time; one not taken within PREPARED_ENGINE_MS is
// disposed. The holder is `display: none`: nothing of the picture shows (or is presented to
// the compositor) before the page's player has it.
import { loadEngine } from "./engine-loader";
import type { Engine, EngineOptions } from "./video-engine";

export const PREPARED_ENGINE_MS = 5000;

interface Prepared {
  url: string;
  engine: Promise<Engine>;
  holder: HTMLElement;
  expiry: ReturnType<typeof setTimeout>;
}

let prepared: Prepared | null = null;

/** Makes an engine for `options.source` now, for the next player of that source to take. */
export function prepareEngine(options: EngineOptions, keepMs: number = PREPARED_ENGINE_MS): void {
  discardPreparedEngine();
  const holder = document.createElement("div");
  holder.hidden = true;
  holder.dataset.testid = "prepared-player";
  document.body.appendChild(holder);
  const engine = loadEngine().then(({ createEngine }) => createEngine(holder, options));
  const entry: Prepared = {
    url: options.source.url,
    engine,
    holder,
    expiry: setTimeout(() => {
      if (prepared === entry) discardPreparedEngine();
    }, keepMs),
  };
  engine.catch(() => {
    if (prepared === entry) discardPreparedEngine();
  });
  prepared = entry;
}

/**
 * The prepared engine of `url`, moved into `mount`, once; null when none was prepared for
 * that source (the caller makes its own).
 */
export function takePreparedEngine(url: string, mount: HTMLElement): Promise<Engine> | null {
  const entry = prepared;
  if (entry === null || entry.url !== url) return null;
  prepared = null;
  clearTimeout(entry.expiry);
  return entry.engine.then(
    (engine) => {
      engine.moveTo(mount);
      entry.holder.remove();
      return engine;
    },
    (error: unknown) => {
      entry.holder.remove();
      throw error;
    },
  );
}

/** Disposes the engine waiting to be taken, if any. */
export function discardPreparedEngine(): void {
  const entry = prepared;
  if (entry === null) return;
  prepared = null;
  clearTimeout(entry.expiry);
  entry.holder.remove();
  entry.engine.then((engine) => engine.dispose()).catch(() => undefined);
}
