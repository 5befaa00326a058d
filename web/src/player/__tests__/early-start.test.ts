import { afterEach, describe, expect, it, vi } from "vitest";

import { beginPlayback, EARLY_START_MS, takeEarlyStart, type StartKey } from "../early-start";
import { startAnswer } from "./fakes";

const FILM: StartKey = { contentId: "c1", episodeId: null, format: "hls" };

afterEach(() => {
  takeEarlyStart(FILM); // nothing left over for the next test
  vi.useRealTimers();
});

describe("the start a Play press begins", () => {
  it("is taken once, by the watch page of the same title, episode and format", async () => {
    const start = vi.fn(() => Promise.resolve(startAnswer({})));
    beginPlayback(FILM, start, () => undefined);
    expect(start).toHaveBeenCalledTimes(1);
    const taken = takeEarlyStart(FILM);
    expect(taken).not.toBeNull();
    await expect(taken).resolves.toMatchObject({ session_id: startAnswer({}).session_id });
    expect(takeEarlyStart(FILM)).toBeNull();
  });

  it("is not taken for another title, episode or format", () => {
    for (const other of [
      { ...FILM, contentId: "c2" },
      { ...FILM, episodeId: "e1" },
      { ...FILM, format: "dash" as const },
    ]) {
      beginPlayback(FILM, () => Promise.resolve(startAnswer({})), () => undefined);
      expect(takeEarlyStart(other)).toBeNull();
      expect(takeEarlyStart(FILM)).toBeNull(); // a look by another page drops it
    }
  });

  it("is left alone once older than EARLY_START_MS", () => {
    vi.useFakeTimers();
    beginPlayback(FILM, () => Promise.resolve(startAnswer({})), () => undefined);
    expect(takeEarlyStart(FILM, Date.now() + EARLY_START_MS + 1)).toBeNull();
  });

  it("hands a failed start to whoever takes it", async () => {
    beginPlayback(FILM, () => Promise.reject(new Error("offline")), () => undefined);
    await expect(takeEarlyStart(FILM)).rejects.toThrow("offline");
  });

  it("plays an answer no page has taken yet early, while none has", async () => {
    const prepare = vi.fn();
    beginPlayback(FILM, () => Promise.resolve(startAnswer({})), prepare);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(prepare.mock.calls[0]?.[0]).toMatchObject({ session_id: startAnswer({}).session_id });
    const stillWanted = prepare.mock.calls[0]?.[1] as () => boolean;
    expect(stillWanted()).toBe(true);
    expect(takeEarlyStart(FILM)).not.toBeNull();
    expect(stillWanted()).toBe(false); // the watch page has it now: the early session stops short
  });

  it("leaves an answer the watch page took before it came to that page", async () => {
    const prepare = vi.fn();
    let answer: (start: ReturnType<typeof startAnswer>) => void = () => undefined;
    beginPlayback(FILM, () => new Promise((resolve) => (answer = resolve)), prepare);
    const taken = takeEarlyStart(FILM);
    answer(startAnswer({}));
    await taken;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(prepare).not.toHaveBeenCalled();
  });

  it("prepares no player for an answer a later press replaced, nor for a failed start", async () => {
    const prepare = vi.fn();
    let answerFirst: (start: ReturnType<typeof startAnswer>) => void = () => undefined;
    beginPlayback(FILM, () => new Promise((resolve) => (answerFirst = resolve)), prepare);
    beginPlayback({ ...FILM, contentId: "c2" }, () => Promise.reject(new Error("offline")), prepare);
    answerFirst(startAnswer({}));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(prepare).not.toHaveBeenCalled();
    takeEarlyStart({ ...FILM, contentId: "c2" })?.catch(() => undefined);
  });
});
