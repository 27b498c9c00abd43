import type { Clock } from "../../clock.ts";
import type { Config } from "../../config.ts";
import type { Database } from "../../db/database.ts";
import { AppError, notFound } from "../../errors.ts";
import { findRecipient } from "../recipients/recipients.service.ts";
import { issueRecipientToken, type RecipientTokenClaims } from "./recipient-tokens.ts";

interface Deps {
  db: Database;
  clock: Clock;
  config: Pick<Config, "HERALD_TOKEN_TTL_SECONDS">;
  tokenSecret: string;
}

/** A freshly issued recipient token and when it stops working. */
export interface IssuedToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * Issues a token with which a live recipient reaches their own inbox and preferences under /v1/me. It lives
 * `HERALD_TOKEN_TTL_SECONDS`, or `ttlSeconds` when the caller asks for less (never more: the operator's TTL
 * bounds how long a leaked token is useful).
 */
export async function issueTokenFor(
  deps: Deps,
  recipientId: string,
  ttlSeconds?: number,
): Promise<IssuedToken> {
  const maxTtl = deps.config.HERALD_TOKEN_TTL_SECONDS;
  if (ttlSeconds !== undefined && ttlSeconds > maxTtl) {
    throw new AppError("validation-failed", `ttlSeconds may be at most ${maxTtl}`, {
      errors: [{ path: "ttlSeconds", message: `must be at most ${maxTtl} (HERALD_TOKEN_TTL_SECONDS)` }],
    });
  }
  const recipient = await findRecipient(deps.db.read, recipientId);
  if (!recipient) throw notFound("Recipient", recipientId);
  const expiresAt = deps.clock.now() + (ttlSeconds ?? maxTtl) * 1000;
  const claims = { sub: recipientId, inc: recipient.createdAt, exp: expiresAt };
  return { token: issueRecipientToken(deps.tokenSecret, claims), expiresAt };
}

/** Where a token's recipient stands: still the one it was issued to, erased, or erased and created again. */
export type Incarnation = "current" | "erased" | "replaced";

/**
 * Compares a token's claims with the recipient now stored under its id. "replaced" means the id belongs to a
 * later incarnation (erased, then created again by a PUT): the token must not reach that person's data.
 */
export async function incarnationOf(
  deps: Pick<Deps, "db">,
  claims: Pick<RecipientTokenClaims, "sub" | "inc">,
): Promise<Incarnation> {
  const recipient = await findRecipient(deps.db.read, claims.sub);
  if (!recipient) return "erased";
  return recipient.createdAt === claims.inc ? "current" : "replaced";
}
