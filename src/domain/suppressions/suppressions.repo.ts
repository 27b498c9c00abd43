/**
 * The suppression list: contacts Herald must not send to. Keys are normalised contacts, so a bounce reported
 * for `Ann@Example.com` also stops `ann@example.com`.
 */
import { and, eq, or } from "drizzle-orm";
import { suppressions } from "../../../db/schema.ts";
import type { Queryable } from "../../db/database.ts";

type Channel = "email" | "sms";

/** The form a contact is stored and compared in: lower-case email, phone without spaces or punctuation. */
export function normalizeContact(channel: Channel, contact: string): string {
  return channel === "email" ? contact.trim().toLowerCase() : contact.replace(/[^\d+]/g, "");
}

/** Which of a recipient's contacts are suppressed, in one query. */
export async function suppressedChannels(
  q: Queryable,
  contacts: { email: string | null; phone: string | null },
): Promise<Record<Channel, boolean>> {
  const wanted = [
    contacts.email ? and(eq(suppressions.channel, "email"), eq(suppressions.contact, normalizeContact("email", contacts.email))) : null,
    contacts.phone ? and(eq(suppressions.channel, "sms"), eq(suppressions.contact, normalizeContact("sms", contacts.phone))) : null,
  ].filter((c) => c !== null);
  if (wanted.length === 0) return { email: false, sms: false };
  const rows = await q.select({ channel: suppressions.channel }).from(suppressions).where(or(...wanted));
  return { email: rows.some((r) => r.channel === "email"), sms: rows.some((r) => r.channel === "sms") };
}
