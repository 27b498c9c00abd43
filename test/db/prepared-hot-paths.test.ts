/**
 * The hot paths (create, inbox page, unread count, claim, send-started) build no SQL per call and prepare no
 * statement per call: their drizzle queries are prepared once (src/db/prepared.ts) and their native statements
 * come from the connection's cache (src/db/native-client.ts). A query added to a hot path without `.prepare()`
 * makes these tests fail, so the regression that cost 30 % of the create's CPU cannot come back unnoticed.
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { claimDue, hasDue, markSendStarted } from "../../src/delivery/delivery-queue.repo.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const spies: { mockRestore(): void }[] = [];
afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

/** Counts SQL texts drizzle builds, and native statements prepared, while `run` runs. */
async function costOf(t: Awaited<ReturnType<typeof makeTestApp>>, run: () => Promise<unknown>) {
  const built = spyOn(SQLiteAsyncDialect.prototype, "sqlToQuery");
  spies.push(built);
  const caches = t.deps.db.statementCaches();
  if (!caches) throw new Error("a local file has statement caches");
  const before = { reader: caches.reader.misses, writer: caches.writer.misses };
  await run();
  return {
    sqlBuilt: built.mock.calls.length,
    prepared: caches.reader.misses - before.reader + caches.writer.misses - before.writer,
  };
}

async function appWithRecipient() {
  const t = await makeTestApp();
  const put = await t.call("PUT", "/v1/recipients/tech-1", {
    body: {
      kind: "technician",
      name: "Alex",
      email: "alex@example.com",
      emailVerified: true,
      phone: "+15555550100",
      phoneVerified: true,
    },
  });
  expect(put.status).toBe(201);
  return t;
}

const createBody = (n: number) => ({
  recipientId: "tech-1",
  template: "repair-approved",
  priority: "HIGH",
  subject: { type: "repair", id: `R-${n}` },
  context: {
    repair: { id: `R-${n}`, title: "Replace compressor", address: "12 Main St" },
    technician: { name: "Alex" },
    customer: { name: "Dana" },
    approvedBy: "Sam",
    scheduledFor: "Tuesday 9:00",
  },
});

describe("prepared hot paths", () => {
  test("creating a notification builds no SQL and prepares no statement once warm", async () => {
    const t = await appWithRecipient();
    // Warm-up: the first create prepares each statement (and loads the caches for keys, templates, settings).
    expect((await t.call("POST", "/v1/notifications", { body: createBody(0) })).status).toBe(201);
    const cost = await costOf(t, async () => {
      for (let n = 1; n <= 5; n++) {
        const res = await t.call("POST", "/v1/notifications", { body: createBody(n) });
        expect(res.status).toBe(201);
        expect((await res.json()).decisions.map((d: { status: string }) => d.status)).toEqual([
          "queued",
          "queued",
        ]);
      }
    });
    expect(cost).toEqual({ sqlBuilt: 0, prepared: 0 });

    // The loop guard's count reads only the index entries of its window, never the table.
    const plan = await t.deps.db.read.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN
      SELECT count(*) FROM notifications WHERE recipient_id = 'tech-1' AND template = 'repair-approved'
        AND created_at > 0 AND subject_type = 'repair' AND subject_id = 'R-1'`);
    expect(plan.map((p) => p.detail).join(" ")).toContain("COVERING INDEX notifications_loop_idx");
  });

  test("inbox pages and the unread count build no SQL once warm, for each filter combination", async () => {
    const t = await appWithRecipient();
    for (let n = 0; n < 3; n++) await t.call("POST", "/v1/notifications", { body: createBody(n) });
    const paths = [
      "/v1/recipients/tech-1/inbox?limit=2",
      "/v1/recipients/tech-1/inbox?limit=2&unread=true",
      "/v1/recipients/tech-1/inbox?limit=2&category=repair",
      "/v1/recipients/tech-1/inbox/unread-count",
    ];
    let cursor = "";
    for (const path of paths) {
      const res = await t.call("GET", path);
      expect(res.status).toBe(200);
      cursor ||= (await res.json()).nextCursor ?? "";
    }
    await t.call("GET", `/v1/recipients/tech-1/inbox?limit=2&cursor=${cursor}`);
    const cost = await costOf(t, async () => {
      for (const path of [...paths, `/v1/recipients/tech-1/inbox?limit=2&cursor=${cursor}`]) {
        expect((await t.call("GET", path)).status).toBe(200);
      }
    });
    expect(cost).toEqual({ sqlBuilt: 0, prepared: 0 });
  });

  test("claiming and marking send-started build no SQL once warm, and the claim walks the claim index", async () => {
    const t = await appWithRecipient();
    for (let n = 0; n < 4; n++) await t.call("POST", "/v1/notifications", { body: createBody(n) });
    const now = t.clock.now();
    const claimOnce = (token: string) =>
      t.deps.db.write(async (tx) => {
        const leased = await claimDue(tx, {
          channel: "email",
          limit: 2,
          now,
          leaseMs: 30_000,
          owner: "test",
          token,
        });
        const started = await markSendStarted(
          tx,
          token,
          leased.map((d) => d.id),
          now,
        );
        return { leased, started };
      });
    const first = await claimOnce("token-1");
    expect(await hasDue(t.deps.db.read, "email", now)).toBe(true);
    expect(first.leased).toHaveLength(2);
    expect(first.started.size).toBe(2);
    const cost = await costOf(t, async () => {
      expect(await hasDue(t.deps.db.read, "email", now)).toBe(true);
      const second = await claimOnce("token-2");
      expect(second.leased.map((d) => d.leaseToken)).toEqual(["token-2", "token-2"]);
      expect(second.leased[0]?.payload?.kind).toBe("email");
    });
    // The write queue's own BEGIN/COMMIT are native statements from the cache too.
    expect(cost).toEqual({ sqlBuilt: 0, prepared: 0 });

    const plan = await t.deps.db.read.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN
      SELECT id FROM deliveries WHERE channel = 'email' AND status = 'queued' AND run_at <= 0
      ORDER BY priority_rank, run_at, id LIMIT 2`);
    expect(plan.map((p) => p.detail).join(" ")).toContain("deliveries_claim_idx");
  });
});
