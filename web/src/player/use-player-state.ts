"use client";

// The Video.js player's state as React state, for the app's own controls.
import { useEffect, useState } from "react";

import type { Engine } from "./video-engine";

type Player = Engine["player"];

export interface QualityLevelView {
  index: number;
  width: number;
  height: number;
  bitrate: number;
  enabled: boolean;
}

export interface AudioTrackView {
  index: number;
  id: string;
  label: string;
  language: string;
  enabled: boolean;
}

export interface PlayerState {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  paused: boolean;
  /** The metadata is known (duration, size). */
  loaded: boolean;
  started: boolean;
  ended: boolean;
  waiting: boolean;
  muted: boolean;
  volume: number;
  levels: QualityLevelView[];
  /** The level playing now (-1: not known yet). */
  selectedLevel: number;
  audioTracks: AudioTrackView[];
  /** Index into the engine's subtitle tracks of the one showing, or -1. */
  subtitle: number;
  pictureInPicture: boolean;
  error: MediaError | null;
}

const INITIAL: PlayerState = {
  currentTime: 0,
  duration: Number.NaN,
  bufferedEnd: 0,
  paused: true,
  loaded: false,
  started: false,
  ended: false,
  waiting: true,
  muted: false,
  volume: 1,
  levels: [],
  selectedLevel: -1,
  audioTracks: [],
  subtitle: -1,
  pictureInPicture: false,
  error: null,
};

interface QualityLevel {
  width?: number;
  height?: number;
  bitrate?: number;
  enabled: boolean;
}

interface QualityLevelList {
  length: number;
  selectedIndex: number;
  [index: number]: QualityLevel;
  on(event: string, listener: () => void): void;
  off(event: string, listener: () => void): void;
}

interface VideoJsAudioTrack {
  id: string;
  label: string;
  language: string;
  enabled: boolean;
}

interface TrackList<T> {
  length: number;
  [index: number]: T;
  addEventListener(event: string, listener: () => void): void;
  removeEventListener(event: string, listener: () => void): void;
}

export function qualityLevelsOf(player: Player): QualityLevelList | null {
  const withPlugin = player as unknown as { qualityLevels?: () => QualityLevelList };
  return typeof withPlugin.qualityLevels === "function" ? withPlugin.qualityLevels() : null;
}

/**
 * Makes VHS switch at once to the rung its ABR picks (after Auto is chosen). VHS has no public
 * call for this; its fast quality change (debounced, the last call wins) is what enabling a
 * rung calls too, with that rung.
 */
export function abrChoice(player: Player): void {
  playlistControllerOf(player)?.fastQualityChange_?.();
}

interface PlaylistController {
  fastQualityChange_?: () => void;
  runFastQualitySwitch_?: () => void;
  waitingForFastQualityPlaylistReceived_?: boolean;
}

function playlistControllerOf(player: Player): PlaylistController | undefined {
  const tech = player.tech({ IWillNotUseThisInPlugins: true }) as unknown as {
    vhs?: { playlistController_?: PlaylistController };
  };
  return tech.vhs?.playlistController_;
}

/**
 * After VHS moved to a chosen rung: makes sure it drops what it buffered of the old one and
 * loads the new one from the picture's time. VHS 3 does so itself once the rung's playlist
 * arrives, but when that playlist was loaded before (the rung played earlier) the switch is
 * synchronous, its "waiting for the playlist" flag is set after it and never cleared, and the
 * old rung stays buffered to the end of the title.
 */
export function flushAfterRungChange(player: Player): void {
  const controller = playlistControllerOf(player);
  if (controller?.waitingForFastQualityPlaylistReceived_) controller.runFastQualitySwitch_?.();
}

export function audioTracksOf(player: Player): TrackList<VideoJsAudioTrack> {
  return player.audioTracks() as unknown as TrackList<VideoJsAudioTrack>;
}

function listOf<T>(list: { length: number; [index: number]: T }): T[] {
  return Array.from({ length: list.length }, (_, index) => list[index] as T);
}

function read(engine: Engine): PlayerState {
  const { player, subtitleTracks } = engine;
  const duration = engine.surface.duration();
  const buffered = player.buffered();
  const levels = qualityLevelsOf(player);
  return {
    currentTime: player.currentTime() ?? 0,
    duration,
    bufferedEnd: buffered.length ? buffered.end(buffered.length - 1) : 0,
    paused: player.paused(),
    loaded: player.readyState() >= 1,
    started: player.hasClass("vjs-has-started"),
    ended: player.ended(),
    waiting: player.readyState() < 3 && !player.paused(),
    muted: player.muted() ?? false,
    volume: player.volume() ?? 1,
    levels: levels
      ? listOf(levels).map((level, index) => ({
          index,
          width: level.width ?? 0,
          height: level.height ?? 0,
          bitrate: level.bitrate ?? 0,
          enabled: level.enabled,
        }))
      : [],
    selectedLevel: levels?.selectedIndex ?? -1,
    audioTracks: listOf(audioTracksOf(player)).map((track, index) => ({
      index,
      id: track.id,
      label: track.label,
      language: track.language,
      enabled: track.enabled,
    })),
    subtitle: subtitleTracks.findIndex((track) => track.mode === "showing"),
    pictureInPicture: player.isInPictureInPicture() ?? false,
    error: (player.error() as MediaError | null) ?? null,
  };
}

const PLAYER_EVENTS = [
  "loadedmetadata",
  "durationchange",
  "timeupdate",
  "progress",
  "play",
  "playing",
  "pause",
  "ended",
  "waiting",
  "canplay",
  "seeking",
  "seeked",
  "volumechange",
  "enterpictureinpicture",
  "leavepictureinpicture",
  "error",
];

export function usePlayerState(engine: Engine | null): PlayerState {
  const [state, setState] = useState<PlayerState>(INITIAL);

  useEffect(() => {
    if (engine === null) {
      setState(INITIAL);
      return;
    }
    const { player } = engine;
    let frame = 0;
    const update = () => {
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!player.isDisposed()) setState(read(engine));
      });
    };
    update();
    player.on(PLAYER_EVENTS, update);
    const levels = qualityLevelsOf(player);
    levels?.on("addqualitylevel", update);
    levels?.on("removequalitylevel", update);
    levels?.on("change", update);
    const audio = audioTracksOf(player);
    const text = player.textTracks() as unknown as TrackList<TextTrack>;
    for (const list of [audio, text]) {
      list.addEventListener("change", update);
      list.addEventListener("addtrack", update);
      list.addEventListener("removetrack", update);
    }
    return () => {
      cancelAnimationFrame(frame);
      if (player.isDisposed()) return;
      player.off(PLAYER_EVENTS, update);
      levels?.off("addqualitylevel", update);
      levels?.off("removequalitylevel", update);
      levels?.off("change", update);
      for (const list of [audio, text]) {
        list.removeEventListener("change", update);
        list.removeEventListener("addtrack", update);
        list.removeEventListener("removetrack", update);
      }
    };
  }, [engine]);

  return state;
}
