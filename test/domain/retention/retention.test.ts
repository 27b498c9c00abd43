import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import {
  alertEvents,
  deliveries,
  deliveryAttempts,
  idempotencyKeys,
  notifications,
  outboxMessages,
  recipients,
  schedulerRuns,
  snsMessages,
} from "../../../db/schema.ts";
import {
  isoWeekKey,
  nextWindowStart,
  retentionWindow,
} from "../../../src/domain/retention/retention.rules.ts";
import { previewRetention, runRetention } from "../../../src/domain/retention/retention.service.ts";
import { newId } from "../../../src/ids.ts";
import { makeTestApp, type TestApp } from "../../helpers/test-app.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday of ISO week 2026-W48

type Status = (typeof deliveries.$inferSelect)["status"];

/** Seeds one notification (created `ageDays` ago) with one email delivery of `status` and `attempts` attempts. */
async function seedNotification(
  t: TestApp,
  name: string,
  o: { ageDays: number; read: boolean; status?: Status; attempts?: number },
): Promise<void> {
  const at = NOW - o.ageDays * DAY;
  await t.deps.db.write(async (tx) => {
    await tx
      .insert(recipients)
      .values({ id: "r1", kind: "customer", createdAt: at, updatedAt: at })
      .onConflictDoNothing();
    await tx.insert(notifications).values({
      id: `n-${name}`,
      recipientId: "r1",
      template: "seeded",
      templateVersion: 1,
      priority: "MEDIUM",
      category: "repairs",
      title: name,
      message: name,
      context: {},
      createdAt: at,
      readAt: o.read ? at + 60_000 : null,
    });
    if (!o.status) return;
    await tx.insert(deliveries).values({
      id: `d-${name}`,
      notificationId: `n-${name}`,
      recipientId: "r1",
      channel: "email",
      status: o.status,
      priorityRank: 2,
      runAt: at,
      createdAt: at,
      updatedAt: at + 1_000,
    });
    for (let i = 1; i <= (o.attempts ?? 0); i++) {
      await tx.insert(deliveryAttempts).values({
        id: newId(at),
        deliveryId: `d-${name}`,
        attempt: i,
        provider: "outbox",
        status: i === o.attempts ? "sent" : "retry",
        durationMs: 10,
        createdAt: at + i,
      });
    }
  });
}

async function ids(t: TestApp, table: typeof notifications | typeof deliveries): Promise<string[]> {
  const rows = await t.deps.db.read.select({ id: table.id }).from(table);
  return rows.map((r) => r.id).sort();
}

