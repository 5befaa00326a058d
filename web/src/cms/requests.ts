// Studio calls whose bodies the typed client cannot describe: files (multipart) and JSON merge
// patches (the schema declares the patch as a free object). Same token and refresh as `api`.
import { errorFromResponse, networkError } from "@/api/errors";
import { client } from "@/session/api";

import type { AssetOut, BulkResult, CmsView } from "./types";

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await client.fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw networkError(cause);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromResponse(response, body);
  return body as T;
}

function contentPath(contentId: string): string {
  return `/api/cms/content/${encodeURIComponent(contentId)}`;
}

/** PATCH: change some fields of a title, based on `version` (409 stale_version otherwise). */
export function patchTitle(contentId: string, version: number, patch: Record<string, unknown>): Promise<CmsView> {
  return send<CmsView>(contentPath(contentId), {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json" },
    body: JSON.stringify({ ...patch, version }),
  });
}

/** A poster or thumbnail image for the title, as the multipart field `file`. */
export function uploadAsset(
  contentId: string,
  kind: "poster" | "thumbnail",
  file: File,
  version: number,
): Promise<AssetOut> {
  const form = new FormData();
  form.append("file", file, file.name);
  return send<AssetOut>(`${contentPath(contentId)}/assets/${kind}?version=${version}`, { method: "POST", body: form });
}

/** A JSON or CSV file of titles; all or nothing (422 bulk_validation_failed lists every problem). */
export function bulkImport(file: File, publish: boolean): Promise<BulkResult> {
  const form = new FormData();
  form.append("file", file, file.name);
  const query = publish ? "?publish=true" : "";
  return send<BulkResult>(`/api/cms/content/bulk-upload${query}`, { method: "POST", body: form });
}
