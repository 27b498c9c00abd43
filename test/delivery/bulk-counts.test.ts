import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import {
  cancelDeliveries,
  countCancellable,
  countRetryable,
  retryDeliveries,
} from "../../src/delivery/deliveries.service.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

describe("bulk verb counts", () => {
  test("each count is what its verb then changes, for the same filter", async () => {
    const t = await makeTestApp({ seed: false });
    const now = t.clock.now();
    const email = await seedDeliveries(t.deps.db, { count: 6, channel: "email", now, recipientId: "r1" });
    const sms = await seedDeliveries(t.deps.db, { count: 4, channel: "sms", now, recipientId: "r2" });
    const set = (status: string, ids: (string | undefined)[]) =>
      t.deps.db.write((tx) =>
        tx.run(
          sql`UPDATE deliveries SET status = ${status} WHERE id IN (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        ),
      );
    await set("failed", [email[0], email[1], sms[0]]);
    await set("unknown", [email[2]]);
    await set("sent", [email[3]]);
    // An erased recipient's failure has nothing left to send.
    await t.deps.db.write((tx) =>
      tx.run(
        sql`UPDATE deliveries SET status = 'failed', destination = NULL, payload = NULL WHERE id = ${sms[1]}`,
      ),
    );

    for (const filter of [
      { status: ["failed" as const], channel: "email" as const },
      { status: ["failed" as const, "unknown" as const, "cancelled" as const] },
    ]) {
      const counted = await countRetryable(t.deps, filter);
      expect(await retryDeliveries(t.deps, filter)).toBe(counted);
    }
    // Only the erased failure is still failed, and it has nothing to send.
    expect(await countRetryable(t.deps, { status: ["failed"] })).toBe(0);

    const counted = await countCancellable(t.deps, { recipientId: "r2" });
    expect(counted).toBe(3); // the retried SMS and the two seeded queued
    expect(await cancelDeliveries(t.deps, { recipientId: "r2" })).toBe(counted);
    expect(await countCancellable(t.deps, { recipientId: "r2" })).toBe(0);
  });
});
