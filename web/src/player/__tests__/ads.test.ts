// The ad code's rules, on VMAP and VAST documents written by the ad service's own writers
// (samples/, made with ott.ads.vmap and ott.ads.vast) and by a third party.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { VASTClient } from "@dailymotion/vast-client";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { AdViewStore, secondsLeft, secondsToSkip } from "../ads/ad-view";
import { sessionAds } from "../ads";
import { chooseMediaFile, type AdMediaFile } from "../ads/media-file";
import { storedSeenBreaks } from "../ads/seen-breaks";
import { absoluteUrls, clickThroughOf, playableAds } from "../ads/vast-ads";
import { VastBreakPlayer } from "../ads/vast-break-player";
import { vmapBreakSource, vmapPath } from "../ads/vmap-source";
import { clockSeconds, parseVmap, positionOf } from "../ads/vmap";
import { BreakSchedule, type BreakRequest } from "../breaks";
import { PlaybackController, type PlaybackPhase } from "../controller";
import { FakeApi, FakeSurface, settle, startAnswer } from "./fakes";

const sample = (name: string) => readFileSync(join(__dirname, "samples", name), "utf8");
const xml = new DOMParser() as unknown as { parseFromString(text: string, type: "text/xml"): Document };

function request(overrides: Partial<BreakRequest> = {}): BreakRequest {
  return {
    sessionId: "sess_1",
    contentId: "c1",
    episodeId: null,
    durationSeconds: 1200,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

beforeEach(() => {
  vi.stubGlobal("XMLSerializer", XMLSerializer);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("VMAP", () => {
  it("reads the ad service's breaks: pre-roll, mid-rolls at their offsets, post-roll, each with its VAST tag", () => {
    const breaks = parseVmap(sample("vmap.xml"), 1200, xml);
    expect(breaks.map((item) => [item.id, item.position])).toEqual([
      ["preroll", { kind: "preroll" }],
      ["midroll-1", { kind: "midroll", offsetSeconds: 300 }],
      ["midroll-2", { kind: "midroll", offsetSeconds: 600.5 }],
      ["postroll", { kind: "postroll" }],
    ]);
    expect(breaks[1]?.payload?.tagUrl).toBe("http://127.0.0.1:3000/api/ads/vast?b=mid1.token&x=1");
    expect(breaks.every((item) => item.payload?.inlineVast === null)).toBe(true);
  });

  it("places percentages on the title, keeps inline VAST and the break's tracking, skips what is not a linear break it can place", () => {
    const breaks = parseVmap(sample("vmap-third-party.xml"), 600, xml);
    expect(breaks.map((item) => [item.id, item.position])).toEqual([
      ["pre", { kind: "preroll" }],
      ["midroll-300", { kind: "midroll", offsetSeconds: 300 }],
      // "again" is a second break at 300 s: one break per place
    ]);
    const pre = breaks[0]?.payload;
    expect(pre?.tagUrl).toBeNull();
    expect(pre?.inlineVast).toContain("https://ads.example/a.mp4");
    expect(pre?.tracking.map((t) => t.event)).toEqual(["breakStart", "breakEnd"]);
  });

  it("a mid-roll past the end is the post-roll; one at 0 the pre-roll; an unknown duration cannot place a percentage", () => {
    expect(positionOf("00:30:00", 600)).toEqual({ kind: "postroll" });
    expect(positionOf("00:00:00.000", 600)).toEqual({ kind: "preroll" });
    expect(positionOf("0%", 600)).toEqual({ kind: "preroll" });
    expect(positionOf("100%", 600)).toEqual({ kind: "postroll" });
    expect(positionOf("25%", 0)).toBeNull();
    expect(positionOf("#1", 600)).toBeNull();
    expect(positionOf("soon", 600)).toBeNull();
    expect(clockSeconds("01:02:03.250")).toBe(3723.25);
    expect(clockSeconds("1:2")).toBeNull();
  });

  it("a document that is not VMAP is an error (the source answers no breaks for it)", () => {
    expect(() => parseVmap(sample("vast-inline.xml"), 600, xml)).toThrow(/VMAP/);
  });
});

describe("the VMAP source", () => {
  const vmapAnswer = () => new Response(sample("vmap.xml"), { status: 200, headers: { "content-type": "application/xml" } });

  it("asks for the session's VMAP with the title, episode and session", async () => {
    const fetch = vi.fn(async (_path: string, _init?: RequestInit) => vmapAnswer());
    const source = vmapBreakSource({ fetch, parser: xml });
    const breaks = await source.breaksFor(request({ episodeId: "e9" }));
    expect(breaks).toHaveLength(4);
    expect(fetch).toHaveBeenCalledOnce();
    expect(fetch.mock.calls[0]?.[0]).toBe("/api/ads/vmap?content_id=c1&episode_id=e9&session_id=sess_1");
    expect(vmapPath(request())).toBe("/api/ads/vmap?content_id=c1&session_id=sess_1");
  });

  it("a plan without ads (403 ad_free_plan), an error, a network failure or garbage: no breaks", async () => {
    const answers: (() => Promise<Response>)[] = [
      async () => Response.json({ error: { code: "ad_free_plan", message: "no ads" } }, { status: 403 }),
      async () => new Response("busy", { status: 503 }),
      async () => Promise.reject(new TypeError("offline")),
      async () => new Response("<html>not xml", { status: 200 }),
    ];
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    for (const answer of answers) {
      const source = vmapBreakSource({ fetch: answer, parser: xml });
      await expect(source.breaksFor(request())).resolves.toEqual([]);
    }
  });

  it("gives up after the timeout: the title plays without breaks", async () => {
    vi.useFakeTimers();
    const fetch = (_path: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("timeout", "TimeoutError"))));
    const source = vmapBreakSource({ fetch, parser: xml, timeoutMs: 5000 });
    const answer = source.breaksFor(request());
    await vi.advanceTimersByTimeAsync(5001);
    await expect(answer).resolves.toEqual([]);
  });

  it("leaves out the mid-rolls this browser has just shown for the title (a resume), not the pre-roll", async () => {
    const seen = storedSeenBreaks(memoryStorage());
    seen.add("c1", "midroll-1");
    seen.add("c1", "preroll");
    seen.add("other", "midroll-2");
    const source = vmapBreakSource({ fetch: async () => vmapAnswer(), parser: xml, seen });
    const breaks = await source.breaksFor(request());
    expect(breaks.map((item) => item.id)).toEqual(["preroll", "midroll-2", "postroll"]);
  });
});

describe("seen breaks", () => {
  it("are forgotten after their time, and survive a reload of the store", () => {
    let now = 1_000_000;
    const storage = memoryStorage();
    const seen = storedSeenBreaks(storage, { forMs: 60_000, now: () => now });
    seen.add("c1", "midroll-1");
    expect(storedSeenBreaks(storage, { forMs: 60_000, now: () => now }).has("c1", "midroll-1")).toBe(true);
    now += 60_001;
    expect(seen.has("c1", "midroll-1")).toBe(false);
    storage.setItem("ott.ads.seen", "not json");
    expect(seen.has("c1", "midroll-1")).toBe(false);
  });
});

describe("VAST", () => {
  const parse = (name: string) => xml.parseFromString(sample(name), "text/xml");

  it("reads the ad service's inline ad: its media files, duration, skip offset and click-through", async () => {
    const ads = await playableAds(new VASTClient(0, 0), parse("vast-inline.xml"), 5000);
    expect(ads).toHaveLength(1);
    const creative = ads[0]!.creative;
    expect(creative.duration).toBe(15);
    expect(creative.skipDelay).toBe(5);
    expect(clickThroughOf(creative)).toBe("https://example.com/sale");
    expect(creative.mediaFiles.map((file) => [file.mimeType, file.height])).toEqual([
      ["application/x-mpegURL", 360],
      ["application/x-mpegURL", 720],
      ["video/mp4", 720],
    ]);
  });

  it("a pod's ads come in their sequence; an empty VAST has none (and calls its error URL with 303)", async () => {
    const pod = await playableAds(new VASTClient(0, 0), parse("vast-pod.xml"), 5000);
    expect(pod.map((item) => item.ad.id)).toEqual(["ad-1", "ad-2"]);
    expect(pod.map((item) => item.creative.duration)).toEqual([10, 6]);

    const client = new VASTClient(0, 0);
    const errors: string[] = [];
    client.getParser().on("VAST-error", (event: { ERRORCODE: number }) => errors.push(String(event.ERRORCODE)));
    expect(await playableAds(client, parse("vast-empty.xml"), 5000)).toEqual([]);
    expect(errors).toEqual(["303"]);
  });

  it("makes an ad server's paths absolute (vast-client calls only absolute tracking URLs)", async () => {
    const relative = sample("vast-inline.xml").replaceAll("http://127.0.0.1:3000", "");
    const doc = absoluteUrls(xml.parseFromString(relative, "text/xml"), "https://ott.example/api/ads/vast?b=x");
    const [ad] = await playableAds(new VASTClient(0, 0), doc, 5000);
    expect(ad?.creative.mediaFiles[0]?.fileURL).toBe("https://ott.example/media/ads/1/360p.m3u8");
    const impression = doc.getElementsByTagName("Impression")[0]?.textContent;
    expect(impression).toBe("https://ott.example/api/ads/t/1-impression");
    expect(doc.getElementsByTagName("ClickThrough")[0]?.textContent).toBe("https://example.com/sale");
    expect(doc.getElementsByTagName("Error")[0]?.textContent).toBe("https://ott.example/api/ads/t/1-error?code=[ERRORCODE]");
  });

  it("follows a wrapper to the third party's inline ad", async () => {
    const fetched: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      fetched.push(url);
      return new Response(sample("vast-inline.xml"), { status: 200, headers: { "content-type": "text/xml" } });
    });
    const ads = await playableAds(new VASTClient(0, 0), parse("vast-wrapper.xml"), 5000);
    expect(fetched).toEqual(["http://third-party.example/vast.xml"]);
    expect(ads).toHaveLength(1);
    expect(ads[0]?.creative.mediaFiles).toHaveLength(3);
  });
});

