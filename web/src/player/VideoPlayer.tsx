"use client";

// The app's video player: Video.js 8 (loaded on demand) with the app's own controls. Used by
// the watch page for playback sessions and by the CMS to preview an encoding.
import { Loader2, Play } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { useT } from "@/i18n";

import "./player.css";
import { cn } from "@/lib/utils";

import { ControlBar, type ControlActions, type ControlInfo } from "./controls/control-bar";
import { loadEngine } from "./engine-loader";
import { takePreparedEngine } from "./prepared-engine";
import { keyPressOf, setShortcutsEnabled, shortcutFor, shortcutsEnabled, SEEK_STEP_SECONDS, VOLUME_STEP, type ShortcutAction } from "./shortcuts";
import type { PlaybackSurface } from "./surface";
import { parseThumbnails, type ThumbnailCue } from "./thumbnails";
import type { AudioTrackInfo, Quality } from "./types";
import { abrChoice, audioTracksOf, flushAfterRungChange, qualityLevelsOf, usePlayerState } from "./use-player-state";
import type { Engine, EngineSource, RemoteSubtitle } from "./video-engine";

export interface VideoPlayerProps {
  source: EngineSource;
  /** What is playing, for the player's accessible name. */
  title: string;
  /** Seconds to start from once the metadata is loaded (a preview; sessions resume themselves). */
  startTime?: number;
  autoPlay?: boolean;
  muted?: boolean;
  /** Headers for a request to `url`, e.g. the bearer token for /api/ URLs; null for none. */
  requestHeaders?: (url: string) => Record<string, string> | null;
  /** Rewrites every media URL before it is requested (a session's fresh token). */
  rewriteUrl?: (url: string) => string;
  subtitles?: readonly RemoteSubtitle[];
  /** The WebVTT sprite track for seek-bar previews. */
  thumbnailsUrl?: string | null;
  /** Names of the rungs ("720p"), matched to the stream's quality levels by size. */
  qualities?: readonly Quality[];
  /** Labels of the audio tracks by language. */
  audio?: readonly AudioTrackInfo[];
  /** Preferred subtitle language for the C key when none was chosen yet. */
  subtitleLanguage?: string | null;
  /** Content controls are locked (an ad break plays). */
  locked?: boolean;
  /** Seconds of the ad breaks still to come, marked on the seek bar. */
  adMarkers?: readonly number[];
  /** "page": shortcuts work while nothing else has focus (a full-page player); "player": only inside it. */
  shortcutScope?: "page" | "player";
  /** Shown at the top with the controls (a back link and the title). */
  topBar?: ReactNode;
  /** Overlays over the picture (next-episode countdown, messages). */
  children?: ReactNode;
  className?: string;
  onSurface?: (surface: PlaybackSurface | null) => void;
  onEnded?: () => void;
  onError?: (error: MediaError) => void;
}

/** How long a chosen rung's seek waits for the rung's data under the picture. */
const SWITCH_WAIT_MS = 10_000;

/** What VHS says of each segment it appended (the player's `appendsdone` event). */
interface AppendedSegment {
  type: string;
  start: number;
  duration: number;
}

const IDLE_MS = 3000;
const OFFER_PLAY_MS = 500;

function useThumbnails(url: string | null | undefined): ThumbnailCue[] {
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  useEffect(() => {
    setCues([]);
    if (!url) return;
    const controller = new AbortController();
    const absolute = new URL(url, window.location.href).href;
    fetch(absolute, { signal: controller.signal })
      .then((answer) => (answer.ok ? answer.text() : ""))
      .then((text) => setCues(parseThumbnails(text, absolute)))
      .catch(() => undefined); // previews are a nicety: the seek bar works without them
    return () => controller.abort();
  }, [url]);
  return cues;
}

