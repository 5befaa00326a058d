import { ApiError } from "@/api/errors";
import type { Messages } from "@/i18n";

/** What to tell a person about an error: never the raw message of a crash. */
export function describeError(t: Messages, error: unknown): string {
  if (!(error instanceof ApiError)) return t.errors.generic;
  const byCode: Record<string, string> = {
    network: t.errors.network,
    invalid_credentials: t.errors.invalidCredentials,
    email_taken: t.errors.emailTaken,
    weak_password: t.errors.weakPassword,
    invalid_reset_token: t.errors.invalidResetToken,
    profile_limit_reached: t.errors.profileLimit,
    last_profile: t.errors.lastProfile,
    kids_rating_too_high: t.errors.kidsRating,
    premium_required: t.errors.premiumRequired,
    profile_required: t.errors.profileRequired,
    rate_limited: t.errors.rateLimited(error.retryAfter),
    card_declined: t.errors.cardDeclined,
    unknown_test_card: t.errors.unknownTestCard,
    checkout_expired: t.errors.checkoutExpired,
    trial_already_used: t.errors.trialUsed,
    subscription_exists: t.errors.subscriptionExists,
    same_plan: t.errors.samePlan,
    subscription_not_changeable: t.errors.notChangeable,
  };
  const known = byCode[error.code];
  if (known) return known;
  if (error.status === 401) return t.errors.sessionEnded;
  if (error.status === 403) return t.errors.forbidden;
  if (error.status === 404) return t.errors.notFound;
  if (error.status === 422 || error.status === 400) return t.errors.invalid;
  if (error.status === 429) return t.errors.rateLimited(error.retryAfter);
  if (error.status >= 500) return t.errors.unavailable;
  return t.errors.generic;
}

/** Problems the API named per form field (e.g. the rules a weak password breaks). */
export function fieldMessages(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.fieldProblems.filter((p) => p.field === field).map((p) => p.message);
}
