/**
 * Errors are values with a stable, kebab-case code. Domain verbs throw `AppError`; one place
 * (`http/problem.ts`) maps the code to an HTTP status and an RFC 9457 problem body.
 */
export const errorStatus = {
  "validation-failed": 400,
  "invalid-json": 400,
  "invalid-template": 400,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  "route-not-found": 404,
  "method-not-allowed": 405,
  conflict: 409,
  "template-inactive": 409,
  "request-timeout": 408,
  "payload-too-large": 413,
  "unsupported-media-type": 415,
  "missing-context": 422,
  "idempotency-key-reused": 422,
  "no-rule-for-event": 422,
  unprocessable: 422,
  internal: 500,
  "database-busy": 503,
  overloaded: 503,
  unavailable: 503,
} as const;

/** Every error code Herald can return. */
export type ErrorCode = keyof typeof errorStatus;

/** One problem with one input field: `path` is dotted (`email`, `context.repairId`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into field issues with dotted paths. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join(".") || "(body)", message: i.message }));
}

/** An expected failure, carrying a stable code and optionally the fields at fault. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extras: { errors?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Shorthand for a 404 naming what was missing. */
export function notFound(what: string, id: string): AppError {
  return new AppError("not-found", `${what} '${id}' does not exist`, { resource: what.toLowerCase(), id });
}
