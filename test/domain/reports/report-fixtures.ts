/** Rows for report tests, inserted directly so each test states exactly what the database holds. */

import type { DeliveryStatus } from "../../../db/schema.ts";
import { deliveries, deliveryAttempts, notifications, recipients } from "../../../db/schema.ts";
import type { Deps } from "../../../src/deps.ts";

/** Monday 23 November 2026, 12:00 UTC: the reports' "now" in these tests. */
export const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(6, "0")}`;

/** Recipients by id (technicians with no contact data: reports never need it). */
export async function addRecipients(deps: Pick<Deps, "db">, ids: string[]): Promise<void> {
  await deps.db.write((tx) =>
    tx
      .insert(recipients)
      .values(
        ids.map((id) => ({
          id,
          kind: "technician" as const,
          createdAt: NOW - 100 * DAY,
          updatedAt: NOW - 100 * DAY,
        })),
      )
      .onConflictDoNothing(),
  );
}

/** What one seeded notification looks like; everything but `recipientId` and `createdAt` has a default. */
export interface NotificationSeed {
  recipientId: string;
  createdAt: number;
  template?: string;
  category?: string;
  priority?: "URGENT" | "HIGH" | "MEDIUM" | "LOW";
  subject?: { type: string; id: string };
  /** Deliveries of this notification. */
  deliveries?: DeliverySeed[];
}

/** One seeded delivery; `createdAt` defaults to the notification's. */
export interface DeliverySeed {
  channel: "email" | "sms";
  status: DeliveryStatus;
  createdAt?: number;
  sentAt?: number;
  costUsd?: number;
  reason?: string;
  /** Give it a destination and payload, as a real delivery has until erasure (retries need them). */
  sendable?: boolean;
  attempts?: AttemptSeed[];
}

/** One seeded provider attempt. */
export interface AttemptSeed {
  status: string;
  createdAt: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Inserts notifications with their deliveries and attempts in one transaction; `count` copies of each seed. */
export async function addNotifications(
  deps: Pick<Deps, "db">,
  seeds: NotificationSeed[],
  count = 1,
): Promise<void> {
  await deps.db.write(async (tx) => {
    for (const seed of seeds) {
      for (let i = 0; i < count; i++) {
        const notificationId = nextId("n");
        await tx.insert(notifications).values({
          id: notificationId,
          recipientId: seed.recipientId,
          template: seed.template ?? "job-update",
          templateVersion: 1,
          priority: seed.priority ?? "MEDIUM",
          category: seed.category ?? "repair",
          title: "t",
          message: "m",
          subjectType: seed.subject?.type ?? null,
          subjectId: seed.subject?.id ?? null,
          context: {},
          createdAt: seed.createdAt,
        });
        for (const d of seed.deliveries ?? []) {
          const deliveryId = nextId("d");
          const createdAt = d.createdAt ?? seed.createdAt;
          await tx.insert(deliveries).values({
            id: deliveryId,
            notificationId,
            recipientId: seed.recipientId,
            channel: d.channel,
            status: d.status,
            reason: d.reason ?? null,
            priorityRank: 2,
            runAt: createdAt,
            createdAt,
            updatedAt: createdAt,
            sentAt: d.sentAt ?? null,
            costUsd: d.costUsd ?? 0,
            ...(d.sendable && {
              destination: d.channel === "email" ? "tech@example.com" : "+15555550100",
              payload:
                d.channel === "email"
                  ? { kind: "email" as const, subject: "s", html: "<p>h</p>", text: "t" }
                  : { kind: "sms" as const, text: "t", encoding: "GSM-7" as const, segments: 1 },
            }),
          });
          for (const [n, a] of (d.attempts ?? []).entries()) {
            await tx.insert(deliveryAttempts).values({
              id: nextId("a"),
              deliveryId,
              attempt: n + 1,
              provider: d.channel === "email" ? "ses" : "sns",
              status: a.status,
              errorCode: a.errorCode ?? null,
              errorMessage: a.errorMessage ?? null,
              durationMs: 40,
              createdAt: a.createdAt,
            });
          }
        }
      }
    }
  });
}