async function count(t: TestApp, table: string): Promise<number> {
  const row = await t.deps.db.read.get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`));
  return row.n;
}

describe("retention rules", () => {
  test("ISO week keys follow ISO 8601 across year ends", () => {
    expect(isoWeekKey(Date.UTC(2026, 10, 23))).toBe("2026-W48"); // Monday
    expect(isoWeekKey(Date.UTC(2026, 10, 29, 23, 59))).toBe("2026-W48"); // Sunday night
    expect(isoWeekKey(Date.UTC(2026, 10, 30))).toBe("2026-W49");
    expect(isoWeekKey(Date.UTC(2024, 11, 30))).toBe("2025-W01"); // Monday before New Year
    expect(isoWeekKey(Date.UTC(2027, 0, 1))).toBe("2026-W53"); // 2026 starts on a Thursday: 53 weeks
    expect(isoWeekKey(Date.UTC(2021, 0, 3))).toBe("2020-W53");
  });

  test("windows are ISO weeks or UTC days, and the next one starts on Monday or at midnight", () => {
    expect(retentionWindow("week", NOW)).toBe("2026-W48");
    expect(retentionWindow("day", NOW)).toBe("2026-11-25");
    expect(nextWindowStart("week", NOW)).toBe(Date.UTC(2026, 10, 30));
    expect(nextWindowStart("week", Date.UTC(2026, 10, 30))).toBe(Date.UTC(2026, 11, 7));
    expect(nextWindowStart("day", NOW)).toBe(Date.UTC(2026, 10, 26));
  });
});

describe("retention", () => {
  test("removes exactly the old successful deliveries, old read notifications and expired keys; failures stay", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    await seedNotification(t, "old-read-sent", { ageDays: 200, read: true, status: "sent", attempts: 2 });
    await seedNotification(t, "old-read-failed", { ageDays: 200, read: true, status: "failed", attempts: 8 });
    await seedNotification(t, "old-read-bounced", {
      ageDays: 200,
      read: true,
      status: "bounced",
      attempts: 1,
    });
    await seedNotification(t, "old-read-digest-pending", { ageDays: 200, read: true, status: "digest" });
    await seedNotification(t, "old-read-inbox-only", { ageDays: 181, read: true });
    await seedNotification(t, "old-unread-delivered", {
      ageDays: 200,
      read: false,
      status: "delivered",
      attempts: 1,
    });
    await seedNotification(t, "mid-read-sent", { ageDays: 100, read: true, status: "sent", attempts: 1 });
    await seedNotification(t, "mid-skipped", { ageDays: 100, read: false, status: "skipped" });
    await seedNotification(t, "mid-unknown", { ageDays: 120, read: true, status: "unknown", attempts: 1 });
    await seedNotification(t, "mid-queued", { ageDays: 95, read: false, status: "queued" });
    await seedNotification(t, "recent-sent", { ageDays: 89, read: true, status: "sent", attempts: 1 });
    await seedNotification(t, "recent-read", { ageDays: 179, read: true });
    await t.deps.db.write(async (tx) => {
      const key = (k: string, ageMs: number) => ({
        apiKeyId: "k1",
        key: k,
        requestHash: "h",
        statusCode: 201,
        responseBody: "{}",
        createdAt: NOW - ageMs,
      });
      await tx.insert(idempotencyKeys).values([key("expired", 25 * 3_600_000), key("live", 23 * 3_600_000)]);
      const message = (id: string, ageDays: number) => ({
        id,
        channel: "email" as const,
        to: "x",
        text: "x",
        createdAt: NOW - ageDays * DAY,
      });
      await tx.insert(outboxMessages).values([message("o-old", 31), message("o-new", 29)]);
      await tx.insert(schedulerRuns).values([
        { scheduler: "other", window: "old", startedAt: NOW - 91 * DAY },
        { scheduler: "other", window: "new", startedAt: NOW - 89 * DAY },
      ]);
      await tx.insert(snsMessages).values([
        { messageId: "sns-old", receivedAt: NOW - 25 * 3_600_000 },
        { messageId: "sns-new", receivedAt: NOW - 23 * 3_600_000 },
      ]);
      const event = { severity: "warning", from: "ok", to: "pending", summary: "" } as const;
      await tx.insert(alertEvents).values([
        { ...event, id: newId(NOW - 91 * DAY), name: "old", at: NOW - 91 * DAY },
        { ...event, id: newId(NOW - 89 * DAY), name: "new", at: NOW - 89 * DAY },
      ]);
    });
    const attemptsBefore = await count(t, "delivery_attempts");

    const preview = await previewRetention(t.deps, NOW);
    const planned = Object.fromEntries(preview.categories.map((c) => [c.category, c.toRemove]));
    expect(planned).toEqual({
      "delivery-attempts": 4, // old-read-sent (2), old-unread-delivered, mid-read-sent
      deliveries: 4, // the same three plus mid-skipped
      "read-notifications": 2, // old-read-sent, old-read-inbox-only
      "idempotency-keys": 1,
      "outbox-messages": 1,
      "scheduler-runs": 1,
      "sns-messages": 1,
      "alert-events": 1,
    });
    const deliveriesPreview = preview.categories.find((c) => c.category === "deliveries");
    expect(deliveriesPreview?.oldestAt).toBe(NOW - 200 * DAY);
    expect(deliveriesPreview?.cutoff).toBe(NOW - 90 * DAY);
    expect(preview.policy).toMatchObject({
      period: "week",
      deliveryDays: 90,
      readNotificationDays: 180,
      batchSize: 500,
    });
    expect(preview).toMatchObject({ window: "2026-W48", nextRunAt: NOW, lastRun: null });

    const result = await runRetention(t.deps, NOW);
    expect(result).toMatchObject(planned);

    expect(await ids(t, notifications)).toEqual(
      [
        "old-read-failed",
        "old-read-bounced",
        "old-read-digest-pending",
        "old-unread-delivered",
        "mid-read-sent",
        "mid-skipped",
        "mid-unknown",
        "mid-queued",
        "recent-sent",
        "recent-read",
      ]
        .map((n) => `n-${n}`)
        .sort(),
    );
    expect(await ids(t, deliveries)).toEqual(
      [
        "old-read-failed",
        "old-read-bounced",
        "old-read-digest-pending",
        "mid-unknown",
        "mid-queued",
        "recent-sent",
      ]
        .map((n) => `d-${n}`)
        .sort(),
    );
    // Failed (8), bounced (1), unknown (1) and recent (1) attempts remain.
    expect(await count(t, "delivery_attempts")).toBe(attemptsBefore - 4);
    expect(await count(t, "delivery_attempts")).toBe(11);
    const keys = await t.deps.db.read.select({ key: idempotencyKeys.key }).from(idempotencyKeys);
    expect(keys.map((k) => k.key)).toEqual(["live"]);
    const outbox = await t.deps.db.read.select({ id: outboxMessages.id }).from(outboxMessages);
    expect(outbox.map((o) => o.id)).toEqual(["o-new"]);
    const runs = await t.deps.db.read.select({ window: schedulerRuns.window }).from(schedulerRuns);
    expect(runs.map((r) => r.window)).toEqual(["new"]);

    const after = await previewRetention(t.deps, NOW);
    expect(after.categories.every((c) => c.toRemove === 0)).toBe(true);
    expect(await runRetention(t.deps, NOW)).toMatchObject({
      deliveries: 0,
      "delivery-attempts": 0,
      "read-notifications": 0,
    });
  });

  test("deletes in batches of HERALD_RETENTION_BATCH rows, each its own transaction, until a batch comes back short", async () => {
    const t = await makeTestApp({ seed: false, now: NOW, env: { HERALD_RETENTION_BATCH: "2" } });
    for (let i = 0; i < 5; i++)
      await seedNotification(t, `sent-${i}`, { ageDays: 100, read: false, status: "sent", attempts: 1 });
    const result = await runRetention(t.deps, NOW);
    expect(result.deliveries).toBe(5);
    expect(result["delivery-attempts"]).toBe(5);
    // Email deliveries 2 + 2 + 1, one empty batch for SMS, then one empty batch for each of the other six tables.
    expect(result.batches).toBe(3 + 1 + 6);
    expect(await count(t, "deliveries")).toBe(0);
    expect(await count(t, "notifications")).toBe(5); // unread: kept
  });
});
