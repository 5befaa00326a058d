import type { StreamFormat } from "./types";

/** The source type Video.js's VHS engine plays for each streaming format. */
export const SOURCE_TYPES: Record<StreamFormat, string> = {
  hls: "application/x-mpegURL",
  dash: "application/dash+xml",
};
