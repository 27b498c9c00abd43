/**
 * Pure digest decisions: which slot (the recipient's local digest hour on a local date) an item belongs to,
 * which items are ready at `now`, whether the digest may be emailed at all, and what the digest says.
 */

import { localParts, nextLocalTime } from "../notifications/local-time.rules.ts";
import type { Preferences } from "../preferences/preferences.types.ts";
import { isWebUrl } from "../web-url.rules.ts";

/** Most items listed one by one in a digest; the rest are summed up as "and N more". */
export const DIGEST_ITEM_LIMIT = 20;

/** A pending digest item: an email delivery in status `digest` with what its notification says. */
export interface DigestItem {
  deliveryId: string;
  runAt: number;
  createdAt: number;
  category: string;
  title: string;
  message: string;
  actionUrl: string | null;
}

/** When and where a recipient's digests go out (their current preferences). */
export interface DigestSchedule {
  zone: string;
  digestHour: number;
}

/**
 * The digest slot a pending item goes out in: the first instant at or after its stored `run_at` at which the
 * recipient's clock shows their *current* digest hour. Without preference changes that is `run_at` itself (the
 * channel decision computed it the same way). After a change of digest hour or time zone, an item never goes
 * out before the slot it was given, and always at the hour the recipient now wants, so items already waiting
 * join the next digest at the new hour instead of causing a second digest at the old one.
 */
export function digestSlot(runAt: number, schedule: DigestSchedule): number {
  return nextLocalTime(runAt - 1, schedule.zone, schedule.digestHour * 60);
}

/** What to do with a recipient's due items at `now`. */
export interface DigestPlan {
  /** Items whose slot has come, oldest first: they go into one digest now. */
  ready: DigestItem[];
  /** Items whose slot moved past `now` (the digest hour or zone changed): wait until then. */
  reschedule: { deliveryId: string; runAt: number }[];
  /** The latest slot among the ready items (the digest's window), or null when none is ready. */
  slot: number | null;
}

/** Splits a recipient's due items (`run_at <= now`) into those ready now and those whose slot moved later. */
export function planDigest(items: DigestItem[], schedule: DigestSchedule, now: number): DigestPlan {
  const ready: DigestItem[] = [];
  const reschedule: DigestPlan["reschedule"] = [];
  let slot: number | null = null;
  for (const item of items) {
    const due = digestSlot(item.runAt, schedule);
    if (due <= now) {
      ready.push(item);
      slot = Math.max(slot ?? due, due);
    } else {
      reschedule.push({ deliveryId: item.deliveryId, runAt: due });
    }
  }
  ready.sort((a, b) => a.createdAt - b.createdAt || (a.deliveryId < b.deliveryId ? -1 : 1));
  return { ready, reschedule, slot };
}

/** Why a digest cannot be emailed at all (its items are skipped with this reason). */
export type DigestBlocker =
  | "recipient-erased"
  | "channel-opt-out"
  | "no-contact"
  | "unverified-contact"
  | "suppressed";

/**
 * Whether the recipient can get the digest by email now: preferences, contact data and the suppression list
 * may all have changed since the items were collected. Null when it may go.
 */
export function digestBlocker(
  recipient: { email: string | null; emailVerified: boolean } | null,
  preferences: Pick<Preferences, "emailEnabled">,
  emailSuppressed: boolean,
): DigestBlocker | null {
  if (!recipient) return "recipient-erased";
  if (!preferences.emailEnabled) return "channel-opt-out";
  if (!recipient.email) return "no-contact";
  if (!recipient.emailVerified) return "unverified-contact";
  if (emailSuppressed) return "suppressed";
  return null;
}

/** Items the recipient opted out of by category since they were collected (skipped, not listed). */
export function optedOut(item: DigestItem, preferences: Pick<Preferences, "categoryOptOuts">): boolean {
  return preferences.categoryOptOuts.email.includes(item.category);
}

/** The slot's local date as the recipient reads it, e.g. "Thursday, January 15". */
export function digestDate(slot: number, zone: string, locale: string): string {
  const options: Intl.DateTimeFormatOptions = {
    timeZone: zone,
    weekday: "long",
    month: "long",
    day: "numeric",
  };
  try {
    return new Intl.DateTimeFormat(locale, options).format(slot);
  } catch {
    return new Intl.DateTimeFormat("en", options).format(slot);
  }
}

/** The slot's local date as a key (`2026-11-23`): the digest's window, for logs and tests. */
export function digestWindow(slot: number, zone: string): string {
  const p = localParts(slot, zone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The `daily-digest` template's context. */
export interface DigestContext extends Record<string, unknown> {
  digest: {
    count: number;
    date: string;
    window: string;
    items: { title: string; message: string; actionUrl?: string; createdAt: string }[];
  };
}

/** The template context for `items` (oldest first), listing at most `limit` of them. */
export function digestContext(
  items: DigestItem[],
  slot: number,
  recipient: { timezone: string; locale: string },
  limit = DIGEST_ITEM_LIMIT,
): DigestContext {
  return {
    digest: {
      count: items.length,
      date: digestDate(slot, recipient.timezone, recipient.locale),
      window: digestWindow(slot, recipient.timezone),
      items: items.slice(0, limit).map((i) => ({
        title: i.title,
        message: i.message,
        // Only web links become the digest's links (a stored `javascript:` URL would be clickable there).
        ...(i.actionUrl && isWebUrl(i.actionUrl) ? { actionUrl: i.actionUrl } : {}),
        createdAt: new Date(i.createdAt).toISOString(),
      })),
    },
  };
}
