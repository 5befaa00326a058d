import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import type { AdBreak, AdBreakPlayer, AdBreakSource } from "../breaks";
import { PlaybackController, type PageLifecycle, type PlaybackPhase } from "../controller";
import { BASE, FakeApi, FakeSurface, settle, startAnswer } from "./fakes";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(options: { resume?: number; breaks?: AdBreak[]; breakPlayer?: AdBreakPlayer; lifecycle?: PageLifecycle } = {}) {
  const api = new FakeApi();
  const surface = new FakeSurface(600);
  const phases: PlaybackPhase[] = [];
  const source: AdBreakSource | undefined = options.breaks
    ? { breaksFor: async () => options.breaks ?? [] }
    : undefined;
  const controller = new PlaybackController({
    api,
    start: startAnswer({ resume_position_seconds: options.resume ?? 0 }),
    breaks: source,
    breakPlayer: options.breakPlayer,
    lifecycle: options.lifecycle,
    onPhase: (phase) => phases.push(phase),
  });
  return { api, surface, controller, phases };
}

async function begin(ctx: ReturnType<typeof setup>) {
  ctx.controller.attach(ctx.surface, { autoplay: true });
  await settle();
}

/** A break player whose breaks last until the test ends them. */
function manualBreaks() {
  const playing: { adBreak: AdBreak; finish: () => void }[] = [];
  const player: AdBreakPlayer = {
    play: (adBreak) =>
      new Promise<void>((resolve) => {
        playing.push({ adBreak, finish: resolve });
      }),
  };
  return { player, playing };
}

describe("resume", () => {
  it("seeks to the resume position once metadata is loaded, then plays", async () => {
    const ctx = setup({ resume: 123.5 });
    await begin(ctx);
    expect(ctx.surface.calls).toEqual(["seek:123.5", "play"]);
    expect(ctx.surface.paused()).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    expect(ctx.api.allEvents.map((e) => e.type)).toEqual(["play"]);
    expect(ctx.phases.at(-1)).toEqual({ phase: "content" });
  });

  it("starts from the beginning when there is nothing to resume", async () => {
    const ctx = setup({ resume: 0 });
    await begin(ctx);
    expect(ctx.surface.calls).toEqual(["play"]);
  });

  it("waits for metadata before seeking", async () => {
    const ctx = setup({ resume: 50 });
    ctx.surface.length = Number.NaN;
    ctx.controller.attach(ctx.surface, { autoplay: true });
    await settle();
    expect(ctx.surface.calls).toEqual([]);
    ctx.surface.length = 600;
    ctx.surface.emit("loadedmetadata");
    await settle();
    expect(ctx.surface.calls).toEqual(["seek:50", "play"]);
  });

  it("stays paused when autoplay is refused", async () => {
    const ctx = setup();
    ctx.surface.refusePlay = true;
    await begin(ctx);
    expect(ctx.surface.paused()).toBe(true);
    expect(ctx.phases.at(-1)).toEqual({ phase: "content" });
  });
});

describe("position reports", () => {
  it("reports every 10 s with a rising sequence and the current position", async () => {
    const ctx = setup();
    await begin(ctx);
    for (let tick = 0; tick < 3; tick++) {
      ctx.surface.advance(10);
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(ctx.api.reports.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(ctx.api.reports.map((r) => r.position_seconds)).toEqual([10, 20, 30]);
    expect(ctx.api.reports.every((r) => r.session_id === ctx.controller.sessionId)).toBe(true);
    expect(ctx.controller.sequence).toBe(3);
  });

  it("keeps renewing the lease while paused", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.surface.advance(4);
    ctx.surface.pause();
    await vi.advanceTimersByTimeAsync(30_000);
    const positions = ctx.api.reports.map((r) => r.position_seconds);
    expect(positions).toEqual([4, 4, 4, 4]); // the pause itself, then three heartbeats
  });

  it("reports on pause and on seek, and records the viewer's events", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.surface.advance(5);
    ctx.surface.pause();
    await settle();
    expect(ctx.api.reports.at(-1)).toMatchObject({ sequence: 1, position_seconds: 5 });
    await ctx.surface.play();
    ctx.surface.userSeek(200);
    await settle();
    expect(ctx.api.reports.at(-1)).toMatchObject({ sequence: 2, position_seconds: 200 });
    ctx.surface.userSeek(20);
    await settle();
    await vi.advanceTimersByTimeAsync(2500);
    const events = ctx.api.allEvents;
    expect(events.map((e) => e.type)).toEqual(["play", "pause", "play", "seek", "rewind"]);
    expect(events[3]?.metadata).toEqual({ from_seconds: 5 });
    expect(events[4]?.metadata).toEqual({ from_seconds: 200 });
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    for (const event of events) expect(event.event_id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  });

  it("reports with keepalive when the page is hidden", async () => {
    let hide: () => void = () => undefined;
    const lifecycle: PageLifecycle = {
      onHide: (listener) => {
        hide = listener;
        return () => {
          hide = () => undefined;
        };
      },
    };
    const ctx = setup({ lifecycle });
    await begin(ctx);
    ctx.surface.advance(7);
    hide();
    await settle();
    expect(ctx.api.reports).toEqual([
      { session_id: ctx.controller.sessionId, position_seconds: 7, sequence: 1, keepalive: true },
    ]);
  });

  it("keeps reporting after a network failure", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.api.failNext.push({ status: 0, code: "network" }, { status: 503, code: "service_unavailable" });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ctx.api.reports.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(ctx.controller.phase).toEqual({ phase: "content" });
  });
});

