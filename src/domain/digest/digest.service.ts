/**
 * The daily digest: gathers a recipient's pending digest items (LOW emails and digested categories, stored with
 * status `digest`) into one `daily-digest` notification and one queued email, in ONE transaction that also
 * moves the items to `digested`. The claim is part of that transaction, so concurrent ticks, restarts or a
 * second process can neither send two digests for one item nor lose one.
 */
import { and, asc, eq, gt, inArray, lte } from "drizzle-orm";
import { deliveries, notifications } from "../../../db/schema.ts";
import type { Tx } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { newId } from "../../ids.ts";
import { getBranding } from "../branding/branding.service.ts";
import { adjustUnread } from "../inbox/inbox.counters.ts";
import type { InboxChange } from "../inbox/inbox.events.ts";
import { getRecipientWithPreferences } from "../preferences/preferences.service.ts";
import { priorityRank } from "../priorities.ts";
import { preferencesUrl } from "../recipient-tokens/recipient-links.ts";
import { suppressedChannels } from "../suppressions/suppressions.repo.ts";
import { renderNotification } from "../templates/templates.renderer.ts";
import { getTemplate } from "../templates/templates.repo.ts";
import type { Branding, TemplateRecord } from "../templates/templates.types.ts";
import { type DigestItem, digestBlocker, digestContext, optedOut, planDigest } from "./digest.rules.ts";

/** The template every digest is rendered with. */
export const DIGEST_TEMPLATE = "daily-digest";

/** Recipients handled per page of the due-recipient scan. */
const PAGE = 200;

type DigestDeps = Pick<
  Deps,
  "db" | "config" | "caches" | "tokenSecret" | "metrics" | "inboxEvents" | "wakeups"
>;

/** What one recipient's transaction did. */
interface RecipientOutcome {
  digestId: string | null;
  digested: number;
  skipped: { reason: string; count: number }[];
  rescheduled: number;
  change: InboxChange | null;
}

/** What one digest run did, for the scheduler's status. */
export interface DigestRunResult {
  recipients: number;
  digests: number;
  items: number;
  skipped: number;
  rescheduled: number;
}

/** A recipient's digest items due at `now` (still in status `digest`: not claimed by a concurrent run). */
async function dueItems(tx: Tx, recipientId: string, now: number): Promise<DigestItem[]> {
  return tx
    .select({
      deliveryId: deliveries.id,
      runAt: deliveries.runAt,
      createdAt: notifications.createdAt,
      category: notifications.category,
      title: notifications.title,
      message: notifications.message,
      actionUrl: notifications.actionUrl,
    })
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(
      and(
        eq(deliveries.recipientId, recipientId),
        eq(deliveries.status, "digest"),
        eq(deliveries.channel, "email"),
        lte(deliveries.runAt, now),
      ),
    );
}

/** Marks still-pending items skipped with `reason` (never a silent drop). Returns how many. */
async function skipItems(tx: Tx, ids: string[], reason: string, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await tx
    .update(deliveries)
    .set({ status: "skipped", reason, updatedAt: now })
    .where(and(inArray(deliveries.id, ids), eq(deliveries.status, "digest")));
  return result.rowsAffected;
}

/**
 * One recipient's digest, inside the caller's transaction: re-reads the due items, reschedules those whose
 * slot moved, and for the ready ones either skips them (the email cannot go) or creates the digest
 * notification (stored read: it repeats items already in the inbox) with its queued email and claims them.
 */
