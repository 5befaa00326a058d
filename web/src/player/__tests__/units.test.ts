import { describe, expect, it } from "vitest";

import type { Episode, Season } from "@/api/types";

import { deviceId, deviceName } from "../device";
import { isApiUrl, signedFolderOf, withFreshToken } from "../media-token";
import { nextEpisodeOf } from "../next-episode";
import { shortcutFor, type KeyPress } from "../shortcuts";
import { parseThumbnails, thumbnailAt } from "../thumbnails";

describe("media token swap", () => {
  const fresh = signedFolderOf("/media/s/NEW/2000/videos/o/e/");

  it("reads the token, expiry and scope of a signed URL", () => {
    expect(signedFolderOf("http://h:3000/media/s/abc/123/videos/o/e/720p/seg_1.m4s")).toEqual({
      token: "abc",
      expires: "123",
      scope: "videos/o/e/",
    });
    expect(signedFolderOf("/media/posters/x.jpg")).toBeNull();
    expect(signedFolderOf("not a url")).toBeNull();
  });

  it("swaps the prefix, keeping origin, path and query", () => {
    expect(withFreshToken("http://h:3000/media/s/OLD/1000/videos/o/e/720p/a.m4s?x=1", fresh)).toBe(
      "http://h:3000/media/s/NEW/2000/videos/o/e/720p/a.m4s?x=1",
    );
    expect(withFreshToken("/media/s/OLD/1000/videos/o/e/subs/hi.vtt", fresh)).toBe("/media/s/NEW/2000/videos/o/e/subs/hi.vtt");
  });

  it("leaves other folders, public files and API URLs alone", () => {
    for (const url of [
      "/media/s/OLD/1000/videos/o/other/a.m4s",
      "/media/posters/p.jpg",
      "/api/stream/c/manifest?session=s",
    ]) {
      expect(withFreshToken(url, fresh)).toBe(url);
    }
    expect(withFreshToken("/media/s/OLD/1/videos/o/e/a.m4s", null)).toBe("/media/s/OLD/1/videos/o/e/a.m4s");
  });

  it("knows API URLs of its own origin only", () => {
    expect(isApiUrl("/api/stream/x/manifest", "http://h:3000")).toBe(true);
    expect(isApiUrl("http://h:3000/api/stream/x", "http://h:3000")).toBe(true);
    expect(isApiUrl("http://evil.example/api/x", "http://h:3000")).toBe(false);
    expect(isApiUrl("http://h:3000/media/s/a/b/videos/o/e/x", "http://h:3000")).toBe(false);
  });
});

describe("thumbnails track", () => {
  const track = [
    "WEBVTT",
    "",
    "00:00:00.000 --> 00:00:05.000",
    "sprite_0.jpg#xywh=0,0,160,90",
    "",
    "00:00:05.000 --> 00:00:10.000",
    "sprite_0.jpg#xywh=160,0,160,90",
    "",
    "note: not a cue",
    "01:00:10.000 --> 01:00:12.500",
    "sprite_1.jpg#xywh=0,90,160,90",
    "",
  ].join("\r\n");
  const url = "http://h/media/s/t/1/videos/o/e/thumbnails.vtt";

  it("parses sprite tiles resolved against the track", () => {
    const cues = parseThumbnails(track, url);
    expect(cues).toHaveLength(3);
    expect(cues[1]).toEqual({
      start: 5,
      end: 10,
      url: "http://h/media/s/t/1/videos/o/e/sprite_0.jpg",
      x: 160,
      y: 0,
      width: 160,
      height: 90,
    });
    expect(cues[2]?.start).toBe(3610);
  });

  it("finds the tile at a time", () => {
    const cues = parseThumbnails(track, url);
    expect(thumbnailAt(cues, 0)?.x).toBe(0);
    expect(thumbnailAt(cues, 7.2)?.x).toBe(160);
    expect(thumbnailAt(cues, 3611)?.url).toContain("sprite_1.jpg");
    expect(thumbnailAt(cues, 100)).toBeNull();
    expect(thumbnailAt([], 1)).toBeNull();
  });
});

