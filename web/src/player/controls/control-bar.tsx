"use client";

import {
  AudioLines,
  Captions,
  Gauge,
  Maximize,
  Minimize,
  Pause,
  PictureInPicture2,
  Play,
  Redo2,
  Settings,
  Undo2,
  Volume2,
  VolumeX,
} from "lucide-react";

import { useI18n } from "@/i18n";
import { languageName } from "@/lib/format";

import { SEEK_STEP_SECONDS } from "../shortcuts";
import type { ThumbnailCue } from "../thumbnails";
import { formatClock } from "../time";
import type { AudioTrackInfo, Quality } from "../types";
import type { AudioTrackView, PlayerState, QualityLevelView } from "../use-player-state";
import { ControlButton } from "./control-button";
import { MenuCheckbox, MenuLabel, MenuRadioGroup, MenuSeparator, PlayerMenu, type MenuChoice } from "./menu";
import { SeekBar } from "./seek-bar";

export interface ControlActions {
  togglePlay(): void;
  seekTo(seconds: number): void;
  seekBy(seconds: number): void;
  toggleMute(): void;
  setVolume(volume: number): void;
  chooseQuality(index: number | "auto"): void;
  chooseAudio(index: number): void;
  chooseSubtitle(index: number): void;
  toggleFullscreen(): void;
  togglePictureInPicture(): void;
  setShortcuts(enabled: boolean): void;
  menuOpen(open: boolean): void;
}

export interface ControlInfo {
  state: PlayerState;
  subtitles: readonly { language: string; label: string }[];
  qualities: readonly Quality[];
  audioInfo: readonly AudioTrackInfo[];
  thumbnails: readonly ThumbnailCue[];
  rewrite: (url: string) => string;
  fullscreen: boolean;
  pictureInPictureAvailable: boolean;
  shortcuts: boolean;
  locked: boolean;
  container: HTMLElement | null;
  /** Seconds of the ad breaks still to come (markers on the seek bar). */
  adMarkers: readonly number[];
}

/** "720p" for a rung: the start answer's name when it lists the rung, else its short side. */
export function qualityName(level: Pick<QualityLevelView, "width" | "height">, qualities: readonly Quality[]): string {
  const named = qualities.find((q) => q.width === level.width && q.height === level.height);
  if (named) return named.quality;
  const side = Math.min(level.width, level.height) || level.height;
  return side ? `${side}p` : "?";
}

function audioName(track: AudioTrackView, info: readonly AudioTrackInfo[], uiLanguage: string): string {
  const listed = info.find((a) => a.language === track.language)?.label;
  // A label that only repeats the language tag ("en") says less than the language's name.
  const label = [listed, track.label].find((text) => text && text !== track.language);
  return label || (track.language ? languageName(track.language, uiLanguage) : track.id);
}

