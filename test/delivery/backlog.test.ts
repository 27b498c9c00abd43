/**
 * The backlog read behind /metrics, /health/ready, the alerts and `herald status`: bounded work whatever the
 * backlog's length, and the right oldest age across priorities.
 */
import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { channelBacklog } from "../../src/delivery/backlog.repo.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

describe("channel backlog", () => {
  test("counts due queued deliveries up to the cap and finds the oldest due one across priorities", async () => {
    const t = await makeTestApp({ seed: false });
    const now = t.clock.now();
    // Eight due emails: ranks 0-3, the oldest (now - 80 s) at the least urgent rank; two not yet due.
    await seedDeliveries(t.deps.db, {
      count: 8,
      channel: "email",
      now,
      runAt: (i) => now - 10_000 * (i + 1),
      priorityRank: (i) => i % 4,
    });
    await seedDeliveries(t.deps.db, { count: 2, channel: "email", now, runAt: () => now + 60_000 });
    await seedDeliveries(t.deps.db, { count: 3, channel: "sms", now, runAt: () => now - 1_000 });

    const full = await channelBacklog(t.deps, now);
    expect(full.email).toMatchObject({ due: 8, oldestDueAgeMs: 80_000, leased: 0, unknown: 0 });
    expect(full.sms).toMatchObject({ due: 3, oldestDueAgeMs: 1_000 });

    const capped = await channelBacklog(t.deps, now, 5);
    expect(capped.email.due).toBe(5); // "at least 5": the count stops reading there
    expect(capped.email.oldestDueAgeMs).toBe(80_000);
    expect(capped.sms.due).toBe(3);

    const plan = await t.deps.db.read.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN
      SELECT run_at FROM deliveries INDEXED BY deliveries_claim_idx
      WHERE status = 'queued' AND channel = 'email' AND priority_rank = 2 ORDER BY run_at LIMIT 1`);
    expect(plan.map((p) => p.detail).join(" ")).toContain(
      "deliveries_claim_idx (channel=? AND priority_rank=?)",
    );
  });
});
