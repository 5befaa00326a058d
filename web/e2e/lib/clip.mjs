// A short video to upload: FFmpeg's test pattern and a tone, a few seconds long.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { FFMPEG } from "./env.mjs";

const run = promisify(execFile);

export async function makeClip({ seconds = 4, size = "640x360" } = {}) {
  const file = join(mkdtempSync(join(tmpdir(), "ott-e2e-clip-")), "kite-festival.mp4");
  // testsrc2's gradients and a high bitrate keep the file large enough to upload in steps.
  await run(FFMPEG, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", `testsrc2=duration=${seconds}:size=${size}:rate=25`,
    "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2M", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-shortest", file,
  ]);
  return file;
}
