import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Short-lived recipient tokens: `rt_<payload>.<signature>`, both base64url, signed with HMAC-SHA256.
 * A token lets one recipient reach only their own data under /v1/me. Stateless, so nothing to clean up;
 * rotating the secret invalidates every token.
 */
export interface RecipientTokenClaims {
  /** The recipient's id. */
  sub: string;
  /**
   * The incarnation of the recipient the token was issued to: its `createdAt`. Ids are the portal's and come
   * back after an erasure (DELETE, then PUT), so the id alone would let an old token read the new person's inbox.
   */
  inc: number;
  /** Expiry, epoch ms. */
  exp: number;
}

const PREFIX = "rt_";

/** A fresh random signing secret (used when HERALD_TOKEN_SECRET is not set; stored in settings). */
export function generateTokenSecret(): string {
  return randomBytes(32).toString("base64url");
}

const sign = (secret: string, payload: string) =>
  createHmac("sha256", secret).update(payload).digest("base64url");

/** Signs claims into a token. */
export function issueRecipientToken(secret: string, claims: RecipientTokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${PREFIX}${payload}.${sign(secret, payload)}`;
}

/** True when the string has the shape of a recipient token (so auth knows which verifier to use). */
export function looksLikeRecipientToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** The claims of a valid, unexpired token, or null. */
export function verifyRecipientToken(
  secret: string,
  token: string,
  now: number,
): RecipientTokenClaims | null {
  if (!token.startsWith(PREFIX)) return null;
  const [payload, signature, ...rest] = token.slice(PREFIX.length).split(".");
  if (!payload || !signature || rest.length > 0) return null;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as RecipientTokenClaims;
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number" || claims.exp <= now) return null;
    // Tokens issued before incarnations existed name no incarnation: they cannot be told apart, so they fail.
    if (typeof claims.inc !== "number") return null;
    return claims;
  } catch {
    return null;
  }
}
