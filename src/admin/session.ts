/**
 * Admin console sessions: a cookie naming a random session id, the API key that signed in and an expiry, signed
 * with HMAC-SHA256 under a key derived from the token secret (domain-separated from recipient and unsubscribe
 * tokens, which use the same secret). The cookie alone is not enough: session-store.ts keeps each session in the
 * database, so a sign-out or a revoked key ends it in every process.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The cookie's name. It is scoped to `Path=/admin`, so no other route ever receives it. */
export const SESSION_COOKIE = "herald_admin";

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** One signed-in operator. */
export interface AdminSession {
  /** Random, per sign-in: what CSRF tokens and sign-outs refer to. */
  id: string;
  /** The API key that signed in (re-checked on every request). */
  keyId: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** The cookie-signing key for `tokenSecret`: rotating HERALD_TOKEN_SECRET ends every session. */
export function sessionSecret(tokenSecret: string): string {
  return createHmac("sha256", tokenSecret).update("herald-admin-session").digest("base64url");
}

/** A new session for `keyId`, starting at `now`. */
export function newSession(keyId: string, now: number): AdminSession {
  return { id: randomBytes(16).toString("base64url"), keyId, expiresAt: now + SESSION_TTL_MS };
}

/** The cookie value before signing: `<id>.<keyId>.<expiresAt>`. */
export function encodeSession(session: AdminSession): string {
  return `${session.id}.${session.keyId}.${session.expiresAt}`;
}

/** The session a (verified) cookie value names, or null when it is malformed or expired at `now`. */
export function decodeSession(value: string, now: number): AdminSession | null {
  const match = /^([\w-]{16,64})\.([\w-]{1,64})\.(\d{1,16})$/.exec(value);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const expiresAt = Number(match[3]);
  if (expiresAt <= now) return null;
  return { id: match[1], keyId: match[2], expiresAt };
}

/** The CSRF token of a session: every state-changing form carries it, and a forged page cannot know it. */
export function csrfToken(secret: string, sessionId: string): string {
  return createHmac("sha256", secret).update(`csrf:${sessionId}`).digest("base64url");
}

/** Whether `given` is the CSRF token of `sessionId` (compared in constant time). */
export function csrfMatches(secret: string, sessionId: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const expected = Buffer.from(csrfToken(secret, sessionId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