export function ControlBar({ info, actions }: { info: ControlInfo; actions: ControlActions }) {
  const { t, language } = useI18n();
  const { state, locked } = info;
  const levels = [...state.levels].sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
  const auto = state.levels.every((level) => level.enabled);
  const playing = state.levels[state.selectedLevel];
  const qualityValue = auto ? "auto" : String(state.levels.find((level) => level.enabled)?.index ?? "auto");
  const qualityChoices: MenuChoice[] = [
    { value: "auto", label: playing && auto ? t.player.autoNow(qualityName(playing, info.qualities)) : t.player.auto },
    ...levels.map((level) => ({ value: String(level.index), label: qualityName(level, info.qualities) })),
  ];
  const subtitleChoices: MenuChoice[] = [
    { value: "off", label: t.player.subtitlesOff },
    ...info.subtitles.map((subtitle, index) => ({
      value: String(index),
      label: subtitle.label || languageName(subtitle.language, language),
      lang: subtitle.language,
    })),
  ];
  const audioChoices: MenuChoice[] = state.audioTracks.map((track) => ({
    value: String(track.index),
    label: audioName(track, info.audioInfo, language),
    lang: track.language || undefined,
  }));
  const enabledAudio = state.audioTracks.find((track) => track.enabled);
  const badge = playing ? qualityName(playing, info.qualities) : undefined;
  const volumePercent = Math.round((state.muted ? 0 : state.volume) * 100);

  return (
    <div className="grid gap-1 px-2 pb-2 sm:px-4 sm:pb-3">
      <SeekBar
        currentTime={state.currentTime}
        duration={state.duration}
        bufferedEnd={state.bufferedEnd}
        thumbnails={info.thumbnails}
        rewrite={info.rewrite}
        disabled={locked}
        markers={info.adMarkers}
        onSeek={actions.seekTo}
      />
      <div className="flex items-center gap-0 sm:gap-1 [&_button]:max-sm:size-9">
        <ControlButton
          label={state.paused ? t.player.play : t.player.pause}
          onClick={actions.togglePlay}
          disabled={locked}
          data-testid="player-play"
        >
          {state.paused ? <Play aria-hidden="true" className="fill-current" /> : <Pause aria-hidden="true" className="fill-current" />}
        </ControlButton>
        <ControlButton
          label={t.player.seekBack(SEEK_STEP_SECONDS)}
          onClick={() => actions.seekBy(-SEEK_STEP_SECONDS)}
          disabled={locked}
          className="max-sm:hidden"
        >
          <Undo2 aria-hidden="true" />
        </ControlButton>
        <ControlButton
          label={t.player.seekForward(SEEK_STEP_SECONDS)}
          onClick={() => actions.seekBy(SEEK_STEP_SECONDS)}
          disabled={locked}
          className="max-sm:hidden"
        >
          <Redo2 aria-hidden="true" />
        </ControlButton>
        <ControlButton
          label={state.muted ? t.player.unmute : t.player.mute}
          onClick={actions.toggleMute}
          data-testid="player-mute"
        >
          {state.muted || state.volume === 0 ? <VolumeX aria-hidden="true" /> : <Volume2 aria-hidden="true" />}
        </ControlButton>
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          value={volumePercent}
          aria-label={t.player.volume}
          aria-valuetext={`${volumePercent}%`}
          onChange={(event) => actions.setVolume(Number(event.target.value) / 100)}
          className="hidden h-1 w-20 cursor-pointer accent-primary focus-visible:outline-3 focus-visible:outline-offset-4 focus-visible:outline-ring sm:block"
        />
        <p className="ml-2 whitespace-nowrap text-xs font-medium tabular-nums text-white sm:text-sm" data-testid="player-time">
          <span className="sr-only">{t.player.timeOf(formatClock(state.currentTime), formatClock(state.duration))}</span>
          <span aria-hidden="true">
            {formatClock(state.currentTime)} / {formatClock(state.duration)}
          </span>
        </p>
        <div className="flex-1" />
        {info.subtitles.length > 0 ? (
          <PlayerMenu
            label={t.player.subtitles}
            icon={<Captions aria-hidden="true" />}
            container={info.container}
            testId="player-subtitles"
            onOpenChange={actions.menuOpen}
          >
            <MenuRadioGroup
              title={t.player.subtitles}
              value={state.subtitle >= 0 ? String(state.subtitle) : "off"}
              choices={subtitleChoices}
              onChoose={(value) => actions.chooseSubtitle(value === "off" ? -1 : Number(value))}
              testId="player-subtitle"
            />
          </PlayerMenu>
        ) : null}
        {state.audioTracks.length > 1 ? (
          <PlayerMenu
            label={t.player.audio}
            icon={<AudioLines aria-hidden="true" />}
            container={info.container}
            testId="player-audio"
            onOpenChange={actions.menuOpen}
          >
            <MenuRadioGroup
              title={t.player.audio}
              value={enabledAudio ? String(enabledAudio.index) : ""}
              choices={audioChoices}
              onChoose={(value) => actions.chooseAudio(Number(value))}
              testId="player-audio-track"
            />
          </PlayerMenu>
        ) : null}
        {state.levels.length > 0 ? (
          <PlayerMenu
            label={t.player.quality}
            icon={<Gauge aria-hidden="true" />}
            badge={badge}
            container={info.container}
            testId="player-quality"
            disabled={locked}
            onOpenChange={actions.menuOpen}
          >
            <MenuRadioGroup
              title={t.player.quality}
              value={qualityValue}
              choices={qualityChoices}
              onChoose={(value) => actions.chooseQuality(value === "auto" ? "auto" : Number(value))}
              testId="player-quality-level"
            />
          </PlayerMenu>
        ) : null}
        <PlayerMenu
          label={t.player.settings}
          icon={<Settings aria-hidden="true" />}
          container={info.container}
          testId="player-settings"
          onOpenChange={actions.menuOpen}
        >
          <MenuCheckbox checked={info.shortcuts} onChange={actions.setShortcuts} testId="player-shortcuts-toggle">
            {t.player.shortcuts}
          </MenuCheckbox>
          {info.pictureInPictureAvailable ? (
            // On narrow screens the bar has no room for its own button.
            <MenuCheckbox
              checked={state.pictureInPicture}
              onChange={actions.togglePictureInPicture}
              testId="player-pip-item"
              className="sm:hidden"
            >
              {t.player.pip}
            </MenuCheckbox>
          ) : null}
          <MenuSeparator />
          <MenuLabel className="max-w-72 font-normal leading-relaxed">{t.player.shortcutsHelp}</MenuLabel>
        </PlayerMenu>
        {info.pictureInPictureAvailable ? (
          <ControlButton
            label={state.pictureInPicture ? t.player.exitPip : t.player.pip}
            pressed={state.pictureInPicture}
            onClick={actions.togglePictureInPicture}
            data-testid="player-pip"
            className="max-sm:hidden"
          >
            <PictureInPicture2 aria-hidden="true" />
          </ControlButton>
        ) : null}
        <ControlButton
          label={info.fullscreen ? t.player.exitFullscreen : t.player.fullscreen}
          onClick={actions.toggleFullscreen}
          data-testid="player-fullscreen"
        >
          {info.fullscreen ? <Minimize aria-hidden="true" /> : <Maximize aria-hidden="true" />}
        </ControlButton>
      </div>
    </div>
  );
}
