// Reads {"kind": "vast" | "vmap", "xml": "..."} on stdin and prints what the players' parsers
// read from it, as JSON: @dailymotion/vast-client's VASTParser.parseVAST on an @xmldom/xmldom
// DOM (the DOMParser vast-client itself depends on), and @dailymotion/vmap's VMAP class.
// The packages come from web/node_modules (the web player's own).
import { createRequire } from "node:module";

const web = createRequire(new URL("../../web/package.json", import.meta.url));
const { VASTParser } = web("@dailymotion/vast-client");
const VMAP = web("@dailymotion/vmap");
const fromVastClient = createRequire(web.resolve("@dailymotion/vast-client"));
const { DOMParser } = fromVastClient("@xmldom/xmldom");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { kind, xml } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const dom = new DOMParser().parseFromString(xml, "text/xml");

function vastSummary(response) {
  return {
    version: response.version,
    errorURLTemplates: response.errorURLTemplates,
    ads: response.ads.map((ad) => ({
      id: ad.id,
      sequence: ad.sequence,
      adServingId: ad.adServingId,
      title: ad.title,
      advertiser: ad.advertiser?.value ?? null,
      system: ad.system?.value ?? null,
      impressionURLTemplates: ad.impressionURLTemplates.map((t) => t.url),
      errorURLTemplates: ad.errorURLTemplates,
      vastAdTagURI: ad.VASTAdTagURI ?? null,
      creatives: ad.creatives.map((creative) => ({
        id: creative.id,
        type: creative.type,
        duration: creative.duration ?? null,
        skipDelay: creative.skipDelay ?? null,
        universalAdIds: (creative.universalAdIds ?? []).map((u) => ({
          registry: u.idRegistry,
          value: u.value,
        })),
        mediaFiles: (creative.mediaFiles ?? []).map((m) => ({
          url: m.fileURL,
          mimeType: m.mimeType,
          delivery: m.deliveryType,
          width: m.width,
          height: m.height,
          bitrate: m.bitrate,
          codec: m.codec,
        })),
        trackingEvents: creative.trackingEvents ?? {},
        clickThrough: creative.videoClickThroughURLTemplate?.url ?? null,
        clickTracking: (creative.videoClickTrackingURLTemplates ?? []).map((t) => t.url),
      })),
    })),
  };
}

function vmapSummary(vmap) {
  return {
    version: vmap.version,
    breaks: vmap.adBreaks.map((b) => ({
      timeOffset: b.timeOffset,
      breakType: b.breakType,
      breakId: b.breakId,
      adTagURI: b.adSource?.adTagURI?.uri ?? null,
      templateType: b.adSource?.adTagURI?.templateType ?? null,
    })),
  };
}

if (kind === "vast") {
  const response = await new VASTParser().parseVAST(dom);
  process.stdout.write(JSON.stringify(vastSummary(response)));
} else if (kind === "vmap") {
  process.stdout.write(JSON.stringify(vmapSummary(new VMAP(dom))));
} else {
  throw new Error(`unknown kind ${kind}`);
}
