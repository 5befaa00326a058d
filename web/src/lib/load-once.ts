/**
 * `load` run once and its promise shared by every caller; a failed load (the network) is
 * tried again by the next caller. For code-split chunks: `loadOnce(() => import("./x"))`.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    if (loading === null) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = null;
      });
    }
    return loading;
  };
}