export function VideoPlayer(props: VideoPlayerProps) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const mount = useRef<HTMLDivElement>(null);
  const [containerElement, setContainerElement] = useState<HTMLElement | null>(null);
  const [engine, setEngine] = useState<Engine | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [shortcuts, setShortcuts] = useState(true);
  const [active, setActive] = useState(true);
  const [menus, setMenus] = useState(0);
  const [pipAvailable, setPipAvailable] = useState(false);
  const lastSubtitle = useRef<number>(-1);
  /** Stops waiting for a chosen rung's switch (a later choice replaces it). */
  const pendingSwitch = useRef<(() => void) | null>(null);
  const state = usePlayerState(engine);
  const thumbnails = useThumbnails(props.thumbnailsUrl);

  // Callbacks and options read by the engine's hooks at request time, not at creation.
  const latest = useRef(props);
  latest.current = props;

  const { url: sourceUrl, type: sourceType } = props.source;
  useEffect(() => {
    const element = mount.current;
    if (element === null) return;
    let disposed = false;
    let made: Engine | null = null;
    setContainerElement(container.current);
    setShortcuts(shortcutsEnabled());
    setPipAvailable(typeof document !== "undefined" && document.pictureInPictureEnabled === true);
    const hooks = {
      rewriteUrl: (url: string) => latest.current.rewriteUrl?.(url) ?? url,
      requestHeaders: (url: string) => latest.current.requestHeaders?.(url) ?? null,
    };
    // The player made ahead of this page for this source (the Play press), or a new one.
    const making =
      takePreparedEngine(sourceUrl, element) ??
      loadEngine().then(({ createEngine }) => {
        if (disposed) return null;
        const options = latest.current;
        const engine = createEngine(element, { ...hooks, muted: options.muted });
        engine.load({ source: { url: sourceUrl, type: sourceType }, subtitles: options.subtitles, startTime: options.startTime });
        return engine;
      });
    making
      .then((engine) => {
        if (engine === null) return;
        made = engine;
        if (disposed) {
          engine.dispose();
          return;
        }
        engine.setRequestHooks(hooks);
        const { player, surface } = engine;
        player.on("ended", () => latest.current.onEnded?.());
        const reportError = () => {
          const error = player.error() as MediaError | null;
          if (error) latest.current.onError?.(error);
        };
        player.on("error", reportError);
        reportError(); // a prepared player may have failed before it was taken
        setEngine(engine);
        latest.current.onSurface?.(surface);
        if (latest.current.autoPlay) {
          const played = player.play();
          if (played) played.catch(() => undefined); // autoplay refused: the big play button shows
        }
      })
      .catch(() => {
        if (!disposed) setLoadFailed(true);
      });
    return () => {
      disposed = true;
      latest.current.onSurface?.(null);
      setEngine(null);
      made?.dispose();
    };
  }, [sourceUrl, sourceType]);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === container.current);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  // Controls fade out while playing and nothing happens; any pointer move, key or focus brings them back.
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const wake = useCallback(() => {
    setActive(true);
    if (idleTimer.current !== null) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(() => setActive(false), IDLE_MS);
  }, []);
  useEffect(() => () => {
    if (idleTimer.current !== null) clearTimeout(idleTimer.current);
  }, []);
  // A keyboard user's focus stays visible: controls holding focus-visible do not fade.
  const [keyboardFocus, setKeyboardFocus] = useState(false);
  const showControls = active || state.paused || menus > 0 || keyboardFocus || props.locked === true;

  const actions = useMemo<ControlActions>(() => {
    const player = () => (engine && !engine.player.isDisposed() ? engine.player : null);
    return {
      togglePlay() {
        const p = player();
        if (!p || latest.current.locked) return;
        if (p.paused()) void Promise.resolve(p.play()).catch(() => undefined);
        else p.pause();
      },
      seekTo(seconds) {
        const p = player();
        if (p && !latest.current.locked) p.currentTime(seconds);
      },
      seekBy(delta) {
        const p = player();
        if (!p || latest.current.locked) return;
        const duration = engine?.surface.duration() ?? Number.NaN;
        const target = Math.max(0, (p.currentTime() ?? 0) + delta);
        p.currentTime(Number.isFinite(duration) ? Math.min(duration, target) : target);
      },
      toggleMute() {
        const p = player();
        if (p) p.muted(!p.muted());
      },
      setVolume(volume) {
        const p = player();
        if (!p) return;
        p.volume(Math.min(1, Math.max(0, volume)));
        p.muted(volume === 0);
      },
      chooseQuality(choice) {
        const p = player();
        const levels = p ? qualityLevelsOf(p) : null;
        if (!p || !levels) return;
        const all = Array.from({ length: levels.length }, (_, index) => levels[index]);
        if (choice === "auto") {
          pendingSwitch.current?.();
          for (const level of all) if (level) level.enabled = true;
          // Enabling a rung makes VHS switch to that rung; Auto asks its ABR choice instead.
          abrChoice(p);
          return;
        }
        // VHS switches (flushing what is buffered) when a rung goes from off to on, so all go
        // off first and the chosen one comes on last.
        for (const level of all) if (level) level.enabled = false;
        const chosen = all[choice];
        if (chosen) chosen.enabled = true;
        // The browser would go on decoding the old rung up to its next key frame (up to a
        // GOP, 2 s, later). A seek to where the picture is makes it decode the new rung from
        // there (a seek this small is no seek to the controller): once VHS is on the new rung
        // (which also makes VHS fetch the segment under the picture at once), and again when
        // that segment is appended if the first seek found the old rung's data still buffered.
        pendingSwitch.current?.();
        let onTheRung = false;
        const seekInPlace = () => {
          if (!p.isDisposed()) p.currentTime(p.currentTime() ?? 0);
        };
        const onChange = () => {
          if (onTheRung || levels.selectedIndex !== choice) return;
          onTheRung = true;
          // After VHS's own handlers of the change (a switch can be synchronous).
          setTimeout(() => {
            if (p.isDisposed()) return;
            flushAfterRungChange(p);
            seekInPlace();
          }, 0);
        };
        const onAppended = (event: unknown) => {
          const segment = (event as { metadata?: { segmentInfo?: AppendedSegment } }).metadata?.segmentInfo;
          if (!onTheRung || segment?.type !== "main" || p.isDisposed()) return;
          const at = p.currentTime() ?? 0;
          if (at < segment.start || at >= segment.start + segment.duration) return;
          pendingSwitch.current?.();
          if (p.videoHeight() !== chosen?.height) seekInPlace();
        };
        levels.on("change", onChange);
        p.on("appendsdone", onAppended);
        const giveUp = setTimeout(() => pendingSwitch.current?.(), SWITCH_WAIT_MS);
        pendingSwitch.current = () => {
          clearTimeout(giveUp);
          levels.off("change", onChange);
          if (!p.isDisposed()) p.off("appendsdone", onAppended);
          pendingSwitch.current = null;
        };
      },
      chooseAudio(index) {
        const p = player();
        const track = p ? audioTracksOf(p)[index] : undefined;
        if (track) track.enabled = true;
      },
      chooseSubtitle(index) {
        const p = player();
        if (!p || !engine) return;
        const chosen = engine.subtitleTracks[index] ?? null;
        const tracks = p.textTracks() as unknown as { length: number; [i: number]: TextTrack };
        for (let i = 0; i < tracks.length; i++) {
          const track = tracks[i];
          if (track && (track.kind === "subtitles" || track.kind === "captions") && track !== chosen) track.mode = "disabled";
        }
        if (chosen) {
          chosen.mode = "showing";
          lastSubtitle.current = index;
        }
      },
      toggleFullscreen() {
        const element = container.current;
        if (!element) return;
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
        else if (element.requestFullscreen) void element.requestFullscreen().catch(() => undefined);
        else player()?.requestFullscreen(); // iOS: only the video element itself goes full screen
      },
      togglePictureInPicture() {
        const p = player();
        if (!p) return;
        if (p.isInPictureInPicture()) void Promise.resolve(p.exitPictureInPicture()).catch(() => undefined);
        else void Promise.resolve(p.requestPictureInPicture()).catch(() => undefined);
      },
      setShortcuts(enabled) {
        setShortcutsEnabled(enabled);
        setShortcuts(enabled);
      },
      menuOpen(open) {
        setMenus((count) => Math.max(0, count + (open ? 1 : -1)));
      },
    };
  }, [engine]);

  const runShortcut = useCallback(
    (action: ShortcutAction) => {
      const p = engine?.player;
      if (!p || p.isDisposed()) return;
      switch (action) {
        case "togglePlay":
          return actions.togglePlay();
        case "fullscreen":
          return actions.toggleFullscreen();
        case "mute":
          return actions.toggleMute();
        case "seekBack":
          return actions.seekBy(-SEEK_STEP_SECONDS);
        case "seekForward":
          return actions.seekBy(SEEK_STEP_SECONDS);
        case "volumeUp":
          return actions.setVolume((p.muted() ? 0 : (p.volume() ?? 1)) + VOLUME_STEP);
        case "volumeDown":
          return actions.setVolume((p.muted() ? 0 : (p.volume() ?? 1)) - VOLUME_STEP);
        case "captions": {
          const tracks = engine.subtitleTracks;
          if (tracks.length === 0) return;
          const showing = tracks.findIndex((track) => track.mode === "showing");
          if (showing >= 0) return actions.chooseSubtitle(-1);
          const preferred = latest.current.subtitleLanguage
            ? (latest.current.subtitles ?? []).findIndex((s) => s.language === latest.current.subtitleLanguage)
            : -1;
          return actions.chooseSubtitle(lastSubtitle.current >= 0 ? lastSubtitle.current : Math.max(0, preferred));
        }
      }
    },
    [actions, engine],
  );

  const scope = props.shortcutScope ?? "player";
  useEffect(() => {
    if (!shortcuts || engine === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const focused = document.activeElement;
      const mine = container.current?.contains(focused) ?? false;
      const free = focused === null || focused === document.body;
      if (!mine && !(scope === "page" && free)) return;
      const action = shortcutFor(keyPressOf(event));
      if (action === null) return;
      event.preventDefault();
      wake();
      runShortcut(action);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [shortcuts, engine, scope, runShortcut, wake]);

  // A click on the picture plays or pauses, a double click goes full screen (the buttons do the same).
  useEffect(() => {
    const element = mount.current;
    if (element === null) return;
    const onClick = () => actions.togglePlay();
    const onDoubleClick = () => actions.toggleFullscreen();
    element.addEventListener("click", onClick);
    element.addEventListener("dblclick", onDoubleClick);
    return () => {
      element.removeEventListener("click", onClick);
      element.removeEventListener("dblclick", onDoubleClick);
    };
  }, [actions]);

  const info: ControlInfo = {
    state,
    subtitles: props.subtitles ?? [],
    qualities: props.qualities ?? [],
    audioInfo: props.audio ?? [],
    thumbnails,
    rewrite: (url) => props.rewriteUrl?.(url) ?? url,
    fullscreen,
    pictureInPictureAvailable: pipAvailable,
    shortcuts,
    locked: props.locked === true,
    container: containerElement,
    adMarkers: props.adMarkers ?? [],
  };
  // The big play button, for when playing did not start by itself (autoplay refused, or none
  // asked for); offered after a moment so that it does not flash while playback starts.
  const idle = engine !== null && state.loaded && state.paused && !state.started && !props.locked;
  const [offerPlay, setOfferPlay] = useState(false);
  useEffect(() => {
    if (!idle) {
      setOfferPlay(false);
      return;
    }
    const timer = setTimeout(() => setOfferPlay(true), OFFER_PLAY_MS);
    return () => clearTimeout(timer);
  }, [idle]);
  const spinning = engine === null ? !loadFailed : !state.error && (state.waiting || (!state.started && !state.loaded));
  // The control bar (menus, seek bar) is built once playing has started, or once it is needed
  // without that (nothing plays by itself, a failure): building it while the stream starts
  // would take the main thread from the player's first segments.
  const [controlsBuilt, setControlsBuilt] = useState(false);
  const controlsNeeded = state.started || idle || loadFailed || state.error !== null;
  useEffect(() => {
    if (controlsNeeded) setControlsBuilt(true);
  }, [controlsNeeded]);

  return (
    <div
      ref={container}
      role="region"
      aria-label={t.player.region(props.title)}
      data-testid="player"
      data-state={state.paused ? "paused" : "playing"}
      className={cn(
        "ott-player relative isolate overflow-hidden bg-black text-white",
        showControls ? "ott-player-active" : "cursor-none",
        props.className,
      )}
      onPointerMove={wake}
      onPointerDown={wake}
      onKeyDown={wake}
      onFocus={wake}
    >
      <div ref={mount} className="absolute inset-0" data-testid="player-video" />
      {spinning ? (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center" role="status">
          <Loader2 aria-hidden="true" className="size-12 animate-spin text-white/90" />
          <span className="sr-only">{engine === null || !state.started ? t.player.loading : t.player.buffering}</span>
        </div>
      ) : null}
      {idle && offerPlay ? (
        <div className="absolute inset-0 flex items-center justify-center">
          <button
            type="button"
            onClick={actions.togglePlay}
            aria-label={t.player.play}
            data-testid="player-big-play"
            className="flex size-20 items-center justify-center rounded-full bg-primary text-primary-foreground shadow-2xl transition-transform hover:scale-105 focus-visible:outline-3 focus-visible:outline-offset-4 focus-visible:outline-ring"
          >
            <Play aria-hidden="true" className="size-9 translate-x-0.5 fill-current" />
          </button>
        </div>
      ) : null}
      {loadFailed || state.error ? (
        <div className="absolute inset-0 flex items-center justify-center p-6" role="alert">
          <p className="max-w-md rounded-lg bg-black/80 p-4 text-center">{t.player.playbackFailed}</p>
        </div>
      ) : null}
      {props.children}
      <div
        className={cn(
          "pointer-events-none absolute inset-x-0 top-0 z-10 bg-gradient-to-b from-black/80 to-transparent pb-10 transition-opacity duration-300",
          showControls ? "opacity-100 [&>*]:pointer-events-auto" : "opacity-0",
        )}
      >
        {props.topBar}
      </div>
      <div
        className={cn(
          "absolute inset-x-0 bottom-0 z-10 bg-gradient-to-t from-black/85 via-black/50 to-transparent pt-12 transition-opacity duration-300",
          showControls ? "opacity-100" : "pointer-events-none opacity-0",
        )}
        data-testid="player-controls"
        onFocus={(event) => setKeyboardFocus(event.target.matches(":focus-visible"))}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget)) setKeyboardFocus(false);
        }}
      >
        {controlsBuilt ? <ControlBar info={info} actions={actions} /> : null}
      </div>
    </div>
  );
}
