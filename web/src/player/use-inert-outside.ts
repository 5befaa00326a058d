"use client";

// A full-screen layer over the app (the watch page): everything else is made inert while it is
// shown, so keyboard focus and screen readers stay in it, and the page behind does not scroll.
import { useEffect, type RefObject } from "react";

export function useInertOutside(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const layer = ref.current;
    if (layer === null) return;
    const made: HTMLElement[] = [];
    for (let node: HTMLElement | null = layer; node && node !== document.body; node = node.parentElement) {
      const parent: HTMLElement | null = node.parentElement;
      if (parent === null) break;
      for (const sibling of Array.from(parent.children)) {
        if (sibling === node || !(sibling instanceof HTMLElement) || sibling.inert) continue;
        // Portals (dialogs, menus) are added later, so they stay usable.
        sibling.inert = true;
        made.push(sibling);
      }
    }
    const root = document.documentElement;
    const overflow = root.style.overflow;
    root.style.overflow = "hidden";
    return () => {
      for (const element of made) element.inert = false;
      root.style.overflow = overflow;
    };
  }, [ref]);
}
