import type { Context } from "hono";
import { AppError, type ErrorCode, errorStatus, type FieldIssue } from "../errors.ts";

/**
 * RFC 9457 problem details. `code` is Herald's stable error code, `requestId` ties the response to logs.
 * `errors` lists field-level issues for validation failures.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance: string;
  errors?: FieldIssue[];
  [extra: string]: unknown;
}

const titles: Partial<Record<ErrorCode, string>> = {
  "validation-failed": "Request validation failed",
  "invalid-json": "Malformed JSON body",
  unauthenticated: "Authentication required",
  forbidden: "Not allowed for this credential",
  "not-found": "Resource not found",
  "route-not-found": "No such route",
  "method-not-allowed": "Method not allowed",
  "payload-too-large": "Request body too large",
  "missing-context": "Template context is missing required keys",
  internal: "Internal server error",
};

/** The problem body for an error, as sent to clients. Unknown errors become a bare 500. */
export function toProblem(error: AppError, requestId: string, instance: string): Problem {
  const { errors, ...extras } = error.extras;
  return {
    type: `urn:herald:problem:${error.code}`,
    title: titles[error.code] ?? error.code.replaceAll("-", " "),
    status: errorStatus[error.code],
    detail: error.message,
    code: error.code,
    requestId,
    instance,
    ...extras,
    ...(errors ? { errors } : {}),
  };
}

/** Writes `error` as `application/problem+json` on `c`. */
export function problemResponse(c: Context, error: AppError, headers: Record<string, string> = {}): Response {
  const body = toProblem(error, c.get("requestId") ?? "unknown", new URL(c.req.url).pathname);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": "application/problem+json", "x-request-id": body.requestId, ...headers },
  });
}

/** A 400 validation problem naming each bad field. */
export function validationError(issues: FieldIssue[]): AppError {
  const names = [...new Set(issues.map((i) => i.path))].join(", ");
  return new AppError("validation-failed", `Invalid request: ${names}`, { errors: issues });
}
