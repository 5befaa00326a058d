// Playing one ad break (a chunk of its own, loaded when a title has breaks): its VAST from the
// ad server (wrappers followed, at most 5 deep), parsed and tracked with
// @dailymotion/vast-client, each linear ad of the pod played by a Video.js player of its own
// laid over the content's picture. Every way an ad can fail (no answer within the timeout, an
// empty VAST, no playable media file, a stall, a media error) ends the break: the content
// goes on.
import { VASTClient, VASTTracker } from "@dailymotion/vast-client";

import { loadEngine } from "../engine-loader";
import type { Engine } from "../video-engine";
import type { AdViewStore } from "./ad-view";
import { chooseMediaFile } from "./media-file";
import { absoluteUrls, clickThroughOf, playableAds, type Playable } from "./vast-ads";
import { timedSignal } from "./vmap-source";
import type { VastBreak, VastTag } from "./vmap";

// VAST error codes (IAB VAST 4.2, 2.3.6.3).
const ERROR_MEDIA_TIMEOUT = "402";
const ERROR_NO_SUPPORTED_MEDIA = "403";
const ERROR_MEDIA_PROBLEM = "405";
const ERROR_UNDEFINED = "900";

export interface PlayVastOptions {
  signal: AbortSignal;
  /** The content player's element: the ad's picture goes over the content's, inside it. */
  host: HTMLElement;
  view: AdViewStore;
  timeoutMs: number;
  requestHeaders?: (url: string) => Record<string, string> | null;
}

function ping(url: string): void {
  if (typeof Image === "undefined" || !url) return;
  const image = new Image();
  image.src = url;
}