describe("the media file", () => {
  const files: AdMediaFile[] = [
    { fileURL: "a-360.m3u8", mimeType: "application/x-mpegURL", width: 640, height: 360 },
    { fileURL: "a-720.m3u8", mimeType: "application/x-mpegURL", width: 1280, height: 720 },
    { fileURL: "a-720.mp4", mimeType: "video/mp4", width: 1280, height: 720 },
    { fileURL: "a-1080.webm", mimeType: "video/webm", width: 1920, height: 1080 },
    { fileURL: "vpaid.js", mimeType: "application/javascript", apiFramework: "VPAID", width: 1920, height: 1080 },
  ];
  const mp4Only = (mime: string) => mime === "video/mp4";

  it("the smallest at least as high as the player, a progressive file before HLS at the same height", () => {
    expect(chooseMediaFile(files, { playerHeight: 700, canPlay: mp4Only })).toEqual({ url: "a-720.mp4", type: "video/mp4", height: 720 });
    expect(chooseMediaFile(files, { playerHeight: 300, canPlay: mp4Only })?.url).toBe("a-360.m3u8");
  });

  it("the highest it can play when all are smaller; none it cannot play, never VPAID", () => {
    expect(chooseMediaFile(files, { playerHeight: 2160, canPlay: mp4Only })?.url).toBe("a-720.mp4");
    expect(chooseMediaFile(files, { playerHeight: 2160, canPlay: () => true })?.url).toBe("a-1080.webm");
    expect(chooseMediaFile([files[4]!], { playerHeight: 720, canPlay: () => true })).toBeNull();
    expect(chooseMediaFile([files[3]!], { playerHeight: 720, canPlay: mp4Only })).toBeNull();
    expect(chooseMediaFile([files[0]!], { playerHeight: 720, canPlay: () => false })?.type).toBe("application/x-mpegURL");
  });
});

