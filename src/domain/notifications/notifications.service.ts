import { and, asc, eq, sql } from "drizzle-orm";
import { deliveries, notifications } from "../../../db/schema.ts";
import { placeholders, prepared } from "../../db/prepared.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import { notifyCreated } from "../../delivery/delivery-wakeups.ts";
import type { Deps } from "../../deps.ts";
import { AppError, notFound } from "../../errors.ts";
import { newId } from "../../ids.ts";
import type { HeraldMetrics } from "../../observability/herald-metrics.ts";
import { getBranding } from "../branding/branding.service.ts";
import { decideGuarded, reportLoop } from "../guards/channel-guards.service.ts";
import { type IdempotencyClaim, remember, replay } from "../idempotency/idempotency.ts";
import { adjustUnread } from "../inbox/inbox.counters.ts";
import type { InboxChange } from "../inbox/inbox.events.ts";
import { getRecipientWithPreferences } from "../preferences/preferences.service.ts";
import { type Priority, priorityRank } from "../priorities.ts";
import { preferencesUrl } from "../recipient-tokens/recipient-links.ts";
import { estimateSmsCostUsd } from "../sms/sms.rules.ts";
import { renderNotification } from "../templates/templates.renderer.ts";
import { getTemplate, getTemplateCached } from "../templates/templates.repo.ts";
import { missingContext } from "../templates/templates.rules.ts";
import type { TemplateRecord } from "../templates/templates.types.ts";
import type { ChannelDecision } from "./delivery-policy.rules.ts";
import { type NotificationView, toNotificationView } from "./notifications.view.ts";

/** What a caller asks for when creating one notification. */
export interface CreateNotificationInput {
  recipientId: string;
  template: string;
  context: Record<string, unknown>;
  priority?: Priority;
  category?: string;
  actionUrl?: string | null;
  subject?: { type: string; id: string } | null;
  dedupeKey?: string | null;
  sendAt?: number | null;
  eventType?: string | null;
  /** Herald's own message to operators (alert email): rollout and the loop guard do not apply to it. */
  system?: boolean;
}

/** One channel's decision as the API reports it, with the delivery row that carries it. */
export interface DecisionView {
  channel: "email" | "sms";
  status: ChannelDecision["status"];
  reason: string | null;
  runAt: number | null;
  deliveryId: string;
}

/** The response to a create: the stored notification and one decision per channel. */
export interface CreatedNotification {
  notification: NotificationView;
  decisions: DecisionView[];
}

/** The outcome of a create: 201 for a new notification, 200 when `dedupeKey` matched an existing one. */
export interface CreateOutcome {
  status: 200 | 201;
  body: CreatedNotification;
}

type DeliveryRow = typeof deliveries.$inferInsert;

/** A notification fully decided and rendered, ready to insert. */
interface Prepared {
  notification: Omit<
    typeof notifications.$inferSelect,
    "readAt" | "archivedAt" | "emailSent" | "smsSent" | "erasedAt"
  >;
  deliveries: (DeliveryRow & { id: string })[];
  decisions: DecisionView[];
}

/**
 * Loads what the notification needs (template, recipient, preferences, branding, operator guards) inside the
 * write transaction `tx` that will store it, checks the request, renders every part and decides each channel.
 * Writes nothing; throws the request's error (an `AppError`) before anything is written.
 *
 * Why inside the write: the writer's connection keeps its page cache across its own commits, while the reader's
 * is dropped by every commit; under load the recipient and guard reads cost 47 and 29 µs on the reader against
 * about 18 and 5 µs on the writer. And the loop guard then counts every earlier create of the same batch.
 */