/** The VMAP's own tracking of the break (breakStart, breakEnd, error). */
function trackBreak(tag: VastTag, event: string, errorCode?: string): void {
  for (const tracking of tag.tracking) {
    if (tracking.event === event) ping(tracking.uri.replace("[ERRORCODE]", errorCode ?? ERROR_UNDEFINED));
  }
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function vastDocument(tag: VastTag, signal: AbortSignal, timeoutMs: number): Promise<Document> {
  let text = tag.inlineVast;
  if (tag.tagUrl) {
    const timed = timedSignal(signal, timeoutMs);
    try {
      const answer = await fetch(tag.tagUrl, { signal: timed.signal });
      if (!answer.ok) throw new Error(`VAST: ${answer.status}`);
      text = await answer.text();
    } finally {
      timed.clear();
    }
  }
  const xml = new DOMParser().parseFromString(text ?? "", "text/xml");
  if (xml.getElementsByTagName("parsererror").length > 0) throw new Error("VAST: not XML");
  return absoluteUrls(xml, new URL(tag.tagUrl ?? "", document.baseURI).href);
}

/**
 * Plays `adBreak`. Resolves once it is over, with whether an ad was shown (its impression
 * counted); never rejects for a failing ad.
 */
export async function playVastBreak(adBreak: VastBreak, options: PlayVastOptions): Promise<boolean> {
  const tag = adBreak.payload;
  if (!tag) return false;
  const { signal, timeoutMs } = options;
  trackBreak(tag, "breakStart");
  let shown = false;
  try {
    const client = new VASTClient(0, 0);
    const ads = await timeout(
      vastDocument(tag, signal, timeoutMs).then((xml) => playableAds(client, xml, timeoutMs)),
      timeoutMs * 2,
      "VAST",
    );
    for (const [index, playable] of ads.entries()) {
      if (signal.aborted) break;
      const played = await playAd(client, playable, { ...options, adBreak, index, count: ads.length });
      shown ||= played;
    }
  } catch (error) {
    if (!signal.aborted) {
      console.warn("ad break not played", adBreak.id, error);
      trackBreak(tag, "error", ERROR_UNDEFINED);
    }
  } finally {
    options.view.set(null);
    trackBreak(tag, "breakEnd");
  }
  return shown;
}

function playAd(
  client: VASTClient,
  { ad, creative }: Playable,
  options: PlayVastOptions & { adBreak: VastBreak; index: number; count: number },
): Promise<boolean> {
  const { host, view, signal, timeoutMs } = options;
  const contentVideo = host.querySelector("video");
  const startMuted = contentVideo?.muted ?? false;
  const tracker = new VASTTracker(client, ad as never, creative as never, null, startMuted);

  const mount = document.createElement("div");
  mount.setAttribute("data-testid", "player-ad-video");
  mount.style.cssText = "position:absolute;inset:0;z-index:1;background:#000";
  host.appendChild(mount);

  return new Promise<boolean>((resolve) => {
    let engine: Engine | null = null;
    let impressed = false;
    let done = false;
    let lastTime = -1;
    let lastProgressAt = Date.now();
    let viewerPaused = false;
    const startedBy = Date.now() + timeoutMs;

    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      signal.removeEventListener("abort", finish);
      engine?.dispose();
      mount.remove();
      view.set(null);
      resolve(impressed);
    };
    const fail = (code: string) => {
      if (done) return;
      tracker.errorWithCode(code);
      finish();
    };

    // Nothing shown in time, or the picture stopped moving without the viewer pausing it.
    const watchdog = setInterval(() => {
      const player = engine?.player;
      if (!player || player.isDisposed()) return;
      if (!impressed && Date.now() > startedBy) return fail(ERROR_MEDIA_TIMEOUT);
      if (impressed && !viewerPaused && Date.now() - lastProgressAt > timeoutMs) fail(ERROR_MEDIA_PROBLEM);
    }, 500);
    signal.addEventListener("abort", finish);
    if (signal.aborted) return finish();

    tracker.on("clickthrough", (url: string) => {
      if (url) window.open(url, "_blank", "noopener");
    });

    view.set(
      {
        breakId: options.adBreak.id,
        index: options.index + 1,
        count: options.count,
        duration: creative.duration > 0 ? creative.duration : null,
        currentTime: 0,
        skipOffset: typeof creative.skipDelay === "number" && creative.skipDelay >= 0 ? creative.skipDelay : null,
        clickThrough: clickThroughOf(creative),
        paused: false,
        muted: startMuted,
      },
      {
        skip: () => {
          const player = engine?.player;
          const skipAt = view.get()?.skipOffset ?? null;
          if (!player || skipAt === null || (player.currentTime() ?? 0) < skipAt) return;
          tracker.skip();
          finish();
        },
        clickThrough: () => {
          tracker.click();
          const player = engine?.player;
          if (player && !player.paused()) {
            viewerPaused = true;
            player.pause();
          }
        },
        togglePause: () => {
          const player = engine?.player;
          if (!player) return;
          if (player.paused()) {
            viewerPaused = false;
            lastProgressAt = Date.now();
            void Promise.resolve(player.play()).catch(() => undefined);
          } else {
            viewerPaused = true;
            player.pause();
          }
        },
        toggleMute: () => {
          const player = engine?.player;
          if (player) player.muted(!player.muted());
        },
      },
    );

    loadEngine()
      .then(({ createEngine }) => {
        if (done) return;
        const made = createEngine(mount, { muted: startMuted, requestHeaders: options.requestHeaders });
        engine = made;
        const { player } = made;
        const chosen = chooseMediaFile(creative.mediaFiles, {
          playerHeight: Math.round((host.clientHeight || 720) * (window.devicePixelRatio || 1)),
          canPlay: (mimeType) => player.canPlayType(mimeType) !== "",
        });
        if (chosen === null) return fail(ERROR_NO_SUPPORTED_MEDIA);
        player.on("loadedmetadata", () => {
          const duration = player.duration();
          if (duration && Number.isFinite(duration)) {
            tracker.setDuration(duration);
            view.update({ duration });
          }
        });
        player.on("playing", () => {
          lastProgressAt = Date.now();
          if (!impressed) {
            impressed = true;
            tracker.trackImpression();
          }
        });
        player.on("timeupdate", () => {
          const now = player.currentTime() ?? 0;
          if (now !== lastTime) {
            lastTime = now;
            lastProgressAt = Date.now();
          }
          tracker.setProgress(now);
          view.update({ currentTime: now });
        });
        // Pause and resume of an ad that has started (not the player's own steps before it).
        let pauseTracked = false;
        player.on("pause", () => {
          if (player.ended()) return;
          view.update({ paused: true });
          if (!impressed) return;
          tracker.setPaused(true);
          pauseTracked = true;
        });
        player.on("play", () => {
          view.update({ paused: false });
          if (!pauseTracked) return;
          tracker.setPaused(false);
          pauseTracked = false;
        });
        player.on("volumechange", () => {
          tracker.setMuted(player.muted() ?? false);
          view.update({ muted: player.muted() ?? false });
        });
        player.on("ended", () => {
          tracker.complete();
          finish();
        });
        player.on("error", () => fail(ERROR_MEDIA_PROBLEM));
        player.src({ src: chosen.url, type: chosen.type });
        const start = (muted: boolean) => {
          player.muted(muted);
          return Promise.resolve(player.play());
        };
        // Refused with sound (autoplay rules), an ad plays muted; refused muted too, it is skipped.
        start(startMuted).catch(() => start(true).catch(() => fail(ERROR_UNDEFINED)));
      })
      .catch(() => fail(ERROR_UNDEFINED));
  });
}