describe("the ad view", () => {
  it("counts down the ad and the skip", () => {
    expect(secondsLeft({ duration: 15, currentTime: 2.2 })).toBe(13);
    expect(secondsLeft({ duration: null, currentTime: 2 })).toBeNull();
    expect(secondsToSkip({ skipOffset: 5, currentTime: 3.5 })).toBe(2);
    expect(secondsToSkip({ skipOffset: 5, currentTime: 5 })).toBe(0);
    expect(secondsToSkip({ skipOffset: null, currentTime: 9 })).toBeNull();
  });

  it("tells its subscribers, and drops the controls with the view", () => {
    const store = new AdViewStore();
    const seen: (number | null)[] = [];
    const unsubscribe = store.subscribe(() => seen.push(store.get()?.currentTime ?? null));
    const controls = { skip: vi.fn(), clickThrough: vi.fn(), togglePause: vi.fn(), toggleMute: vi.fn() };
    store.set({ breakId: "b", index: 1, count: 1, duration: 10, currentTime: 0, skipOffset: null, clickThrough: null, paused: false, muted: false }, controls);
    store.update({ currentTime: 4 });
    expect(store.actions).toBe(controls);
    store.set(null);
    expect(store.actions).toBeNull();
    unsubscribe();
    store.update({ currentTime: 5 });
    expect(seen).toEqual([0, 4, null]);
  });
});

