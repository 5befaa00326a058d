import { ApiError } from "@/api/errors";
import type { Messages } from "@/i18n";
import { describeError } from "@/lib/describe-error";

/** What to tell an editor about an error: the studio's own codes, else the app's wording. */
export function describeCmsError(t: Messages, error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(t, error);
  const e = t.cms.errors;
  const byCode: Record<string, string> = {
    stale_version: e.staleVersion,
    illegal_transition: e.illegalTransition,
    self_approval: e.selfApproval,
    not_owner: e.notOwner,
    unknown_genre: e.unknownGenre,
    external_id_taken: e.externalIdTaken,
    episode_required: e.episodeRequired,
    episode_not_found: e.episodeRequired,
    upload_gone: e.uploadGone,
    image_too_small: e.imageTooSmall,
    image_too_large: e.imageTooLarge,
    invalid_image: e.invalidImage,
    malformed_csv: e.malformedFile,
    malformed_json: e.malformedFile,
    json_too_deep: e.tooDeep,
    finished: e.finished,
    not_retryable: e.notRetryable,
    version_not_restorable: e.versionNotRestorable,
  };
  const known = byCode[error.code];
  if (known) return known;
  if (error.status === 413) return e.tooLarge;
  if (error.status === 415) return e.unsupportedType;
  return describeError(t, error);
}

/**
 * The API's own sentence for a refused edit (its messages name the field and the limit, e.g.
 * "A poster must be at least 600x900 pixels"), shown under the friendly one. English only, as
 * the API writes it; none for failures without a designed message (5xx, network).
 */
export function apiDetail(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status < 400 || error.status >= 500 || error.status === 401) return null;
  return error.message || null;
}