async function prepare(
  deps: Deps,
  tx: Queryable,
  input: CreateNotificationInput,
  now: number,
  findTemplate: (name: string) => Promise<TemplateRecord | null>,
): Promise<Prepared> {
  const template = await findTemplate(input.template);
  if (!template) throw notFound("Template", input.template);
  if (!template.active) {
    throw new AppError("template-inactive", `Template '${template.name}' is inactive; activate it to use it`);
  }
  const missing = missingContext(template.requiredContext, input.context);
  if (missing.length > 0) {
    throw new AppError("missing-context", `The context lacks ${missing.join(", ")}`, {
      missing,
      errors: missing.map((key) => ({ path: `context.${key}`, message: "required by the template" })),
    });
  }
  const found = await getRecipientWithPreferences(tx, input.recipientId);
  if (!found) throw notFound("Recipient", input.recipientId);
  const { recipient, preferences } = found;
  const branding = await getBranding(deps);

  const priority = input.priority ?? template.defaultPriority;
  const category = input.category ?? template.category;
  const actionUrl = input.actionUrl ?? null;
  const rendered = await renderNotification(template, input.context, {
    recipient: { id: recipient.id, name: recipient.name, kind: recipient.kind, locale: recipient.locale },
    branding,
    actionUrl,
    priority,
    category,
    preferencesUrl: preferencesUrl(deps.config, deps.tokenSecret, recipient.id),
  });
  const decisionInput = {
    now,
    priority,
    category,
    templateHas: { email: rendered.email !== null, sms: rendered.sms !== null },
    recipient,
    preferences,
    sendAt: input.sendAt ?? null,
  };
  // The estimate the SMS budget counts until the provider's price replaces it (the worker truncates to the cap).
  const smsCostUsd = rendered.sms
    ? estimateSmsCostUsd(
        Math.min(rendered.sms.segments, deps.config.HERALD_SMS_MAX_SEGMENTS),
        recipient.phone,
      )
    : 0;
  const subject = input.subject ?? null;
  const decisions = await decideGuarded(deps, tx, {
    ...decisionInput,
    template: template.name,
    subject,
    smsCostUsd,
    system: input.system ?? false,
  });

  const notification = {
    id: newId(now),
    recipientId: recipient.id,
    template: template.name,
    templateVersion: template.version,
    priority,
    category,
    title: rendered.title,
    message: rendered.message,
    actionUrl,
    subjectType: input.subject?.type ?? null,
    subjectId: input.subject?.id ?? null,
    context: input.context,
    dedupeKey: input.dedupeKey ?? null,
    eventType: input.eventType ?? null,
    sendAt: input.sendAt ?? null,
    createdAt: now,
  };
  const rows = decisions.map((d): DeliveryRow & { id: string } => {
    const sending = d.status === "queued" || d.status === "deferred";
    const payload =
      d.channel === "email" && rendered.email
        ? { kind: "email" as const, ...rendered.email }
        : d.channel === "sms" && rendered.sms
          ? {
              kind: "sms" as const,
              text: rendered.sms.text,
              encoding: rendered.sms.encoding,
              segments: rendered.sms.segments,
            }
          : null;
    return {
      id: newId(now),
      notificationId: notification.id,
      recipientId: recipient.id,
      channel: d.channel,
      status: sending ? "queued" : d.status === "digest" ? "digest" : "skipped",
      reason: d.reason ?? null,
      priorityRank: priorityRank(priority),
      runAt: d.runAt ?? now,
      maxAttempts: deps.config.HERALD_DELIVERY_MAX_ATTEMPTS,
      destination: d.status === "skipped" ? null : d.channel === "email" ? recipient.email : recipient.phone,
      payload: sending ? payload : null,
      costUsd: sending && d.channel === "sms" ? smsCostUsd : 0,
      createdAt: now,
      updatedAt: now,
    };
  });
  return {
    notification,
    deliveries: rows,
    decisions: decisions.map((d, i) => ({
      channel: d.channel,
      status: d.status,
      reason: d.reason ?? null,
      runAt: d.runAt,
      // biome-ignore lint/style/noNonNullAssertion: one row per decision
      deliveryId: rows[i]!.id,
    })),
  };
}

/**
 * The decision made when a delivery row was created (for replays of an existing notification): the values the
 * row was created with, which the `deliveries_keep_decision` trigger keeps in `decided_*` once the delivery
 * moves on (claimed, sent, digested, retried, cancelled); until then the row's own values are still those.
 */
function decisionOf(row: typeof deliveries.$inferSelect): DecisionView {
  const created = row.decidedStatus ?? row.status;
  const reason = row.decidedStatus ? row.decidedReason : row.reason;
  const runAt = row.decidedStatus ? (row.decidedRunAt ?? row.runAt) : row.runAt;
  const status =
    created === "skipped" || created === "digest"
      ? created
      : reason === "quiet-hours" || reason === "send-at"
        ? "deferred"
        : "queued";
  return {
    channel: row.channel,
    status,
    reason,
    runAt: created === "skipped" ? null : runAt,
    deliveryId: row.id,
  };
}

