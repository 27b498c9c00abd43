import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";
import { verifyApiKey } from "../domain/api-keys/api-keys.service.ts";
import { hasScope, type Scope } from "../domain/api-keys/scopes.rules.ts";
import { incarnationOf } from "../domain/recipient-tokens/recipient-tokens.service.ts";
import {
  looksLikeRecipientToken,
  verifyRecipientToken,
} from "../domain/recipient-tokens/recipient-tokens.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "./env.ts";

/** The query parameter that carries a recipient token under /v1/me, for EventSource, which cannot set headers. */
export const QUERY_CREDENTIAL = "access_token";

/** Whether `path` accepts the credential in the query ({@link QUERY_CREDENTIAL}): the /v1/me routes only. */
export function acceptsQueryCredential(path: string): boolean {
  return path.startsWith("/v1/me/") || path === "/v1/me";
}

/** Reads the bearer credential, or the query's {@link QUERY_CREDENTIAL} where {@link acceptsQueryCredential}. */
function credentialOf(authorization: string | undefined, url: string, allowQuery: boolean): string | null {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (match?.[1]) return match[1];
  if (allowQuery) return new URL(url).searchParams.get(QUERY_CREDENTIAL);
  return null;
}

/**
 * Authenticates every /v1 request: an API key (stored hashed) or, under /v1/me only, a recipient token.
 * Sets `principal`; scope checks happen per route with {@link requireScope} / {@link requireRecipient}.
 */
export function authenticate(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = credentialOf(
      c.req.header("authorization"),
      c.req.url,
      acceptsQueryCredential(c.req.path),
    );
    if (!credential) throw new AppError("unauthenticated", "Send 'Authorization: Bearer <key>'");
    if (looksLikeRecipientToken(credential)) {
      const claims = verifyRecipientToken(deps.tokenSecret, credential, deps.clock.now());
      if (!claims) throw new AppError("unauthenticated", "The recipient token is invalid or expired");
      // An erased recipient stays "erased" here: the /v1/me routes answer that with their 404.
      if ((await incarnationOf(deps, claims)) === "replaced") {
        throw new AppError(
          "unauthenticated",
          "The recipient token was issued before this recipient was erased; issue a new one",
        );
      }
      c.set("principal", { kind: "recipient", recipientId: claims.sub, incarnation: claims.inc });
    } else {
      const key = await verifyApiKey(deps, credential);
      if (!key) throw new AppError("unauthenticated", "The API key is invalid or revoked");
      c.set("principal", { kind: "api-key", keyId: key.id, scopes: key.scopes });
    }
    await next();
  };
}

/** Allows API keys carrying `scope` (admin keys carry every scope). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (principal.kind !== "api-key" || !hasScope(principal.scopes, scope)) {
      throw new AppError("forbidden", `This route needs an API key with the '${scope}' scope`);
    }
    await next();
  };
}

/** Allows recipient tokens only (the /v1/me routes). */
export const requireRecipient: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("principal").kind !== "recipient") {
    throw new AppError("forbidden", "This route needs a recipient token (POST /v1/recipients/{id}/tokens)");
  }
  await next();
};

/** The recipient id of the recipient-token caller (after {@link requireRecipient}). */
export function recipientIdOf(principal: AppEnv["Variables"]["principal"]): string {
  if (principal.kind !== "recipient") throw new AppError("forbidden", "recipient token required");
  return principal.recipientId;
}
