import type { EngineSource, RemoteSubtitle } from "./video-engine";
import type { PlaybackStart, StreamFormat } from "./types";

/** The source type Video.js's VHS engine plays for each streaming format. */
export const SOURCE_TYPES: Record<StreamFormat, string> = {
  hls: "application/x-mpegURL",
  dash: "application/dash+xml",
};

/** The stream of a playback session, as the engine takes it. */
export function sessionSource(start: PlaybackStart): EngineSource {
  return { url: start.manifest_url, type: SOURCE_TYPES[start.format] };
}

/** The subtitle files of a playback session, as the engine takes them. */
export function sessionSubtitles(start: PlaybackStart): RemoteSubtitle[] {
  return start.subtitles.map((s) => ({ language: s.language, label: s.label ?? "", url: s.url }));
}
