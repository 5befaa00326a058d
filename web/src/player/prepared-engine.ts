// Players made before their page, so that pressing Play does not wait for one to be built.
//
// - A title page, once idle, makes a warm player: Video.js set up with no source yet, in a
//   holder that is `display: none`.
// - Once the Play press's start answer is in (early-start.ts), that player (or a new one) is
//   given the session's stream. Shown, its holder covers the page, black and full screen as
//   the watch page is, and the picture shows there as soon as it plays.
// - The watch page's player moves it in instead of making its own, and carries on.
//
// One prepared player at a time; one not taken within PREPARED_ENGINE_MS, or left by going
// back, is disposed.
import { loadEngine } from "./engine-loader";
import { markPlaybackStep } from "./marks";
import type { Engine, EngineMedia, EngineSetup } from "./video-engine";

export const PREPARED_ENGINE_MS = 5000;

export interface PrepareOptions {
  /** Shown at once, over the page (otherwise hidden until taken). */
  shown?: boolean;
  /** Runs once the player is loading the media (a session's controller attaches). */
  onLoading?: (engine: Engine) => void;
  /** Runs when the player is disposed without having been taken. */
  onDiscard?: () => void;
  keepMs?: number;
}

interface Waiting {
  engine: Promise<Engine>;
  holder: HTMLElement;
}

interface Prepared extends Waiting {
  url: string;
  expiry: ReturnType<typeof setTimeout>;
  onDiscard?: () => void;
}

/** The shown holder: where the watch page's frame will be (app/watch/page.tsx). */
const SHOWN_HOLDER = "fixed inset-0 z-50 bg-black";
const SPINNER =
  "pointer-events-none absolute left-1/2 top-1/2 size-12 -translate-x-1/2 -translate-y-1/2 animate-spin rounded-full border-4 border-white/25 border-t-white";

let warm: Waiting | null = null;
let prepared: Prepared | null = null;

function made(setup: EngineSetup): Waiting {
  const holder = document.createElement("div");
  holder.hidden = true;
  document.body.appendChild(holder);
  const engine = loadEngine().then(({ createEngine }) => createEngine(holder, setup));
  return { engine, holder };
}

function show(holder: HTMLElement, engine: Promise<Engine>): void {
  holder.className = SHOWN_HOLDER;
  holder.setAttribute("aria-hidden", "true");
  const spinner = document.createElement("div");
  spinner.className = SPINNER;
  holder.appendChild(spinner);
  holder.hidden = false;
  engine.then((ready) => ready.player.any(["playing", "error"], () => spinner.remove())).catch(() => undefined);
}

/** Makes the warm player (once idle, on a page whose next step is likely playback). */
export function warmEngine(): void {
  if (warm !== null) return;
  const entry = made({});
  entry.engine.catch(() => {
    if (warm === entry) {
      warm = null;
      entry.holder.remove();
    }
  });
  warm = entry;
}

/**
 * Gives `media` to the warm player (or a new one), for the next player of that source to
 * take. Resolves with the player once it is loading the media.
 */
export function prepareEngine(media: EngineMedia, setup: EngineSetup = {}, options: PrepareOptions = {}): Promise<Engine> {
  discardPreparedEngine();
  const base = warm ?? made(setup);
  warm = null;
  const engine = base.engine.then((ready) => {
    ready.setRequestHooks(setup);
    ready.player.muted(setup.muted ?? false);
    ready.load(media);
    options.onLoading?.(ready);
    return ready;
  });
  if (options.shown) show(base.holder, engine);
  const entry: Prepared = {
    url: media.source.url,
    engine,
    holder: base.holder,
    onDiscard: options.onDiscard,
    expiry: setTimeout(() => {
      if (prepared === entry) discardPreparedEngine();
    }, options.keepMs ?? PREPARED_ENGINE_MS),
  };
  engine.catch(() => {
    if (prepared === entry) discardPreparedEngine();
  });
  window.addEventListener("popstate", discardPreparedEngine);
  prepared = entry;
  return engine;
}

/**
 * The prepared player of `url`, moved into `mount`, once; null when none was prepared for
 * that source (the caller makes its own).
 */
export function takePreparedEngine(url: string, mount: HTMLElement): Promise<Engine> | null {
  const entry = prepared;
  if (entry === null || entry.url !== url) return null;
  prepared = null;
  clearTimeout(entry.expiry);
  window.removeEventListener("popstate", discardPreparedEngine);
  return entry.engine.then(
    (engine) => {
      engine.moveTo(mount);
      entry.holder.remove();
      markPlaybackStep("player-taken");
      return engine;
    },
    (error: unknown) => {
      entry.holder.remove();
      throw error;
    },
  );
}

/** Disposes the prepared player waiting to be taken, if any (a page that will not take it). */
export function discardPreparedEngine(): void {
  const entry = prepared;
  if (entry === null) return;
  prepared = null;
  clearTimeout(entry.expiry);
  window.removeEventListener("popstate", discardPreparedEngine);
  entry.holder.remove();
  entry.engine.then((engine) => engine.dispose()).catch(() => undefined);
  entry.onDiscard?.();
}
