import type { Context } from "hono";
import { type IdempotencyClaim, requestHash } from "../domain/idempotency/idempotency.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "./env.ts";

/** The `Idempotency-Key` header as documented on routes that honour it. */
export const idempotencyHeader = {
  name: "Idempotency-Key",
  in: "header" as const,
  required: false,
  description:
    "Any unique string (≤ 255 printable characters). A retry with the same key gets the first response for at least 24 h; the same key with a different body is a 422.",
  schema: { type: "string" as const, maxLength: 255 },
};

/** The idempotency claim of a request, or undefined when it sent no `Idempotency-Key`. */
export function idempotencyClaim(c: Context<AppEnv>, body: unknown): IdempotencyClaim | undefined {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError("validation-failed", "Idempotency-Key must be 1-255 printable ASCII characters", {
      errors: [{ path: "Idempotency-Key", message: "1-255 printable ASCII characters" }],
    });
  }
  const principal = c.get("principal");
  const apiKeyId = principal.kind === "api-key" ? principal.keyId : `recipient:${principal.recipientId}`;
  return { apiKeyId, key, requestHash: requestHash(`${c.req.method} ${c.req.routePath}`, body) };
}
