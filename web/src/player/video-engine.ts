// Video.js 8 and its VHS engine (HLS and DASH over Media Source Extensions), set up for the
// platform: no built-in controls (the app draws its own), emulated tracks so subtitles load
// at once under a still-valid token, and one request hook per player that puts the bearer
// token on /api/ requests and the freshest media token into every media URL.
import "video.js/dist/video-js.css";

import videojs from "video.js";

import { markPlaybackStep } from "./marks";
import type { PlaybackSurface, SurfaceEvent } from "./surface";

type Player = ReturnType<typeof videojs>;

export interface EngineSource {
  url: string;
  /** "application/x-mpegURL" (HLS) or "application/dash+xml" (DASH). */
  type: string;
}

export interface RemoteSubtitle {
  language: string;
  label: string;
  url: string;
}

export interface RequestHooks {
  /** Rewrites each request's URL (a playback session's fresh media token). */
  rewriteUrl?: (url: string) => string;
  /** Headers for a request (the bearer token for /api/ URLs), or null for none. */
  requestHeaders?: (url: string) => Record<string, string> | null;
}

/** How a player is made: before it knows what it plays (a player made ahead of its page). */
export interface EngineSetup extends RequestHooks {
  muted?: boolean;
}

/** What a player plays, given once. */
export interface EngineMedia {
  source: EngineSource;
  subtitles?: readonly RemoteSubtitle[];
  /** Seconds to start from once the metadata is loaded. */
  startTime?: number;
}

interface RequestOptions {
  uri: string;
  headers?: Record<string, string>;
}

interface VhsXhr {
  onRequest(hook: (options: RequestOptions) => RequestOptions): void;
}

export interface Engine {
  player: Player;
  surface: PlaybackSurface;
  /** The text tracks made for the media's subtitles, in their order. */
  subtitleTracks: TextTrack[];
  /** The source given to load(), or null before. */
  readonly sourceUrl: string | null;
  /** Starts loading `media`; once per engine. */
  load(media: EngineMedia): void;
  /** Replaces the request hooks for every later request. */
  setRequestHooks(hooks: RequestHooks): void;
  /** Moves the player into `mount` (a player made ahead of its page, in a holder). */
  moveTo(mount: HTMLElement): void;
  dispose(): void;
}

const HAVE_METADATA = 1;

export function createEngine(mount: HTMLElement, setup: EngineSetup = {}): Engine {
  const element = document.createElement("video-js");
  element.classList.add("vjs-fill");
  mount.appendChild(element);
  const player = videojs(element, {
    controls: false,
    autoplay: false,
    preload: "auto",
    playsinline: true,
    muted: setup.muted ?? false,
    fill: true,
    // Only the picture and the subtitles: the app draws the controls, spinner and errors.
    children: ["mediaLoader", "textTrackDisplay"],
    userActions: { hotkeys: false, doubleClick: false, click: false },
    html5: {
      vhs: { overrideNative: !videojs.browser.IS_SAFARI },
      nativeAudioTracks: false,
      nativeVideoTracks: false,
      nativeTextTracks: false,
    },
  });

  let hooks: RequestHooks = { rewriteUrl: setup.rewriteUrl, requestHeaders: setup.requestHeaders };
  player.on("xhr-hooks-ready", () => {
    const tech = player.tech({ IWillNotUseThisInPlugins: true }) as unknown as { vhs?: { xhr?: VhsXhr } };
    tech.vhs?.xhr?.onRequest((request) => {
      const uri = hooks.rewriteUrl ? hooks.rewriteUrl(request.uri) : request.uri;
      const headers = hooks.requestHeaders?.(uri) ?? null;
      return { ...request, uri, headers: headers ? { ...request.headers, ...headers } : request.headers };
    });
  });
  // Kept across source changes (manualCleanup): the player is disposed with its tracks. The
  // stream's own subtitle renditions (HLS SUBTITLES, DASH text sets) are left disabled.
  const subtitleTracks: TextTrack[] = [];
  let sourceUrl: string | null = null;
  const load = (media: EngineMedia) => {
    if (sourceUrl !== null) throw new Error("the engine is already loading a source");
    sourceUrl = media.source.url;
    markPlaybackStep("source-loading");
    const startTime = media.startTime ?? 0;
    if (startTime > 0) player.one("loadedmetadata", () => player.currentTime(startTime));
    player.src({ src: media.source.url, type: media.source.type });
    for (const subtitle of media.subtitles ?? []) {
      const added = player.addRemoteTextTrack(
        { kind: "subtitles", src: subtitle.url, srclang: subtitle.language, label: subtitle.label, mode: "disabled" },
        true,
      ) as unknown as HTMLTrackElement | undefined;
      if (added?.track) subtitleTracks.push(added.track);
    }
  };

  const surface: PlaybackSurface = {
    currentTime: () => player.currentTime() ?? 0,
    duration: () => {
      const duration = player.duration();
      return player.readyState() >= HAVE_METADATA && duration !== undefined && Number.isFinite(duration)
        ? duration
        : Number.NaN;
    },
    paused: () => player.paused(),
    seek: (seconds) => void player.currentTime(seconds),
    play: () => player.play() ?? undefined,
    pause: () => player.pause(),
    on: (event: SurfaceEvent, listener: () => void) => {
      player.on(event, listener);
      return () => {
        if (!player.isDisposed()) player.off(event, listener);
      };
    },
    host: () => (player.isDisposed() ? null : player.el() as HTMLElement),
  };

  return {
    player,
    surface,
    subtitleTracks,
    get sourceUrl() {
      return sourceUrl;
    },
    load,
    setRequestHooks: (next) => {
      hooks = next;
    },
    moveTo: (mount) => {
      const el = player.el();
      if (el.parentElement !== mount) mount.appendChild(el);
    },
    dispose: () => {
      if (!player.isDisposed()) player.dispose();
    },
  };
}
