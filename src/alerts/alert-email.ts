/**
 * Alert email through Herald's own email channel: each owed state change (firing, resolved) becomes a
 * notification to a system recipient whose address is HERALD_ALERT_EMAIL, rendered from the `operator-alert`
 * template and delivered by the email worker (retries, outbox and suppression apply like any email).
 * The notification and the `notified_at` mark are written in one transaction, so an email is queued exactly
 * once per state change, across restarts. At most HERALD_ALERT_EMAIL_MAX_PER_HOUR are queued per hour,
 * counted from the notifications table; an owed email over the limit waits for the next tick.
 */
import { and, asc, count, eq, gte, inArray, isNull, ne } from "drizzle-orm";
import { alertStates, notifications } from "../../db/schema.ts";
import { notifyCreated } from "../delivery/delivery-wakeups.ts";
import type { Deps } from "../deps.ts";
import type { CreateNotificationInput } from "../domain/notifications/notifications.service.ts";
import { createNotificationsIn } from "../domain/notifications/notifications.service.ts";
import { upsertRecipientIn } from "../domain/recipients/recipients.service.ts";
import { type DefaultTemplate, loadDefaultTemplate } from "../domain/seed/seed.ts";
import { insertTemplateIfAbsent } from "../domain/templates/templates.repo.ts";
import { ALERT_RULES } from "./alert-definitions.rules.ts";

/** The system recipient alert emails go to (kind staff, so a staff-only email rollout still reaches it). */
export const OPERATOR_RECIPIENT_ID = "herald-operator";

/**
 * The alert email template. Not a seeded default: it is created on the first alert email (from the files in
 * templates/), so a deployment without HERALD_ALERT_EMAIL never sees it; an operator may edit it afterwards.
 */
export const OPERATOR_ALERT_TEMPLATE: DefaultTemplate = {
  name: "operator-alert",
  description:
    "To the operator (HERALD_ALERT_EMAIL): an alert fired or resolved. Context: alert.{name, status (firing|resolved), severity, summary, since (UTC text)}.",
  category: "system",
  defaultPriority: "HIGH",
  requiredContext: ["alert.name", "alert.status", "alert.severity", "alert.summary", "alert.since"],
};

/** What one pass queued and what it left for later (over the hourly limit). */
export interface AlertEmailResult {
  queued: number;
  deferred: number;
}

/** Queues the owed alert emails (none when HERALD_ALERT_EMAIL is unset). */
export async function sendOwedAlertEmails(deps: Omit<Deps, "schedulers">): Promise<AlertEmailResult> {
  const address = deps.config.HERALD_ALERT_EMAIL;
  if (!address) return { queued: 0, deferred: 0 };
  const template = loadDefaultTemplate(OPERATOR_ALERT_TEMPLATE);
  const limit = deps.config.HERALD_ALERT_EMAIL_MAX_PER_HOUR;
  const now = deps.clock.now();
  const result = await deps.db.write(async (tx) => {
    const owed = await tx
      .select()
      .from(alertStates)
      .where(and(isNull(alertStates.notifiedAt), ne(alertStates.state, "pending")))
      .orderBy(asc(alertStates.since), asc(alertStates.name));
    const known = new Set(ALERT_RULES.map((r) => r.name));
    const due = owed.filter((row) => known.has(row.name));
    if (due.length === 0) return { queued: 0, deferred: 0, changes: [], outcomes: [] };
    const [recent] = await tx
      .select({ n: count() })
      .from(notifications)
      .where(
        and(
          eq(notifications.recipientId, OPERATOR_RECIPIENT_ID),
          eq(notifications.template, OPERATOR_ALERT_TEMPLATE.name),
          gte(notifications.createdAt, now - 3_600_000),
        ),
      );
    const batch = due.slice(0, Math.max(0, limit - (recent?.n ?? 0)));
    if (batch.length === 0) return { queued: 0, deferred: due.length, changes: [], outcomes: [] };
    await upsertRecipientIn(tx, now, OPERATOR_RECIPIENT_ID, {
      kind: "staff",
      name: "Herald operator",
      email: address,
      emailVerified: true,
    });
    await insertTemplateIfAbsent(tx, { ...template, version: 1, createdAt: now, updatedAt: now });
    const inputs = batch.map((row): CreateNotificationInput => {
      const status = row.state === "firing" ? "firing" : "resolved";
      return {
        recipientId: OPERATOR_RECIPIENT_ID,
        template: OPERATOR_ALERT_TEMPLATE.name,
        // A critical alert must not wait for quiet hours; everything else is HIGH.
        priority: status === "firing" && row.severity === "critical" ? "URGENT" : "HIGH",
        context: {
          alert: {
            name: row.name,
            status,
            severity: row.severity,
            summary: row.summary,
            value: row.value,
            since: new Date(row.since).toISOString(),
          },
        },
        subject: { type: "alert", id: row.name },
        // Operators get their alerts whatever the product's email rollout, and a flapping rule is not a loop.
        system: true,
        // One email per state change even if this transaction were somehow replayed.
        dedupeKey: `alert:${row.name}:${status}:${row.since}`,
      };
    });
    const { changes, outcomes } = await createNotificationsIn(deps, tx, inputs, now);
    await tx
      .update(alertStates)
      .set({ notifiedAt: now })
      .where(
        inArray(
          alertStates.name,
          batch.map((row) => row.name),
        ),
      );
    return { queued: batch.length, deferred: due.length - batch.length, changes, outcomes };
  });
  notifyCreated(deps.wakeups, result.outcomes, now);
  for (const change of result.changes) deps.inboxEvents.publish(change);
  if (result.deferred > 0)
    deps.logger.warn("alert emails held back by the hourly limit", { deferred: result.deferred, limit });
  return { queued: result.queued, deferred: result.deferred };
}