describe("media token renewal", () => {
  it("swaps the fresh token of each report into later media URLs", async () => {
    const fresh: string[] = [];
    const api = new FakeApi();
    const surface = new FakeSurface();
    const controller = new PlaybackController({ api, start: startAnswer(), onMedia: (m) => fresh.push(m.base_url) });
    controller.attach(surface);
    await settle();
    const segment = `http://127.0.0.1:3000${BASE}720p/segment_7.m4s`;
    expect(controller.rewrite(segment)).toBe(segment);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(controller.rewrite(segment)).toBe(
      "http://127.0.0.1:3000/media/s/TOKEN1/1001/videos/owner-1/enc-1/720p/segment_7.m4s",
    );
    expect(controller.rewrite(`${BASE}sprite_0.jpg`)).toBe("/media/s/TOKEN1/1001/videos/owner-1/enc-1/sprite_0.jpg");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(controller.rewrite(segment)).toContain("/media/s/TOKEN2/1002/videos/owner-1/enc-1/");
    expect(fresh).toEqual([
      "/media/s/TOKEN1/1001/videos/owner-1/enc-1/",
      "/media/s/TOKEN2/1002/videos/owner-1/enc-1/",
    ]);
    // Not this encoding's folder, or not media: left alone.
    expect(controller.rewrite("/media/s/X/9/videos/owner-2/enc-9/a.m4s")).toBe("/media/s/X/9/videos/owner-2/enc-9/a.m4s");
    expect(controller.rewrite("/api/stream/x/manifest?session=s")).toBe("/api/stream/x/manifest?session=s");
  });

  it("keeps the newest token when answers arrive out of order", async () => {
    const api = new FakeApi();
    const answers = [
      { base_url: "/media/s/NEW/2000/videos/owner-1/enc-1/", expires_at: "2030-01-01T00:30:00Z" },
      { base_url: "/media/s/OLD/1500/videos/owner-1/enc-1/", expires_at: "2030-01-01T00:20:00Z" },
    ];
    api.position = async (report) => ({
      session_id: report.session_id,
      applied: true,
      position_seconds: report.position_seconds,
      sequence: report.sequence,
      media: answers.shift() ?? answers[0]!,
      lease_expires_at: "2030-01-01T00:02:00Z",
    });
    const controller = new PlaybackController({ api, start: startAnswer() });
    controller.attach(new FakeSurface());
    await controller.report();
    await controller.report();
    expect(controller.rewrite(`${BASE}a.m4s`)).toBe("/media/s/NEW/2000/videos/owner-1/enc-1/a.m4s");
  });
});

describe("the platform stops the stream", () => {
  it("410: the stream ended elsewhere or lapsed; playback stops and reports stop", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.api.failNext.push({ status: 410, code: "stream_ended" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.controller.phase).toEqual({ phase: "stopped", reason: "stream_ended" });
    expect(ctx.surface.paused()).toBe(true);
    expect(ctx.surface.listenerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ctx.api.reports).toHaveLength(1);
  });

  it("403: the title can no longer be watched", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.api.failNext.push({ status: 403, code: "premium_required" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.controller.phase).toEqual({ phase: "stopped", reason: "not_entitled" });
    expect(ctx.surface.paused()).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ctx.api.reports).toHaveLength(1);
  });

  it("a session the platform no longer knows is an ended stream", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.api.failNext.push({ status: 404, code: "session_not_found" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.controller.phase).toEqual({ phase: "stopped", reason: "stream_ended" });
  });
});

