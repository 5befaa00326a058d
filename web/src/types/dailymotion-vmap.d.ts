// @dailymotion/vmap ships no types: what the player reads of its VMAP 1.0 model.
declare module "@dailymotion/vmap" {
  export interface VMAPAdSource {
    id: string | null;
    allowMultipleAds: string | null;
    followRedirects: string | null;
    adTagURI: { templateType: string | null; uri: string } | null;
    vastAdData: Node | null;
    customData: Node | null;
  }

  export interface VMAPAdBreak {
    timeOffset: string | null;
    breakType: string | null;
    breakId: string | null;
    repeatAfter: string | null;
    adSource: VMAPAdSource | null;
    trackingEvents: { event: string; uri: string }[];
    track(event: string, errorCode?: number): void;
  }

  export default class VMAP {
    constructor(xml: Document);
    version: string | null;
    adBreaks: VMAPAdBreak[];
  }
}