describe("keyboard shortcuts", () => {
  const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    targetTag: "BODY",
    targetRole: null,
    targetEditable: false,
    ...extra,
  });

  it("maps the player's keys", () => {
    expect(shortcutFor(press(" "))).toBe("togglePlay");
    expect(shortcutFor(press("k"))).toBe("togglePlay");
    expect(shortcutFor(press("K"))).toBe("togglePlay");
    expect(shortcutFor(press("f"))).toBe("fullscreen");
    expect(shortcutFor(press("m"))).toBe("mute");
    expect(shortcutFor(press("c"))).toBe("captions");
    expect(shortcutFor(press("ArrowLeft"))).toBe("seekBack");
    expect(shortcutFor(press("ArrowRight"))).toBe("seekForward");
    expect(shortcutFor(press("ArrowUp"))).toBe("volumeUp");
    expect(shortcutFor(press("ArrowDown"))).toBe("volumeDown");
    expect(shortcutFor(press("x"))).toBeNull();
  });

  it("leaves keys to fields, menus, sliders and modified presses", () => {
    expect(shortcutFor(press("k", { targetTag: "INPUT" }))).toBeNull();
    expect(shortcutFor(press("f", { targetEditable: true }))).toBeNull();
    expect(shortcutFor(press("ArrowLeft", { targetRole: "slider" }))).toBeNull();
    expect(shortcutFor(press("ArrowDown", { targetRole: "menuitemradio" }))).toBeNull();
    expect(shortcutFor(press("f", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press("m", { metaKey: true }))).toBeNull();
  });

  it("leaves a slider its arrows and takes the other keys there", () => {
    const range = { targetTag: "INPUT", targetType: "range" };
    expect(shortcutFor(press("ArrowLeft", range))).toBeNull();
    expect(shortcutFor(press("ArrowUp", range))).toBeNull();
    expect(shortcutFor(press("k", range))).toBe("togglePlay");
    expect(shortcutFor(press(" ", range))).toBe("togglePlay");
    expect(shortcutFor(press("c", { targetRole: "slider" }))).toBe("captions");
    expect(shortcutFor(press("k", { targetTag: "INPUT", targetType: "text" }))).toBeNull();
  });

  it("lets space press a focused button, but other keys still steer the player", () => {
    expect(shortcutFor(press(" ", { targetTag: "BUTTON" }))).toBeNull();
    expect(shortcutFor(press("k", { targetTag: "BUTTON" }))).toBe("togglePlay");
    expect(shortcutFor(press("ArrowRight", { targetTag: "BUTTON" }))).toBe("seekForward");
  });
});

describe("device", () => {
  it("names browsers and systems", () => {
    expect(
      deviceName("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"),
    ).toBe("Chrome on Android");
    expect(
      deviceName("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"),
    ).toBe("Safari on iOS");
    expect(
      deviceName("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0"),
    ).toBe("Edge on Windows");
    expect(deviceName("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Linux");
    expect(deviceName("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0 Safari/537.36")).toBe(
      "Chrome on Linux",
    );
    expect(deviceName("curl/8")).toBe("Web browser");
  });

  it("keeps one id per browser", () => {
    const values = new Map<string, string>();
    const store = { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) };
    const first = deviceId(store);
    expect(first).toMatch(/^web-/);
    expect(deviceId(store)).toBe(first);
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => undefined,
    };
    expect(deviceId(refusing)).toMatch(/^web-/);
  });
});

describe("next episode", () => {
  const season = (id: string, n: number) => ({ id, season_number: n }) as Season;
  const episode = (id: string, n: number, playable = true) => ({ id, episode_number: n, playable }) as Episode;
  const episodes: Record<string, Episode[]> = {
    s1: [episode("e2", 2), episode("e1", 1), episode("e3", 3, false)],
    s2: [episode("e5", 2), episode("e4", 1)],
  };
  const loaded: string[] = [];
  const loadEpisodes = async (id: string) => {
    loaded.push(id);
    return episodes[id] ?? [];
  };

  it("is the next playable episode, across seasons", async () => {
    const seasons = [season("s2", 2), season("s1", 1)];
    expect((await nextEpisodeOf({ seasons, currentEpisodeId: "e1", loadEpisodes }))?.episode.id).toBe("e2");
    expect((await nextEpisodeOf({ seasons, currentEpisodeId: "e2", loadEpisodes }))?.episode.id).toBe("e4");
    expect(await nextEpisodeOf({ seasons, currentEpisodeId: "e5", loadEpisodes })).toBeNull();
    expect(await nextEpisodeOf({ seasons, currentEpisodeId: "nope", loadEpisodes })).toBeNull();
  });

  it("loads seasons only as far as needed", async () => {
    loaded.length = 0;
    await nextEpisodeOf({ seasons: [season("s1", 1), season("s2", 2)], currentEpisodeId: "e1", loadEpisodes });
    expect(loaded).toEqual(["s1"]);
  });
});
