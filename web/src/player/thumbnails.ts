// Thumbnail previews for the seek bar: a WebVTT track whose cues name a sprite sheet and the
// tile in it, `sprite_0.jpg#xywh=160,0,160,90`, resolved against the track's URL.

export interface ThumbnailCue {
  start: number;
  end: number;
  /** The sprite sheet's absolute URL (without the fragment). */
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const TIMING = /^((?:\d+:)?\d{1,2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}\.\d{3})/;
const XYWH = /#xywh=(\d+),(\d+),(\d+),(\d+)$/;

/** Seconds of a WebVTT timestamp, "01:02.500" or "1:01:02.500". */
export function vttSeconds(stamp: string): number {
  const parts = stamp.split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** The cues of a thumbnails track; lines that are not a sprite tile are skipped. */
export function parseThumbnails(text: string, trackUrl: string): ThumbnailCue[] {
  const cues: ThumbnailCue[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let index = 0; index < lines.length; index++) {
    const timing = TIMING.exec(lines[index]?.trim() ?? "");
    if (!timing) continue;
    const payload = lines[index + 1]?.trim() ?? "";
    const tile = XYWH.exec(payload);
    if (!tile) continue;
    const [, x, y, width, height] = tile.map(Number) as [number, number, number, number, number];
    let url: string;
    try {
      url = new URL(payload.slice(0, tile.index), trackUrl).href;
    } catch {
      continue;
    }
    cues.push({ start: vttSeconds(timing[1] ?? ""), end: vttSeconds(timing[2] ?? ""), url, x, y, width, height });
    index++;
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The cue showing at `seconds` (binary search over sorted cues), or null. */
export function thumbnailAt(cues: readonly ThumbnailCue[], seconds: number): ThumbnailCue | null {
  let low = 0;
  let high = cues.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const cue = cues[middle] as ThumbnailCue;
    if (seconds < cue.start) high = middle - 1;
    else if (seconds >= cue.end) low = middle + 1;
    else return cue;
  }
  return null;
}