describe("the end", () => {
  it("completes the session when the title ends, and reports no more", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.surface.time = 600;
    ctx.surface.isPaused = true;
    ctx.surface.emit("pause");
    ctx.surface.emit("ended");
    await settle();
    expect(ctx.api.completed).toEqual([ctx.controller.sessionId]);
    expect(ctx.controller.phase).toEqual({ phase: "finished" });
    expect(ctx.api.allEvents.map((e) => e.type)).toEqual(["play"]); // the end's pause is not the viewer's
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ctx.api.reports).toHaveLength(0);
  });

  it("close sends a last report, then releases the stream", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.surface.advance(42);
    await ctx.controller.close({ release: true });
    expect(ctx.api.reports).toEqual([
      { session_id: ctx.controller.sessionId, position_seconds: 42, sequence: 1, keepalive: true },
    ]);
    expect(ctx.api.stopped).toEqual([ctx.controller.sessionId]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ctx.api.reports).toHaveLength(1);
    expect(ctx.surface.listenerCount()).toBe(0);
  });

  it("close after the platform stopped the stream calls nothing", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.api.failNext.push({ status: 410, code: "stream_ended" });
    await vi.advanceTimersByTimeAsync(10_000);
    await ctx.controller.close({ release: true });
    expect(ctx.api.reports).toHaveLength(1);
    expect(ctx.api.stopped).toEqual([]);
  });
});

