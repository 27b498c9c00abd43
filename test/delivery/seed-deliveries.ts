/**
 * Inserts queued deliveries straight into the job table (recipient → notification → delivery), the way the
 * notifications service leaves them, so engine tests and the crash harness control every column.
 */
import { type DeliveryPayload, deliveries, notifications, recipients } from "../../db/schema.ts";
import type { Database } from "../../src/db/database.ts";
import { newId } from "../../src/ids.ts";

/** Options for {@link seedDeliveries}. */
export interface SeedOptions {
  count: number;
  channel: "email" | "sms";
  now: number;
  /** The destination of delivery `i` (default `d<i>@example.test` / `+1555000<i>`). */
  destination?: (i: number) => string;
  payload?: (i: number) => DeliveryPayload;
  maxAttempts?: number;
  runAt?: (i: number) => number;
  priorityRank?: (i: number) => number;
  recipientId?: string;
}

/** Inserts `count` queued deliveries (each with its own notification); returns their ids in insert order. */
export async function seedDeliveries(db: Database, o: SeedOptions): Promise<string[]> {
  const recipientId = o.recipientId ?? "seed-recipient";
  const rows = Array.from({ length: o.count }, (_, i) => {
    const notificationId = newId(o.now);
    const payload: DeliveryPayload =
      o.payload?.(i) ??
      (o.channel === "email"
        ? {
            kind: "email",
            subject: `Repair ${i} approved`,
            html: `<p>Repair ${i} approved</p>`,
            text: `Repair ${i} approved`,
          }
        : { kind: "sms", text: `Repair ${i} approved`, encoding: "GSM-7", segments: 1 });
    return {
      notification: {
        id: notificationId,
        recipientId,
        template: "seeded",
        templateVersion: 1,
        priority: "HIGH" as const,
        category: "repairs",
        title: `Repair ${i}`,
        message: `Repair ${i} approved`,
        context: {},
        createdAt: o.now,
      },
      delivery: {
        id: newId(o.now),
        notificationId,
        recipientId,
        channel: o.channel,
        status: "queued" as const,
        priorityRank: o.priorityRank?.(i) ?? 1,
        runAt: o.runAt?.(i) ?? o.now,
        maxAttempts: o.maxAttempts ?? 8,
        destination:
          o.destination?.(i) ??
          (o.channel === "email" ? `d${i}@example.test` : `+1555${String(i).padStart(7, "0")}`),
        payload,
        createdAt: o.now,
        updatedAt: o.now,
      },
    };
  });
  await db.write(async (tx) => {
    await tx
      .insert(recipients)
      .values({ id: recipientId, kind: "customer", createdAt: o.now, updatedAt: o.now })
      .onConflictDoNothing();
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      await tx.insert(notifications).values(part.map((r) => r.notification));
      await tx.insert(deliveries).values(part.map((r) => r.delivery));
    }
  });
  return rows.map((r) => r.delivery.id);
}
