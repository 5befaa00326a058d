// Which of a linear ad's MediaFiles the player plays: one it can play (HLS through Video.js's
// VHS, or a progressive file the browser decodes), sized for the player.

export interface AdMediaFile {
  fileURL: string | null;
  mimeType: string | null;
  deliveryType?: string | null;
  apiFramework?: string | null;
  width: number;
  height: number;
  bitrate?: number;
}

export interface ChosenMedia {
  url: string;
  /** The type Video.js is given: "application/x-mpegURL" for HLS, else the file's own. */
  type: string;
  height: number;
}

const HLS_TYPES = new Set(["application/x-mpegurl", "application/vnd.apple.mpegurl"]);

export function isHls(mimeType: string): boolean {
  return HLS_TYPES.has(mimeType.toLowerCase());
}

/**
 * The media file to play in a player `playerHeight` CSS pixels high: among the files the
 * player can play (no VPAID or other API frameworks), the smallest at least as high as the
 * player, else the highest; at equal height a progressive file before an HLS playlist (it
 * starts with one request). Null when none can be played.
 */
export function chooseMediaFile(
  files: readonly AdMediaFile[],
  { playerHeight, canPlay }: { playerHeight: number; canPlay: (mimeType: string) => boolean },
): ChosenMedia | null {
  const playable = files.filter(
    (file): file is AdMediaFile & { fileURL: string; mimeType: string } =>
      Boolean(file.fileURL) && Boolean(file.mimeType) && !file.apiFramework && (isHls(file.mimeType ?? "") || canPlay(file.mimeType ?? "")),
  );
  if (playable.length === 0) return null;
  const rank = (file: AdMediaFile & { mimeType: string }) => (isHls(file.mimeType) ? 1 : 0);
  const bigEnough = playable.filter((file) => file.height >= playerHeight);
  const pool = bigEnough.length > 0 ? bigEnough : playable;
  const target = bigEnough.length > 0 ? Math.min(...pool.map((file) => file.height)) : Math.max(...pool.map((file) => file.height));
  const best = pool.filter((file) => file.height === target).sort((a, b) => rank(a) - rank(b))[0];
  if (!best) return null;
  return { url: best.fileURL, type: isHls(best.mimeType) ? "application/x-mpegURL" : best.mimeType, height: best.height };
}
