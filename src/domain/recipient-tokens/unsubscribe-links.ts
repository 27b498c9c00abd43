/**
 * The one-click unsubscribe link every email carries (`List-Unsubscribe`). Mail clients POST to it without
 * any login, so it carries its own proof: the recipient id signed with the server's token secret. It never
 * expires, because old emails must keep working. `GET /unsubscribe` (a confirmation page: mail scanners follow
 * links, so GET changes nothing) and `POST /unsubscribe` (RFC 8058 one-click) verify it with
 * {@link verifyUnsubscribeToken}.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "u1";

function signature(secret: string, recipientId: string): string {
  // Domain-separated from recipient tokens, which use the same secret.
  return createHmac("sha256", secret).update(`unsubscribe:${recipientId}`).digest("base64url");
}

/** A token naming `recipientId`, verifiable with the same secret. */
export function unsubscribeToken(secret: string, recipientId: string): string {
  return `${PREFIX}.${Buffer.from(recipientId).toString("base64url")}.${signature(secret, recipientId)}`;
}

/** The recipient id a token names, or null when it was not signed with `secret`. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const [prefix, encodedId, sig] = token.split(".");
  if (prefix !== PREFIX || !encodedId || !sig) return null;
  const recipientId = Buffer.from(encodedId, "base64url").toString("utf8");
  const expected = Buffer.from(signature(secret, recipientId));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? recipientId : null;
}

/** `${publicUrl}/unsubscribe?token=…` for `recipientId`. */
export function unsubscribeUrl(publicUrl: string, secret: string, recipientId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/unsubscribe?token=${unsubscribeToken(secret, recipientId)}`;
}
