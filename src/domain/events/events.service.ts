import { notifyCreated } from "../../delivery/delivery-wakeups.ts";
import type { Deps } from "../../deps.ts";
import { AppError, type FieldIssue, fieldIssues } from "../../errors.ts";
import { findRule } from "../event-rules/event-rules.service.ts";
import { type IdempotencyClaim, remember, replay } from "../idempotency/idempotency.ts";
import {
  type CreatedNotification,
  countCreated,
  createNotificationsIn,
} from "../notifications/notifications.service.ts";
import { recipientFieldsSchema } from "../recipients/recipients.rules.ts";
import { type RecipientInput, upsertRecipientIn } from "../recipients/recipients.service.ts";
import { kindFromPath, subjectFromEvent, valueAt } from "./events.rules.ts";

/** A domain event from the portal. */
export interface EventInput {
  type: string;
  data: Record<string, unknown>;
  dedupeKey?: string | null;
  actionUrl?: string | null;
  subject?: { type: string; id: string } | null;
  sendAt?: number | null;
}

/** What an event produced: one entry per recipient the rule selected. */
export interface EventOutcome {
  status: 200 | 201;
  /** Each notification says whether it already existed for its dedupeKey (`replayed`, as in POST /v1/notifications). */
  body: { eventType: string; notifications: (CreatedNotification & { replayed: boolean })[] };
}

/**
 * Applies the rule for `event.type`: upserts the recipients found in `event.data` at the rule's paths and
 * creates one notification each, all in one transaction (an event either notifies everyone it should or
 * no one). 201 when anything was created, 200 when every notification already existed (dedupe).
 */
export async function handleEvent(
  deps: Deps,
  event: EventInput,
  idempotency?: IdempotencyClaim,
): Promise<EventOutcome & { replayed: boolean }> {
  const now = deps.clock.now();
  if (idempotency) {
    const stored = await replay(deps.db.read, idempotency, now);
    if (stored) return { ...(stored as EventOutcome), replayed: true };
  }
  const rule = await findRule(deps.db.read, event.type);
  if (!rule?.active) {
    throw new AppError(
      "no-rule-for-event",
      `No active rule for event type '${event.type}'; create one with PUT /v1/rules/${event.type}`,
      {
        eventType: event.type,
      },
    );
  }
  const targets = resolveRecipients(event.data, rule.recipients);
  // The portal's own subject wins; otherwise the rule reads it from the data (repair.id for repair.* events).
  const subject = event.subject ?? subjectFromEvent(event.type, event.data, rule.subjectPath);

  const result = await deps.db.write(async (tx) => {
    if (idempotency) {
      const stored = await replay(tx, idempotency, now);
      if (stored) return { outcome: stored as EventOutcome, changes: [], created: [], replayed: true };
    }
    for (const t of targets) if (t.input) await upsertRecipientIn(tx, now, t.id, t.input);
    const { outcomes, changes } = await createNotificationsIn(
      deps,
      tx,
      targets.map((t) => ({
        recipientId: t.id,
        template: rule.template,
        context: event.data,
        priority: rule.priority ?? undefined,
        category: rule.category ?? undefined,
        actionUrl: event.actionUrl ?? null,
        subject,
        dedupeKey: event.dedupeKey ?? null,
        sendAt: event.sendAt ?? null,
        eventType: event.type,
      })),
      now,
    );
    const outcome: EventOutcome = {
      status: outcomes.some((o) => o.status === 201) ? 201 : 200,
      body: {
        eventType: event.type,
        notifications: outcomes.map((o) => ({ ...o.body, replayed: o.status === 200 })),
      },
    };
    if (idempotency) await remember(tx, idempotency, outcome, now);
    return { outcome, changes, created: outcomes, replayed: false };
  });
  notifyCreated(deps.wakeups, result.created, now);
  for (const change of result.changes) deps.inboxEvents.publish(change);
  countCreated(deps.metrics, result.created);
  return { ...result.outcome, replayed: result.replayed };
}

/**
 * The recipients at the rule's paths: an object is upserted (its kind defaults from the path name, e.g.
 * `technician`), a string is the id of an existing recipient. Missing or invalid entries are a 422/400
 * naming the path, before anything is written.
 */
function resolveRecipients(
  data: Record<string, unknown>,
  paths: string[],
): { id: string; input?: RecipientInput }[] {
  const missing: FieldIssue[] = [];
  const invalid: FieldIssue[] = [];
  const targets = new Map<string, { id: string; input?: RecipientInput }>();
  for (const path of paths) {
    const value = valueAt(data, path);
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, index) => {
      const where = Array.isArray(value) ? `data.${path}.${index}` : `data.${path}`;
      if (typeof item === "string" && item.length > 0) {
        targets.set(item, { id: item });
      } else if (item && typeof item === "object" && typeof (item as { id?: unknown }).id === "string") {
        const { id, ...fields } = item as Record<string, unknown> & { id: string };
        // Event payloads carry more than contact data (ratings, notes…): the schema keeps only contact fields.
        const parsed = recipientFieldsSchema.safeParse({ kind: kindFromPath(path), ...fields });
        if (parsed.success) targets.set(id, { id, input: parsed.data });
        else
          invalid.push(
            ...fieldIssues(parsed.error.issues).map((i) => ({ ...i, path: `${where}.${i.path}` })),
          );
      } else {
        missing.push({
          path: where,
          message: "the rule expects a recipient (an object with an id, or an id) here",
        });
      }
    });
  }
  if (invalid.length > 0)
    throw new AppError("validation-failed", "An event recipient is invalid", { errors: invalid });
  if (missing.length > 0) {
    throw new AppError(
      "unprocessable",
      `The event lacks recipients at ${missing.map((m) => m.path).join(", ")}`,
      {
        errors: missing,
      },
    );
  }
  return [...targets.values()];
}
