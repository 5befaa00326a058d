"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export type Resource<T> =
  | { status: "loading"; data?: undefined; error?: undefined }
  | { status: "ready"; data: T; error?: undefined }
  | { status: "error"; data?: undefined; error: unknown };

/**
 * Loads `load()` whenever `key` changes (null: wait), cancelling the previous load. The
 * answer of an older key never overwrites a newer one.
 */
export function useResource<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
): Resource<T> & { reload: () => void; set: (data: T) => void } {
  const [resource, setResource] = useState<Resource<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setResource({ status: "loading" });
    loader
      .current(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setResource({ status: "ready", data });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setResource({ status: "error", error });
      });
    return () => controller.abort();
  }, [key, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const set = useCallback((data: T) => setResource({ status: "ready", data }), []);
  return { ...resource, reload, set };
}