async function digestRecipient(
  deps: DigestDeps,
  tx: Tx,
  recipientId: string,
  template: TemplateRecord,
  branding: Branding,
  now: number,
): Promise<RecipientOutcome> {
  const outcome: RecipientOutcome = {
    digestId: null,
    digested: 0,
    skipped: [],
    rescheduled: 0,
    change: null,
  };
  const items = await dueItems(tx, recipientId, now);
  if (items.length === 0) return outcome;
  const found = await getRecipientWithPreferences(tx, recipientId);
  if (!found) {
    const count = await skipItems(
      tx,
      items.map((i) => i.deliveryId),
      "recipient-erased",
      now,
    );
    outcome.skipped.push({ reason: "recipient-erased", count });
    return outcome;
  }
  const { recipient, preferences: prefs } = found;
  const plan = planDigest(items, { zone: recipient.timezone, digestHour: prefs.digestHour }, now);
  for (const move of plan.reschedule) {
    await tx
      .update(deliveries)
      .set({ runAt: move.runAt, updatedAt: now })
      .where(and(eq(deliveries.id, move.deliveryId), eq(deliveries.status, "digest")));
  }
  outcome.rescheduled = plan.reschedule.length;
  if (plan.slot === null) return outcome;

  const suppressed = recipient.email
    ? (await suppressedChannels(tx, { email: recipient.email, phone: null })).email
    : false;
  const blocker = digestBlocker(recipient, prefs, suppressed);
  if (blocker) {
    const count = await skipItems(
      tx,
      plan.ready.map((i) => i.deliveryId),
      blocker,
      now,
    );
    outcome.skipped.push({ reason: blocker, count });
    return outcome;
  }
  const optOuts = plan.ready.filter((i) => optedOut(i, prefs));
  if (optOuts.length > 0) {
    outcome.skipped.push({
      reason: "category-opt-out",
      count: await skipItems(
        tx,
        optOuts.map((i) => i.deliveryId),
        "category-opt-out",
        now,
      ),
    });
  }
  const listed = plan.ready.filter((i) => !optedOut(i, prefs));
  if (listed.length === 0) return outcome;

  const context = digestContext(listed, plan.slot, recipient);
  const rendered = await renderNotification(template, context, {
    recipient: { id: recipient.id, name: recipient.name, kind: recipient.kind, locale: recipient.locale },
    branding,
    actionUrl: null,
    priority: template.defaultPriority,
    category: template.category,
    preferencesUrl: preferencesUrl(deps.config, deps.tokenSecret, recipient.id),
  });
  if (!rendered.email) throw new AppError("unprocessable", `Template '${template.name}' has no email part`);

  const digestId = newId(now);
  await tx.insert(notifications).values({
    id: digestId,
    recipientId,
    template: template.name,
    templateVersion: template.version,
    priority: template.defaultPriority,
    category: template.category,
    title: rendered.title,
    message: rendered.message,
    actionUrl: null,
    context,
    createdAt: now,
    readAt: now,
  });
  await tx.insert(deliveries).values({
    id: newId(now),
    notificationId: digestId,
    recipientId,
    channel: "email",
    status: "queued",
    priorityRank: priorityRank(template.defaultPriority),
    runAt: now,
    maxAttempts: deps.config.HERALD_DELIVERY_MAX_ATTEMPTS,
    destination: recipient.email,
    payload: { kind: "email", ...rendered.email },
    createdAt: now,
    updatedAt: now,
  });
  const claimed = await tx
    .update(deliveries)
    .set({ status: "digested", digestId, updatedAt: now })
    .where(
      and(
        inArray(
          deliveries.id,
          listed.map((i) => i.deliveryId),
        ),
        eq(deliveries.status, "digest"),
      ),
    );
  // Unread stays as it is (the digest is stored read); the version bump tells inbox clients to refresh.
  outcome.change = await adjustUnread(tx, recipientId, 0);
  return { ...outcome, digestId, digested: claimed.rowsAffected };
}

/**
 * Sends every digest due at `now`: finds recipients with due items (index `deliveries_digest_due_idx`) and
 * runs one transaction per recipient. Throws when the `daily-digest` template is missing or inactive, leaving
 * every item pending (an operator fixes the template; nothing is dropped).
 */
export async function runDigests(deps: DigestDeps, now: number): Promise<DigestRunResult> {
  const result: DigestRunResult = { recipients: 0, digests: 0, items: 0, skipped: 0, rescheduled: 0 };
  const template = await getTemplate(deps.db.read, DIGEST_TEMPLATE);
  let after = "";
  for (;;) {
    const due = await deps.db.read
      .selectDistinct({ recipientId: deliveries.recipientId })
      .from(deliveries)
      .where(
        and(eq(deliveries.status, "digest"), lte(deliveries.runAt, now), gt(deliveries.recipientId, after)),
      )
      .orderBy(asc(deliveries.recipientId))
      .limit(PAGE);
    if (due.length === 0) break;
    if (!template?.active)
      throw new AppError(
        "not-found",
        `Template '${DIGEST_TEMPLATE}' is missing or inactive; digests wait for it`,
      );
    const branding = await getBranding(deps, now);
    for (const { recipientId } of due) {
      const outcome = await deps.db.write((tx) =>
        digestRecipient(deps, tx, recipientId, template, branding, now),
      );
      result.recipients++;
      result.rescheduled += outcome.rescheduled;
      if (outcome.digestId) {
        result.digests++;
        // The digest email was queued, due now.
        deps.wakeups.notify("email", now);
        result.items += outcome.digested;
        deps.metrics.deliveries.inc({ channel: "email", outcome: "digested", reason: "" }, outcome.digested);
      }
      for (const s of outcome.skipped) {
        result.skipped += s.count;
        deps.metrics.deliveries.inc({ channel: "email", outcome: "skipped", reason: s.reason }, s.count);
      }
      if (outcome.change) deps.inboxEvents.publish(outcome.change);
    }
    after = due.at(-1)?.recipientId ?? after;
  }
  return result;
}
