// A VMAP 1.0 document (the ad service's answer for one playback) as the player's ad breaks:
// "start" is the pre-roll, "end" the post-roll, a clock time or a percentage of the title a
// mid-roll. Parsed with @dailymotion/vmap, the parser players use.
import VMAP, { type VMAPAdBreak } from "@dailymotion/vmap";

import type { AdBreak, BreakPosition } from "../breaks";

/** Where a break's VAST comes from, and the VMAP's own tracking of the break. */
export interface VastTag {
  /** The VAST document's URL (AdTagURI). */
  tagUrl: string | null;
  /** A VAST document given inline (VASTAdData), serialised. */
  inlineVast: string | null;
  /** breakStart, breakEnd and error URLs of the VMAP. */
  tracking: { event: string; uri: string }[];
}

export type VastBreak = AdBreak<VastTag>;

/** Seconds of a VMAP clock offset ("00:10:00", "00:00:05.500"); null when it is not one. */
export function clockSeconds(offset: string): number | null {
  const match = /^(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$/.exec(offset.trim());
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** The place in the title of a break's timeOffset; null for one the player does not place. */
export function positionOf(timeOffset: string | null, durationSeconds: number): BreakPosition | null {
  const offset = (timeOffset ?? "").trim();
  if (offset === "start") return { kind: "preroll" };
  if (offset === "end") return { kind: "postroll" };
  let seconds = clockSeconds(offset);
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(offset);
  if (seconds === null && percent) {
    const share = Number(percent[1]);
    if (share >= 100) return { kind: "postroll" };
    if (!(durationSeconds > 0)) return null;
    seconds = (share / 100) * durationSeconds;
  }
  if (seconds === null) return null; // "#n" positions: not used by this platform's ad service
  if (seconds <= 0) return { kind: "preroll" };
  if (durationSeconds > 0 && seconds >= durationSeconds) return { kind: "postroll" };
  return { kind: "midroll", offsetSeconds: seconds };
}

function idOf(item: VMAPAdBreak, position: BreakPosition): string {
  if (item.breakId) return item.breakId;
  return position.kind === "midroll" ? `midroll-${position.offsetSeconds}` : position.kind;
}

function serialise(node: Node | null): string | null {
  if (node === null || typeof XMLSerializer === "undefined") return null;
  return new XMLSerializer().serializeToString(node);
}

/**
 * The linear breaks of a parsed VMAP document, each once (a second break at the same place is
 * dropped: the schedule plays one break per place), in the title's order.
 */
export function breaksOfVmap(xml: Document, durationSeconds: number): VastBreak[] {
  const vmap = new VMAP(xml);
  const breaks: VastBreak[] = [];
  const places = new Set<string>();
  for (const item of vmap.adBreaks) {
    const types = (item.breakType ?? "linear").split(",").map((type) => type.trim());
    if (!types.includes("linear")) continue;
    const position = positionOf(item.timeOffset, durationSeconds);
    const source = item.adSource;
    if (position === null || source === null) continue;
    const tagUrl = source.adTagURI?.uri || null;
    const inlineVast = tagUrl ? null : serialise(source.vastAdData);
    if (tagUrl === null && inlineVast === null) continue;
    const place = position.kind === "midroll" ? `midroll@${position.offsetSeconds}` : position.kind;
    if (places.has(place)) continue;
    places.add(place);
    breaks.push({ id: idOf(item, position), position, payload: { tagUrl, inlineVast, tracking: item.trackingEvents } });
  }
  const order = (item: VastBreak) =>
    item.position.kind === "preroll" ? -1 : item.position.kind === "postroll" ? Infinity : item.position.offsetSeconds;
  return breaks.sort((a, b) => order(a) - order(b));
}

/** Parses VMAP text (the browser's DOMParser unless another is given, as in tests). */
export function parseVmap(
  text: string,
  durationSeconds: number,
  parser: { parseFromString(text: string, type: "text/xml"): Document } = new DOMParser(),
): VastBreak[] {
  const xml = parser.parseFromString(text, "text/xml");
  if (xml.getElementsByTagName("parsererror").length > 0) throw new Error("the VMAP document is not XML");
  return breaksOfVmap(xml, durationSeconds);
}

export function isVastBreak(adBreak: AdBreak): adBreak is VastBreak {
  const payload = adBreak.payload as Partial<VastTag> | undefined;
  return typeof payload === "object" && payload !== null && Array.isArray(payload.tracking);
}
