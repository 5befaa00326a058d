// Resumable uploads to /api/cms/uploads with tus-js-client, under the session's bearer token.
//
// - Every request (creation, HEAD, PATCH) carries the current access token; a 401 (the token
//   expired mid-upload) refreshes it through the app's client and the request is retried.
// - The upload's URL is kept in localStorage under a fingerprint of the file, the title and the
//   kind, so choosing the same file again after a reload (or a lost connection) continues from
//   the server's offset instead of starting over.
import { defaultOptions, Upload, type DetailedError, type PreviousUpload } from "tus-js-client";

import { client } from "@/session/api";
import { browserTokenStore } from "@/session/storage";

export const UPLOADS_PATH = "/api/cms/uploads";
// Large chunks: each PATCH counts against the gateway's rate limit.
const CHUNK_BYTES = 64 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];

export type UploadKind = "video" | "audio" | "subtitle";

export interface UploadTarget {
  contentId: string;
  kind: UploadKind;
  language?: string;
  label?: string;
}

export interface UploadHandlers {
  onProgress: (sent: number, total: number) => void;
  onSuccess: (uploadId: string) => void;
  onError: (error: Error) => void;
}

let refreshing: Promise<unknown> | null = null;

/** Refresh the access token once (the app's client refreshes on the 401 of any call). */
function refreshToken(): void {
  refreshing ??= client
    .fetch("/api/auth/me")
    .catch(() => null)
    .finally(() => {
      refreshing = null;
    });
}

function statusOf(error: Error | DetailedError): number {
  return "originalResponse" in error && error.originalResponse ? error.originalResponse.getStatus() : 0;
}

function endpoint(): string {
  return `${window.location.origin}${UPLOADS_PATH}`;
}

function fingerprintOf(file: File, target: UploadTarget): string {
  return ["ott-cms", target.contentId, target.kind, file.name, file.type, file.size, file.lastModified].join("|");
}

/** The upload's id: the last segment of its URL (`/api/cms/uploads/<id>`). */
export function uploadIdOf(url: string | null): string | null {
  if (!url) return null;
  return new URL(url, window.location.href).pathname.split("/").filter(Boolean).at(-1) ?? null;
}

/** A tus upload of `file` for the title, not started yet (see `startOrResume`). */
export function createUpload(file: File, target: UploadTarget, handlers: UploadHandlers): Upload {
  const metadata: Record<string, string> = {
    kind: target.kind,
    filename: file.name,
    content_id: target.contentId,
  };
  if (target.language) metadata.language = target.language;
  if (target.label) metadata.label = target.label;
  const upload: Upload = new Upload(file, {
    endpoint: endpoint(),
    metadata,
    chunkSize: CHUNK_BYTES,
    retryDelays: RETRY_DELAYS,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: async () => fingerprintOf(file, target),
    onBeforeRequest: async (request) => {
      if (refreshing) await refreshing;
      const tokens = browserTokenStore.read();
      if (tokens) request.setHeader("Authorization", `Bearer ${tokens.accessToken}`);
    },
    onShouldRetry: (error, attempt) => {
      const status = statusOf(error);
      if (status === 401) {
        refreshToken();
        return attempt < 2;
      }
      // tus's own rule (no retry of a 4xx but a lock or offset conflict), plus rate limits.
      return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
    },
    onProgress: handlers.onProgress,
    onSuccess: () => {
      const id = uploadIdOf(upload.url);
      if (id) handlers.onSuccess(id);
      else handlers.onError(new Error("The upload has no URL"));
    },
    onError: handlers.onError,
  });
  return upload;
}

/** Start the upload, continuing an earlier one of the same file if the browser kept it. */
export async function startOrResume(upload: Upload): Promise<boolean> {
  const previous = await upload.findPreviousUploads();
  const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
  if (latest) upload.resumeFromPreviousUpload(latest);
  upload.start();
  return latest !== undefined;
}

/** Unfinished uploads this browser remembers for a title. */
export async function unfinishedUploads(contentId: string): Promise<PreviousUpload[]> {
  try {
    const all = await defaultOptions.urlStorage.findAllUploads();
    return all.filter((upload) => upload.metadata.content_id === contentId);
  } catch {
    return []; // no localStorage (private mode): nothing to resume
  }
}

/** Forget an unfinished upload here and delete it on the platform (best effort). */
export async function forgetUpload(previous: PreviousUpload): Promise<void> {
  await defaultOptions.urlStorage.removeUpload(previous.urlStorageKey);
  if (!previous.uploadUrl) return;
  const tokens = browserTokenStore.read();
  await Upload.terminate(previous.uploadUrl, {
    headers: tokens ? { Authorization: `Bearer ${tokens.accessToken}` } : {},
    retryDelays: null,
  }).catch(() => undefined); // expired or gone already: nothing to delete
}
