// Whether the page's player really plays: its <video> advances and shows a picture.
import assert from "node:assert/strict";

const VIDEO = '[data-testid="player"] video';

/** The player's video element's state. */
export function videoState(page) {
  return page.evaluate((selector) => {
    const video = document.querySelector(selector);
    if (!video) return null;
    return {
      currentTime: video.currentTime,
      duration: video.duration,
      paused: video.paused,
      readyState: video.readyState,
      width: video.videoWidth,
      height: video.videoHeight,
    };
  }, VIDEO);
}

/** Waits until the video is playing (not paused, a frame decoded, time past `from`). */
export async function waitUntilPlaying(page, { from = 0, timeout = 45_000 } = {}) {
  await page.waitForFunction(
    ([selector, after]) => {
      const video = document.querySelector(selector);
      return video && !video.paused && video.readyState >= 2 && video.currentTime > after;
    },
    [VIDEO, from],
    { timeout, polling: 100 },
  );
  return videoState(page);
}

/** Waits until the video's time reaches `seconds`. */
export async function waitForTime(page, seconds, { timeout = 30_000 } = {}) {
  await page.waitForFunction(
    ([selector, at]) => {
      const video = document.querySelector(selector);
      return video && video.currentTime >= at;
    },
    [VIDEO, seconds],
    { timeout, polling: 100 },
  );
  return videoState(page);
}

/**
 * The current frame drawn to a canvas: how many distinct colours (quantised to 4 bits a
 * channel) and the spread of its brightness. A black, white or grey screen has one colour.
 */
export function frameStatistics(page) {
  return page.evaluate((selector) => {
    const video = document.querySelector(selector);
    const canvas = document.createElement("canvas");
    canvas.width = 160;
    canvas.height = 90;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    let sum = 0;
    let squares = 0;
    const pixels = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
      const luma = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      sum += luma;
      squares += luma * luma;
    }
    const mean = sum / pixels;
    return { colours: colours.size, lumaSpread: Math.sqrt(Math.max(0, squares / pixels - mean * mean)) };
  }, VIDEO);
}

/**
 * The video plays: it is playing, its time advances by `seconds` while the test watches, and a
 * frame drawn to a canvas is a picture (many colours, not one flat tone). Answers the state.
 */
export async function assertPlays(page, { seconds = 1.5, timeout = 45_000 } = {}) {
  const playing = await waitUntilPlaying(page, { timeout });
  assert.ok(playing.width > 0 && playing.height > 0, `the video has a picture size: ${JSON.stringify(playing)}`);
  const later = await waitForTime(page, playing.currentTime + seconds, { timeout: 20_000 + seconds * 4000 });
  assert.ok(later.currentTime >= playing.currentTime + seconds, "currentTime advances");
  const frame = await frameStatistics(page);
  assert.ok(
    frame.colours >= 24 && frame.lumaSpread >= 8,
    `a drawn frame has non-uniform pixels (${frame.colours} colours, brightness spread ${frame.lumaSpread.toFixed(1)})`,
  );
  return later;
}
