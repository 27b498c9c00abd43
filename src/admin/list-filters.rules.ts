/**
 * The console's list filters: the query string of `/admin/notifications`, `/admin/deliveries` and
 * `/admin/suppressions` as the domain's filter objects. Pure: a bad value becomes an issue shown above the list, never a guess.
 */
import { deliveryStatuses } from "../../db/schema.ts";
import type { Channel } from "../channels/types.ts";
import type { DeliveryFilter } from "../delivery/deliveries.service.ts";
import type { NotificationFilter } from "../domain/notifications/notifications.queries.ts";
import { normalizeContact } from "../domain/suppressions/contacts.rules.ts";
import { SuppressionFilter } from "../domain/suppressions/suppressions.input.ts";

/** Rows per page of a console list. */
export const PAGE_SIZE = 25;

export const priorities = ["URGENT", "HIGH", "MEDIUM", "LOW"] as const;
export const channels = ["email", "sms"] as const;
export const readStates = ["unread", "read"] as const;
/** The providers Herald has (channels/*.provider.ts), as their attempts name them. */
export const providerNames = ["ses", "sns", "outbox", "fake"] as const;

/** A parsed filter: what to ask the domain for, and what was wrong with the query. */
export interface Parsed<F> {
  filter: F;
  issues: string[];
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` as the first (or, with `end`, the last) millisecond of that UTC day; null when malformed. */
export function utcDay(text: string, end = false): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const start = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(start)) return null;
  return end ? start + DAY_MS - 1 : start;
}

type Query = Record<string, string | undefined>;
const text = (q: Query, name: string) => (q[name] ?? "").trim();

function oneOf<T extends string>(
  q: Query,
  name: string,
  allowed: readonly T[],
  issues: string[],
): T | undefined {
  const value = text(q, name);
  if (value === "") return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  issues.push(`${name} must be one of ${allowed.join(", ")}`);
  return undefined;
}

function dateRange(q: Query, issues: string[]): { createdFrom?: number; createdTo?: number } {
  const range: { createdFrom?: number; createdTo?: number } = {};
  for (const [name, end] of [
    ["from", false],
    ["to", true],
  ] as const) {
    const value = text(q, name);
    if (value === "") continue;
    const ms = utcDay(value, end);
    if (ms === null) issues.push(`${name} must be a date (YYYY-MM-DD)`);
    else if (end) range.createdTo = ms;
    else range.createdFrom = ms;
  }
  return range;
}

function cursorOf(q: Query): { cursor?: string } {
  const cursor = text(q, "cursor");
  return cursor === "" ? {} : { cursor };
}

/** The notification list's query: priority, category, read, from, to, recipient, q, cursor. */
export function notificationFilter(q: Query): Parsed<NotificationFilter> {
  const issues: string[] = [];
  const read = oneOf(q, "read", readStates, issues);
  const filter: NotificationFilter = {
    limit: PAGE_SIZE,
    priority: oneOf(q, "priority", priorities, issues),
    ...dateRange(q, issues),
    ...cursorOf(q),
  };
  if (read) filter.read = read === "read";
  const category = text(q, "category");
  if (category) filter.category = category;
  const recipient = text(q, "recipient");
  if (recipient) filter.recipientId = recipient;
  const search = text(q, "q");
  if (search) filter.q = search.slice(0, 200);
  return { filter, issues };
}

/** The delivery list's filter fields, as the list's query and the bulk action's form carry them. */
export const deliveryFilterNames = [
  "channel",
  "status",
  "provider",
  "from",
  "to",
  "recipient",
  "contact",
] as const;

/**
 * The delivery list's query: channel, status, provider, from, to, recipient, contact, cursor. A contact is an email
 * address (it has an `@`) or a phone number, compared in its stored, normalised form.
 */
export function deliveryFilter(q: Query): Parsed<DeliveryFilter & { cursor?: string; limit: number }> {
  const issues: string[] = [];
  const status = oneOf(q, "status", deliveryStatuses, issues);
  const filter: DeliveryFilter & { cursor?: string; limit: number } = {
    limit: PAGE_SIZE,
    channel: oneOf(q, "channel", channels, issues),
    ...dateRange(q, issues),
    ...cursorOf(q),
  };
  if (status) filter.status = [status];
  const provider = oneOf(q, "provider", providerNames, issues);
  if (provider) filter.provider = provider;
  const recipient = text(q, "recipient");
  if (recipient) filter.recipientId = recipient;
  const contact = text(q, "contact");
  if (contact) filter.destination = normalizeContact(contact.includes("@") ? "email" : "sms", contact);
  return { filter, issues };
}

/**
 * The suppression list's query: channel, contact, cursor. Checked with the filter schema `GET /v1/suppressions`
 * and `herald suppressions list` use; the service normalises the contact.
 */
export function suppressionFilter(
  q: Query,
): Parsed<{ channel?: Channel; contact?: string; cursor?: string; limit: number }> {
  const checked = SuppressionFilter.safeParse({
    channel: text(q, "channel") || undefined,
    contact: text(q, "contact") || undefined,
  });
  if (!checked.success)
    return {
      filter: { limit: PAGE_SIZE },
      issues: checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    };
  return { filter: { limit: PAGE_SIZE, ...checked.data, ...cursorOf(q) }, issues: [] };
}

/** The query of the page as the filter form shows it back (only the known, non-empty fields). */
export function echoQuery(q: Query, names: readonly string[]): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of names) {
    const value = text(q, name);
    if (value !== "") params.set(name, value);
  }
  return params;
}