describe("ad breaks", () => {
  const preroll: AdBreak = { id: "pre", position: { kind: "preroll" } };
  const mid30: AdBreak = { id: "mid30", position: { kind: "midroll", offsetSeconds: 30 } };
  const mid60: AdBreak = { id: "mid60", position: { kind: "midroll", offsetSeconds: 60 } };
  const mid90: AdBreak = { id: "mid90", position: { kind: "midroll", offsetSeconds: 90 } };
  const postroll: AdBreak = { id: "post", position: { kind: "postroll" } };

  it("the default source has no breaks: content plays at once", async () => {
    const ctx = setup();
    await begin(ctx);
    expect(ctx.phases.map((p) => p.phase)).toEqual(["content"]);
    expect(ctx.surface.paused()).toBe(false);
  });

  it("plays the pre-roll before the content, then plays the content", async () => {
    const breaks = manualBreaks();
    const ctx = setup({ breaks: [preroll, mid30], breakPlayer: breaks.player });
    await begin(ctx);
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["pre"]);
    expect(ctx.controller.phase).toEqual({ phase: "break", adBreak: preroll });
    expect(ctx.surface.paused()).toBe(true);
    expect(ctx.surface.calls).toEqual([]);
    // The viewer pressing play during the break does not start the content.
    await ctx.surface.play();
    expect(ctx.surface.paused()).toBe(true);
    breaks.playing[0]?.finish();
    await settle();
    expect(ctx.controller.phase).toEqual({ phase: "content" });
    expect(ctx.surface.paused()).toBe(false);
  });

  it("pauses the content for a mid-roll, reports the frozen position during it, then resumes", async () => {
    const breaks = manualBreaks();
    const ctx = setup({ breaks: [mid30], breakPlayer: breaks.player });
    await begin(ctx);
    ctx.surface.advance(29.75);
    await settle();
    expect(breaks.playing).toHaveLength(0);
    ctx.surface.advance(0.5);
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["mid30"]);
    expect(ctx.surface.paused()).toBe(true);
    const at = ctx.surface.time;
    // The lease is still renewed during the break, at the content's position.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(ctx.api.reports.map((r) => r.position_seconds)).toEqual([at, at]);
    // The break's pause is not the viewer's.
    expect(ctx.api.allEvents.map((e) => e.type)).toEqual(["play"]);
    breaks.playing[0]?.finish();
    await settle();
    expect(ctx.surface.paused()).toBe(false);
    expect(ctx.controller.phase).toEqual({ phase: "content" });
    ctx.surface.advance(10);
    await settle();
    expect(breaks.playing).toHaveLength(1); // each break plays once
  });

  it("seeking over several mid-rolls plays only the last; seeking back plays none", async () => {
    const breaks = manualBreaks();
    const ctx = setup({ breaks: [mid30, mid60, mid90], breakPlayer: breaks.player });
    await begin(ctx);
    ctx.surface.userSeek(75);
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["mid60"]);
    breaks.playing[0]?.finish();
    await settle();
    ctx.surface.userSeek(10);
    await settle();
    ctx.surface.advance(25);
    await settle();
    expect(breaks.playing).toHaveLength(1);
    ctx.surface.userSeek(95);
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["mid60", "mid90"]);
  });

  it("mid-rolls before the resume position count as passed", async () => {
    const breaks = manualBreaks();
    const ctx = setup({ resume: 70, breaks: [mid30, mid60, mid90], breakPlayer: breaks.player });
    await begin(ctx);
    expect(ctx.surface.paused()).toBe(false);
    ctx.surface.advance(20.5);
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["mid90"]);
  });

  it("plays the post-roll after the end, then completes", async () => {
    const breaks = manualBreaks();
    const ctx = setup({ breaks: [postroll], breakPlayer: breaks.player });
    await begin(ctx);
    ctx.surface.time = 600;
    ctx.surface.isPaused = true;
    ctx.surface.emit("ended");
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["post"]);
    expect(ctx.api.completed).toEqual([]);
    breaks.playing[0]?.finish();
    await settle();
    expect(ctx.api.completed).toEqual([ctx.controller.sessionId]);
    expect(ctx.controller.phase).toEqual({ phase: "finished" });
  });

  it("a break that fails still gives the content back", async () => {
    const failing: AdBreakPlayer = { play: async () => Promise.reject(new Error("no fill")) };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const ctx = setup({ breaks: [preroll], breakPlayer: failing });
    await begin(ctx);
    expect(ctx.controller.phase).toEqual({ phase: "content" });
    expect(ctx.surface.paused()).toBe(false);
    warn.mockRestore();
  });

  it("a source that fails means no breaks", async () => {
    const api = new FakeApi();
    const surface = new FakeSurface();
    const controller = new PlaybackController({
      api,
      start: startAnswer(),
      breaks: { breaksFor: async () => Promise.reject(new ApiError({ status: 503, code: "x", message: "x" })) },
    });
    controller.attach(surface, { autoplay: true });
    await settle();
    expect(surface.paused()).toBe(false);
  });

  it("holds the viewer's play until the breaks are known", async () => {
    let answer: (breaks: AdBreak[]) => void = () => undefined;
    const source: AdBreakSource = { breaksFor: () => new Promise((resolve) => (answer = resolve)) };
    const breaks = manualBreaks();
    const api = new FakeApi();
    const surface = new FakeSurface();
    const controller = new PlaybackController({ api, start: startAnswer(), breaks: source, breakPlayer: breaks.player });
    controller.attach(surface);
    await settle();
    await surface.play();
    expect(surface.paused()).toBe(true);
    answer([preroll]);
    await settle();
    expect(breaks.playing.map((b) => b.adBreak.id)).toEqual(["pre"]);
    breaks.playing[0]?.finish();
    await settle();
    expect(surface.paused()).toBe(false);
  });
});

describe("the player going away", () => {
  it("keeps the last position for the final report", async () => {
    const ctx = setup();
    await begin(ctx);
    ctx.surface.advance(12);
    ctx.controller.detachSurface();
    ctx.surface.time = 0; // a disposed player answers nonsense
    expect(ctx.surface.listenerCount()).toBe(0);
    await ctx.controller.close({ release: true });
    expect(ctx.api.reports.map((r) => r.position_seconds)).toEqual([12]);
    expect(ctx.api.stopped).toEqual([ctx.controller.sessionId]);
  });
});

describe("a second player for the same session", () => {
  it("starts where the first one left", async () => {
    const ctx = setup({ resume: 30 });
    await begin(ctx);
    ctx.surface.advance(5);
    ctx.controller.detachSurface();
    const again = new FakeSurface(600);
    ctx.controller.attach(again, { autoplay: true });
    await settle();
    expect(again.calls).toEqual(["seek:35", "play"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.api.reports).toHaveLength(1); // one heartbeat, not two
  });
});
