// What the player reads of a parsed VAST response (@dailymotion/vast-client's model): the
// linear ads with media files, in their pod's order.
import type { VASTClient } from "@dailymotion/vast-client";

import type { AdMediaFile } from "./media-file";

export interface LinearCreative {
  type: string;
  duration: number;
  skipDelay: number | null;
  mediaFiles: AdMediaFile[];
  videoClickThroughURLTemplate: { url: string } | string | null;
}

export interface ParsedAd {
  id: string | null;
  sequence: number | string | null;
  creatives: { type: string }[];
}

export interface Playable {
  ad: ParsedAd;
  creative: LinearCreative;
}

/** Parses `xml` (following wrappers, at most 5 deep); an empty VAST has none. */
export async function playableAds(client: VASTClient, xml: Document, timeoutMs: number): Promise<Playable[]> {
  const response = (await client.parseVAST(xml, { wrapperLimit: 5, timeout: timeoutMs, allowMultipleAds: true })) as {
    ads: ParsedAd[];
  };
  const sequence = (ad: ParsedAd) => Number(ad.sequence ?? 0) || 0;
  return [...response.ads]
    .sort((a, b) => sequence(a) - sequence(b))
    .flatMap((ad) => {
      const creative = ad.creatives.find(
        (item): item is LinearCreative => item.type === "linear" && ((item as LinearCreative).mediaFiles?.length ?? 0) > 0,
      );
      return creative ? [{ ad, creative }] : [];
    });
}

export function clickThroughOf(creative: LinearCreative): string | null {
  const template = creative.videoClickThroughURLTemplate;
  if (!template) return null;
  return typeof template === "string" ? template : template.url || null;
}

/** The VAST elements whose text is a URL. */
const URL_ELEMENTS = new Set([
  "Impression",
  "Error",
  "Tracking",
  "ClickThrough",
  "ClickTracking",
  "CustomClick",
  "MediaFile",
  "Mezzanine",
  "VASTAdTagURI",
  "IconClickThrough",
  "IconClickTracking",
  "IconViewTracking",
  "StaticResource",
  "IFrameResource",
]);

/**
 * Makes the URLs of a VAST document absolute against `base` (where it came from), in place:
 * vast-client only calls absolute tracking URLs, and an ad server on the player's own origin
 * may answer paths.
 */
export function absoluteUrls(xml: Document, base: string): Document {
  const all = xml.getElementsByTagName("*");
  for (let index = 0; index < all.length; index++) {
    const element = all[index];
    if (!element || !URL_ELEMENTS.has(element.localName)) continue;
    const text = (element.textContent ?? "").trim();
    if (!text || /^[a-z][a-z0-9+.-]*:|^\/\//i.test(text)) continue;
    try {
      element.textContent = new URL(text, base).href;
    } catch {
      // not a URL at all: left as it is (the parser reports what it cannot use)
    }
  }
  return xml;
}