describe("the break player", () => {
  const host = {} as HTMLElement;

  it("plays a VAST break with the loaded code, and says which were shown", async () => {
    const shown: string[] = [];
    const playVastBreak = vi.fn(async () => true);
    const player = new VastBreakPlayer({ load: async () => ({ playVastBreak }), onShown: (b) => shown.push(b.id) });
    const [preroll] = parseVmap(sample("vmap.xml"), 1200, xml);
    await player.play(preroll!, { signal: new AbortController().signal, host });
    expect(playVastBreak).toHaveBeenCalledOnce();
    expect(shown).toEqual(["preroll"]);
  });

  it("plays nothing without a place to draw, for a break that is not VAST, or when its code does not come in time", async () => {
    vi.useFakeTimers();
    const playVastBreak = vi.fn(async () => true);
    const [preroll] = parseVmap(sample("vmap.xml"), 1200, xml);
    const signal = new AbortController().signal;
    const player = new VastBreakPlayer({ load: async () => ({ playVastBreak }) });
    await player.play(preroll!, { signal, host: null });
    await player.play({ id: "x", position: { kind: "preroll" } }, { signal, host });
    expect(playVastBreak).not.toHaveBeenCalled();

    const slow = new VastBreakPlayer({ load: () => new Promise(() => undefined), timeoutMs: 5000 });
    const playing = slow.play(preroll!, { signal, host });
    await vi.advanceTimersByTimeAsync(5001);
    await expect(playing).resolves.toBeUndefined();
  });
});

describe("a session with the ad service's breaks", () => {
  it("plays the pre-roll before the content, marks the mid-rolls, plays a mid-roll the viewer seeks over, then goes on at the target", async () => {
    vi.useFakeTimers();
    const played: { id: string; contentAt: number }[] = [];
    let finish: () => void = () => undefined;
    const surface = new FakeSurface(1200);
    const ads = sessionAds({
      fetch: async () => new Response(sample("vmap.xml"), { status: 200 }),
      seen: storedSeenBreaks(memoryStorage()),
    });
    // The real source; a break player that records what it is asked to play.
    const breakPlayer = {
      play: (adBreak: { id: string }) =>
        new Promise<void>((resolve) => {
          played.push({ id: adBreak.id, contentAt: surface.currentTime() });
          finish = resolve;
        }),
    };
    vi.stubGlobal("DOMParser", DOMParser);
    const phases: PlaybackPhase[] = [];
    const controller = new PlaybackController({
      api: new FakeApi(),
      start: startAnswer({ duration_seconds: 1200 }),
      breaks: ads.breaks,
      breakPlayer,
      onPhase: (phase) => phases.push(phase),
    });
    controller.attach(surface, { autoplay: true });
    await settle();
    expect(played.map((item) => item.id)).toEqual(["preroll"]);
    expect(surface.paused()).toBe(true);
    expect(controller.upcomingMidrolls).toEqual([300, 600.5]);
    finish();
    await settle();
    expect(surface.paused()).toBe(false);

    surface.advance(4);
    surface.userSeek(450); // over the mid-roll at 300
    await settle();
    expect(played.map((item) => item.id)).toEqual(["preroll", "midroll-1"]);
    expect(phases.at(-1)?.phase).toBe("break");
    expect(controller.upcomingMidrolls).toEqual([600.5]);
    expect(surface.paused()).toBe(true);
    finish();
    await settle();
    expect(surface.currentTime()).toBe(450);
    expect(surface.paused()).toBe(false);

    // Back over the played mid-roll and forward again: it does not come back.
    surface.userSeek(100);
    await settle();
    surface.userSeek(500);
    await settle();
    expect(played).toHaveLength(2);
    await controller.close();
  });

  it("resuming after a mid-roll: the passed ones are not played, the next one is", async () => {
    const schedule = new BreakSchedule(parseVmap(sample("vmap.xml"), 1200, xml), { startSeconds: 400 });
    expect(schedule.midrollOffsets).toEqual([600.5]);
    expect(schedule.takeMidroll(400, 700)?.id).toBe("midroll-2");
  });
});