/**
 * Each channel's decision as it was made when the notification was created (a dedupe replay answers the same),
 * whatever its delivery did since: the console shows it beside the delivery's current state.
 */
export async function notificationDecisions(
  deps: Pick<Deps, "db">,
  notificationId: string,
): Promise<DecisionView[]> {
  const rows = await deliveriesOfNotification(deps.db.read).all({ notificationId });
  return rows.map(decisionOf);
}

/** The existing notification for (recipient, dedupeKey) with its decisions, or null. */
async function findByDedupeKey(
  q: Queryable,
  recipientId: string,
  dedupeKey: string,
): Promise<CreatedNotification | null> {
  const row = await notificationByDedupeKey(q).get({ recipientId, dedupeKey });
  if (!row) return null;
  const rows = await deliveriesOfNotification(q).all({ notificationId: row.id });
  return { notification: toNotificationView(row), decisions: rows.map(decisionOf) };
}

// The create path's statements, prepared once per connection (src/db/prepared.ts).
const notificationByDedupeKey = prepared((q) =>
  q
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.recipientId, sql.placeholder("recipientId")),
        eq(notifications.dedupeKey, sql.placeholder("dedupeKey")),
      ),
    )
    .limit(1)
    .prepare(),
);
const deliveriesOfNotification = prepared((q) =>
  q
    .select()
    .from(deliveries)
    .where(eq(deliveries.notificationId, sql.placeholder("notificationId")))
    .orderBy(asc(deliveries.channel))
    .prepare(),
);
const NOTIFICATION_COLUMNS = [
  "id",
  "recipientId",
  "template",
  "templateVersion",
  "priority",
  "category",
  "title",
  "message",
  "actionUrl",
  "subjectType",
  "subjectId",
  "context",
  "dedupeKey",
  "eventType",
  "sendAt",
  "createdAt",
] as const satisfies readonly (keyof Prepared["notification"])[];
const insertNotification = prepared((q) =>
  q.insert(notifications).values(placeholders(NOTIFICATION_COLUMNS)).prepare(),
);
const DELIVERY_COLUMNS = [
  "id",
  "notificationId",
  "recipientId",
  "channel",
  "status",
  "reason",
  "priorityRank",
  "runAt",
  "maxAttempts",
  "destination",
  "payload",
  "costUsd",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof DeliveryRow)[];
const insertDelivery = prepared((q) => q.insert(deliveries).values(placeholders(DELIVERY_COLUMNS)).prepare());

/** Inserts a prepared notification (or finds its dedupe twin) inside `tx`. */
async function insertPrepared(
  tx: Tx,
  p: Prepared,
): Promise<{ outcome: CreateOutcome; change: InboxChange | null }> {
  if (p.notification.dedupeKey) {
    const existing = await findByDedupeKey(tx, p.notification.recipientId, p.notification.dedupeKey);
    if (existing) return { outcome: { status: 200, body: existing }, change: null };
  }
  // No RETURNING: we hold every value already, and reading back 20 columns costs more than the insert.
  await insertNotification(tx).run(p.notification);
  // One cached single-row statement run per delivery: cheaper than building a multi-row insert per count.
  for (const delivery of p.deliveries) await insertDelivery(tx).run(delivery);
  const change = await adjustUnread(tx, p.notification.recipientId, 1);
  const stored = { ...p.notification, readAt: null, emailSent: false, smsSent: false, erasedAt: null };
  return {
    outcome: { status: 201, body: { notification: toNotificationView(stored), decisions: p.decisions } },
    change,
  };
}

/** Logs the loop guard's alert when `prepared` was newly stored with its channels stopped as a loop. */
function reportLoopIfStopped(deps: Deps, prepared: Prepared, outcome: CreateOutcome): void {
  if (outcome.status === 201 && prepared.decisions.some((d) => d.reason === "loop")) {
    reportLoop(deps.logger, prepared.notification);
  }
}

/**
 * Creates a notification: validates, renders and decides outside the write queue, then inserts the
 * notification, its delivery rows, the unread count and the idempotency record in one group-committed
 * transaction. Nothing is sent here: workers pick the queued deliveries up.
 */
