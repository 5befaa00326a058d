// The platform's one error body, {"error": {"code", "message", "details"}}, as a typed error.
// Framework-free: shared with the mobile app.

export interface FieldProblem {
  field: string;
  message: string;
}

/** Codes the client itself produces when there is no answer from the platform. */
export type ClientErrorCode = "network" | "bad_response";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly correlationId: string | null;
  /** Seconds to wait, from Retry-After on a 429 or 503. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    correlationId?: string | null;
    retryAfter?: number | null;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? null;
    this.correlationId = init.correlationId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }

  /** Validation problems by field name (`body.email` → `email`), when the API named fields. */
  get fieldProblems(): FieldProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.flatMap((item: unknown) => {
      if (typeof item !== "object" || item === null) return [];
      const { field, message } = item as Record<string, unknown>;
      if (typeof field !== "string" || typeof message !== "string") return [];
      return [{ field: field.split(".").at(-1) ?? field, message }];
    });
  }
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as Record<string, unknown>).code === "string" &&
    typeof (error as Record<string, unknown>).message === "string"
  );
}

/** The ApiError for a failed response, whose body may already have been parsed. */
export function errorFromResponse(response: Response, body: unknown): ApiError {
  const retry = Number(response.headers.get("retry-after"));
  const common = {
    status: response.status,
    correlationId: response.headers.get("x-correlation-id"),
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
  };
  if (isErrorBody(body)) {
    return new ApiError({ ...common, ...body.error });
  }
  return new ApiError({
    ...common,
    code: response.status >= 500 ? "service_unavailable" : "bad_response",
    message: response.statusText || `HTTP ${response.status}`,
  });
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError({
    status: 0,
    code: "network",
    message: cause instanceof Error ? cause.message : "The platform could not be reached",
  });
  return error;
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
