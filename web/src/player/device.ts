// The browser as a streaming device: an id that stays the same in this browser (so starting
// again replaces this browser's own stream instead of taking another) and a name people
// recognise in the "too many streams" list.
import type { DeviceInfo } from "./types";

const DEVICE_KEY = "ott.device-id";

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function randomId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0")).join("");
}

/** The id stored in `store`, made once. Without storage (private modes may refuse) a fresh one. */
export function deviceId(store: KeyValueStore | null): string {
  try {
    const known = store?.getItem(DEVICE_KEY);
    if (known) return known;
    const made = `web-${randomId()}`;
    store?.setItem(DEVICE_KEY, made);
    return made;
  } catch {
    return `web-${randomId()}`;
  }
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\b(?:Headless)?Chrom(?:e|ium)\/|\bCriOS\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\bAndroid\b/, "Android"],
  [/\biPad\b/, "iPadOS"],
  [/\biPhone\b|\biPod\b/, "iOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/** "Chrome on Android" from a User-Agent; "Web browser" when it says nothing known. */
export function deviceName(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Web browser";
}

/** This browser as the streaming API's device. */
export function browserDevice(): DeviceInfo {
  let store: KeyValueStore | null = null;
  try {
    store = window.localStorage;
  } catch {
    store = null;
  }
  return { id: deviceId(store), type: "web", name: deviceName(navigator.userAgent) };
}