export async function createNotification(
  deps: Deps,
  input: CreateNotificationInput,
  idempotency?: IdempotencyClaim,
): Promise<CreateOutcome & { replayed: boolean }> {
  const now = deps.clock.now();
  // Retries are answered from the reader without queueing for the writer.
  if (idempotency) {
    const stored = await replay(deps.db.read, idempotency, now);
    if (stored) return { ...(stored as CreateOutcome), replayed: true };
  }
  if (input.dedupeKey) {
    const existing = await findByDedupeKey(deps.db.read, input.recipientId, input.dedupeKey);
    if (existing) return { status: 200, body: existing, replayed: false };
  }
  type Written =
    | { replayed: CreateOutcome }
    | { refused: AppError }
    | { created: { outcome: CreateOutcome; change: InboxChange | null; prepared: Prepared } };
  const result = await deps.db.write(async (tx): Promise<Written> => {
    // Re-check inside the serialized writer: a concurrent retry may have committed since the read above.
    if (idempotency) {
      const stored = await replay(tx, idempotency, now);
      if (stored) return { replayed: stored as CreateOutcome };
    }
    let prepared: Prepared;
    try {
      // Committed templates, from the cache (an API request never changes a template in the same transaction).
      prepared = await prepare(deps, tx, input, now, (name) => getTemplateCached(deps, name));
    } catch (error) {
      // A refused request wrote nothing: hand its error back as a value, so the batch it shares neither rolls
      // back nor re-runs (a thrown error would undo and repeat every other create of the batch).
      if (error instanceof AppError) return { refused: error };
      throw error;
    }
    const { outcome, change } = await insertPrepared(tx, prepared);
    if (idempotency) await remember(tx, idempotency, outcome, now);
    return { created: { outcome, change, prepared } };
  });
  if ("refused" in result) throw result.refused;
  if ("replayed" in result) return { ...result.replayed, replayed: true };
  const { outcome, change, prepared } = result.created;
  if (change) deps.inboxEvents.publish(change);
  // The deliveries are committed: their workers claim them now (or arm a timer for a deferred one).
  notifyCreated(deps.wakeups, [outcome], now);
  countCreated(deps.metrics, [outcome]);
  reportLoopIfStopped(deps, prepared, outcome);
  return { ...outcome, replayed: false };
}

/**
 * Counts new notifications (by priority and category) and the channels skipped at creation (by reason) in the
 * metrics. Call it only after the transaction that inserted them has committed, so a rolled-back or re-run
 * write counts nothing; dedupe matches (200) count nothing either.
 */
export function countCreated(metrics: HeraldMetrics, outcomes: readonly CreateOutcome[]): void {
  for (const { status, body } of outcomes) {
    if (status !== 201) continue;
    metrics.notificationsCreated.inc({
      priority: body.notification.priority,
      category: body.notification.category,
    });
    for (const d of body.decisions) {
      if (d.status === "skipped")
        metrics.deliveries.inc({ channel: d.channel, outcome: "skipped", reason: d.reason ?? "" });
    }
  }
}

/**
 * Creates several notifications in one transaction, preparing each on `tx` (used by events, whose
 * recipients are upserted in the same transaction). Returns the outcomes and the inbox changes to publish once
 * the transaction committed (the work may be re-run, so nothing here touches process state).
 */
export async function createNotificationsIn(
  deps: Deps,
  tx: Tx,
  inputs: CreateNotificationInput[],
  now: number,
): Promise<{ outcomes: CreateOutcome[]; changes: InboxChange[] }> {
  const outcomes: CreateOutcome[] = [];
  const changes: InboxChange[] = [];
  for (const input of inputs) {
    const existing = input.dedupeKey ? await findByDedupeKey(tx, input.recipientId, input.dedupeKey) : null;
    if (existing) {
      outcomes.push({ status: 200, body: existing });
      continue;
    }
    // The transaction's own view: its work may have written the template (operator alert emails do).
    const prepared = await prepare(deps, tx, input, now, (name) => getTemplate(tx, name));
    const { outcome, change } = await insertPrepared(tx, prepared);
    // Inside the transaction: should the batch be re-run after SQLITE_BUSY, the warning repeats (nothing else).
    reportLoopIfStopped(deps, prepared, outcome);
    outcomes.push(outcome);
    if (change) changes.push(change);
  }
  return { outcomes, changes };
}
