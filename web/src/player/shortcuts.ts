// The player's keyboard shortcuts. Single-key shortcuts can be turned off (WCAG 2.1.4): the
// choice is kept in this browser.

export type ShortcutAction =
  | "togglePlay"
  | "fullscreen"
  | "mute"
  | "seekBack"
  | "seekForward"
  | "volumeUp"
  | "volumeDown"
  | "captions";

export const SEEK_STEP_SECONDS = 10;
export const VOLUME_STEP = 0.1;

const KEYS: Record<string, ShortcutAction> = {
  " ": "togglePlay",
  k: "togglePlay",
  f: "fullscreen",
  m: "mute",
  ArrowLeft: "seekBack",
  ArrowRight: "seekForward",
  ArrowUp: "volumeUp",
  ArrowDown: "volumeDown",
  c: "captions",
};

/** The key and what has focus when it was pressed. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag (upper case) and role, if any. */
  targetTag: string;
  targetRole: string | null;
  targetEditable: boolean;
  /** An <input>'s type ("range" for the seek and volume sliders). */
  targetType?: string | null;
}

// Where keys belong to the focused control: typing, menus, sliders, dialogs.
const OWN_KEYS_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);
const OWN_KEYS_ROLES = new Set([
  "menu",
  "menuitem",
  "menuitemradio",
  "menuitemcheckbox",
  "listbox",
  "option",
  "textbox",
  "combobox",
  "dialog",
  "alertdialog",
]);
// Space and Enter press a focused button or link; the arrows still steer the player.
const PRESSABLE_TAGS = new Set(["BUTTON", "A", "SUMMARY"]);

/** The action for a key press, or null when the key is not a shortcut here. */
export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  const action = KEYS[key] ?? null;
  // A slider (the seek bar, the volume) keeps its arrows; the other keys still work there.
  const slider = press.targetRole === "slider" || (press.targetTag === "INPUT" && press.targetType === "range");
  if (slider) return key.startsWith("Arrow") ? null : action;
  if (press.targetEditable || OWN_KEYS_TAGS.has(press.targetTag)) return null;
  if (press.targetRole !== null && OWN_KEYS_ROLES.has(press.targetRole)) return null;
  if (action === "togglePlay" && key === " " && (PRESSABLE_TAGS.has(press.targetTag) || press.targetRole === "button")) {
    return null;
  }
  return action;
}

/** The KeyPress of a DOM keyboard event. */
export function keyPressOf(event: KeyboardEvent): KeyPress {
  const target = event.target instanceof HTMLElement ? event.target : null;
  return {
    key: event.key,
    ctrlKey: event.ctrlKey,
    metaKey: event.metaKey,
    altKey: event.altKey,
    targetTag: target?.tagName ?? "",
    targetRole: target?.getAttribute("role") ?? null,
    targetEditable: target?.isContentEditable ?? false,
    targetType: target instanceof HTMLInputElement ? target.type : null,
  };
}

const SHORTCUTS_KEY = "ott.player.shortcuts";

export function shortcutsEnabled(): boolean {
  try {
    return window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
  } catch {
    return true;
  }
}

export function setShortcutsEnabled(enabled: boolean): void {
  try {
    window.localStorage.setItem(SHORTCUTS_KEY, enabled ? "on" : "off");
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}
