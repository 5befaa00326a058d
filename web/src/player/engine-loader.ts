// The player's engine (Video.js with VHS: most of the player's code) is a chunk of its own. It
// is loaded when a player mounts, or earlier, by a page whose next step is likely playback
// (the title page, the watch page while its playback session starts), so that pressing play
// does not wait for the chunk to arrive and be evaluated.
import { loadOnce } from "@/lib/load-once";

export const loadEngine = loadOnce(() => import("./video-engine"));

/**
 * Loads the engine once the browser is idle, then runs `then` (which may make a player ahead
 * of time); the returned function cancels the wait.
 */
export function preloadEngineWhenIdle(then?: () => void): () => void {
  if (typeof window === "undefined") return () => undefined;
  const load = () =>
    void loadEngine()
      .then(() => then?.())
      .catch(() => undefined);
  if (typeof window.requestIdleCallback === "function") {
    const handle = window.requestIdleCallback(load, { timeout: 2000 });
    return () => window.cancelIdleCallback(handle);
  }
  const handle = window.setTimeout(load, 200);
  return () => window.clearTimeout(handle);
}
