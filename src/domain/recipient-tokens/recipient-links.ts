/**
 * The links every email carries for its recipient, usable without any login: the one-click unsubscribe link
 * (`List-Unsubscribe`; mail clients POST to it) and the "Manage your notification preferences" link. Each
 * carries its own proof: the recipient id signed with the server's token secret, domain-separated per purpose
 * (an unsubscribe token opens no preferences page, and neither is a recipient token for /v1/me). They never
 * expire, because old emails must keep working; what they allow is bounded: turning email off, or the
 * recipient's own delivery preferences.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** What a link lets its holder do. */
export type LinkPurpose = "unsubscribe" | "preferences";

/** Token prefixes: `u1` is in every email sent so far, so it stays. */
const PREFIXES: Record<LinkPurpose, string> = { unsubscribe: "u1", preferences: "p1" };

function signature(secret: string, purpose: LinkPurpose, recipientId: string): string {
  // Domain-separated from recipient tokens, which use the same secret, and from the other purpose.
  return createHmac("sha256", secret).update(`${purpose}:${recipientId}`).digest("base64url");
}

/** A token naming `recipientId` for `purpose`, verifiable with the same secret. */
export function linkToken(secret: string, purpose: LinkPurpose, recipientId: string): string {
  return `${PREFIXES[purpose]}.${Buffer.from(recipientId).toString("base64url")}.${signature(secret, purpose, recipientId)}`;
}

/** The recipient id a token names, or null when it was not signed with `secret` for `purpose`. */
export function verifyLinkToken(secret: string, purpose: LinkPurpose, token: string): string | null {
  const [prefix, encodedId, sig] = token.split(".");
  if (prefix !== PREFIXES[purpose] || !encodedId || !sig) return null;
  const recipientId = Buffer.from(encodedId, "base64url").toString("utf8");
  const expected = Buffer.from(signature(secret, purpose, recipientId));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? recipientId : null;
}

/** `${publicUrl}/unsubscribe?token=…` for `recipientId`. */
export function unsubscribeUrl(publicUrl: string, secret: string, recipientId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/unsubscribe?token=${linkToken(secret, "unsubscribe", recipientId)}`;
}

/**
 * Where a recipient manages notifications, for the link in every email: HERALD_PREFERENCES_URL with
 * `{recipientId}` filled in (a portal that hosts its own page), else Herald's own page,
 * `${HERALD_PUBLIC_URL}/preferences?token=…`.
 */
export function preferencesUrl(
  config: { HERALD_PREFERENCES_URL?: string; HERALD_PUBLIC_URL: string },
  secret: string,
  recipientId: string,
): string {
  if (config.HERALD_PREFERENCES_URL) {
    return config.HERALD_PREFERENCES_URL.replace("{recipientId}", encodeURIComponent(recipientId));
  }
  const base = config.HERALD_PUBLIC_URL.replace(/\/+$/, "");
  return `${base}/preferences?token=${linkToken(secret, "preferences", recipientId)}`;
}
