import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { outboxMessages, schedulerRuns } from "../../db/schema.ts";
import { previewRetention } from "../../src/domain/retention/retention.service.ts";
import { retentionTick } from "../../src/schedulers/retention.scheduler.ts";
import { claimWindow, STALE_CLAIM_MS } from "../../src/schedulers/scheduler-runs.repo.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday, 2026-W48

describe("retention scheduler", () => {
  test("runs once per ISO week however often it is triggered, and records what it did", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    const seedOutbox = (id: string, ageDays: number) =>
      t.deps.db.write((tx) =>
        tx
          .insert(outboxMessages)
          .values({ id, channel: "email", to: "x", text: "x", createdAt: t.clock.now() - ageDays * DAY }),
      );
    await seedOutbox("old-1", 40);
    const retention = t.deps.schedulers.find((s) => s.name === "retention");
    if (!retention) throw new Error("no retention scheduler");

    // Two processes at once, then a manual run: only one claims the week.
    const concurrent = await Promise.all([retentionTick(t.deps), retentionTick(t.deps)]);
    expect(concurrent.filter((r) => r.ran)).toHaveLength(1);
    expect(concurrent.find((r) => r.ran)).toMatchObject({ window: "2026-W48", "outbox-messages": 1 });
    await seedOutbox("old-2", 40);
    t.clock.advance(3 * DAY); // Saturday: same week
    expect(await retention.runOnce()).toEqual({ window: "2026-W48", ran: false });
    expect(await t.deps.db.read.select().from(outboxMessages)).toHaveLength(1);
    expect((await previewRetention(t.deps, t.clock.now())).nextRunAt).toBe(Date.UTC(2026, 10, 30));

    t.clock.set(Date.UTC(2026, 10, 30, 0, 30)); // Monday: a new week
    expect(await retention.runOnce()).toMatchObject({ window: "2026-W49", ran: true, "outbox-messages": 1 });
    expect(await t.deps.db.read.select().from(outboxMessages)).toHaveLength(0);

    const runs = await t.deps.db.read
      .select()
      .from(schedulerRuns)
      .where(eq(schedulerRuns.scheduler, "retention"));
    expect(runs.map((r) => [r.window, r.finishedAt !== null, r.error])).toEqual([
      ["2026-W48", true, null],
      ["2026-W49", true, null],
    ]);
    expect(runs[1]?.result).toMatchObject({ "outbox-messages": 1, deliveries: 0 });
    const preview = await previewRetention(t.deps, t.clock.now());
    expect(preview.lastRun).toMatchObject({ window: "2026-W49", error: null });
  });

  test("HERALD_RETENTION_PERIOD=day runs once per UTC day", async () => {
    const t = await makeTestApp({ seed: false, now: NOW, env: { HERALD_RETENTION_PERIOD: "day" } });
    expect(await retentionTick(t.deps)).toMatchObject({ window: "2026-11-25", ran: true });
    expect(await retentionTick(t.deps)).toEqual({ window: "2026-11-25", ran: false });
    t.clock.advance(DAY);
    expect(await retentionTick(t.deps)).toMatchObject({ window: "2026-11-26", ran: true });
  });

  test("a run that died mid-window is taken over once its claim is stale, not before", async () => {
    const t = await makeTestApp({ seed: false, now: NOW, env: { HERALD_RETENTION_PERIOD: "day" } });
    // A process claimed today's window and died before finishing it.
    await t.deps.db.write((tx) => claimWindow(tx, "retention", "2026-11-25", t.clock.now()));
    t.clock.advance(STALE_CLAIM_MS - 60_000);
    expect(await retentionTick(t.deps)).toEqual({ window: "2026-11-25", ran: false });
    t.clock.advance(120_000);
    expect(await retentionTick(t.deps)).toMatchObject({ window: "2026-11-25", ran: true });
    expect(await retentionTick(t.deps)).toEqual({ window: "2026-11-25", ran: false });
  });
});
