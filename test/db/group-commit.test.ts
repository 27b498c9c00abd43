import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import {
  BATCH_BUDGET_MS,
  type Database,
  DatabaseOverloadedError,
  openDatabase,
} from "../../src/db/database.ts";
import type { Tx } from "../../src/db/queryable.ts";
import { tempDir } from "../helpers/temp-dir.ts";

async function freshDatabase(maxBatch?: number): Promise<Database> {
  const db = await openDatabase({ url: `file:${join(tempDir(), "group-commit.db")}`, maxBatch });
  afterAll(() => db.close());
  await db.write((tx) =>
    tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)`),
  );
  return db;
}

const labels = async (db: Database) =>
  (await db.read.all<{ label: string }>(sql`SELECT label FROM items ORDER BY label`)).map((r) => r.label);

/**
 * Inserts `label` and reports how many rows this transaction has written before it: rows visible inside the
 * transaction minus rows committed (what the reader sees). 0 means the unit opened its transaction.
 */
async function insertAndMeasure(db: Database, tx: Tx, label: string) {
  const [inside] = await tx.all<{ n: number }>(sql`SELECT count(*) AS n FROM items`);
  const [committed] = await db.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM items`);
  await tx.run(sql`INSERT INTO items (label) VALUES (${label})`);
  return { label, positionInBatch: Number(inside?.n) - Number(committed?.n) };
}

describe("group commit", () => {
  test("concurrent writes share transactions and each caller gets its own result", async () => {
    const db = await freshDatabase();
    const n = 100;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => db.write((tx) => insertAndMeasure(db, tx, `item-${i}`))),
    );
    // Each promise resolved with the value its own unit returned.
    expect(results.map((r) => r.label)).toEqual(Array.from({ length: n }, (_, i) => `item-${i}`));
    // The first write starts a transaction alone; the 99 queued behind it share the next ones.
    // (Batches are also cut at BATCH_BUDGET_MS of work, so on a slow machine the 99 may take a few.)
    const transactions = results.filter((r) => r.positionInBatch === 0).length;
    expect(transactions).toBeLessThanOrEqual(10);
    expect(Math.max(...results.map((r) => r.positionInBatch))).toBeGreaterThanOrEqual(20);
    expect(await labels(db)).toHaveLength(n);
  });

  test("maxBatch caps how many units share one transaction", async () => {
    const db = await freshDatabase(10);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.write((tx) => insertAndMeasure(db, tx, `capped-${i}`))),
    );
    expect(Math.max(...results.map((r) => r.positionInBatch))).toBe(9);
    expect(results.filter((r) => r.positionInBatch === 0).length).toBeGreaterThanOrEqual(5);
    expect(await labels(db)).toHaveLength(50);
  });

  test("a unit that throws loses only its own changes; the rest of its batch commits and gets its results", async () => {
    const db = await freshDatabase();
    const boom = new Error("unit 5 changed its mind");
    const writes = Array.from({ length: 10 }, (_, i) =>
      db.write(async (tx) => {
        await tx.run(sql`INSERT INTO items (label) VALUES (${`unit-${i}`})`);
        if (i === 5) throw boom; // after writing: its row must not survive
        return i * 10;
      }),
    );
    const outcomes = await Promise.allSettled(writes);
    outcomes.forEach((outcome, i) => {
      if (i === 5) expect(outcome).toEqual({ status: "rejected", reason: boom });
      else expect(outcome).toEqual({ status: "fulfilled", value: i * 10 });
    });
    expect(await labels(db)).toEqual([
      "unit-0",
      "unit-1",
      "unit-2",
      "unit-3",
      "unit-4",
      "unit-6",
      "unit-7",
      "unit-8",
      "unit-9",
    ]);
  });

  test("a constraint violation fails only the unit that caused it", async () => {
    const db = await freshDatabase();
    await db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES ('taken')`));
    const writes = ["a", "taken", "b", "c"].map((label) =>
      db.write(async (tx) => {
        await tx.run(sql`INSERT INTO items (label) VALUES (${`${label}-extra`})`);
        await tx.run(sql`INSERT INTO items (label) VALUES (${label})`);
        return label;
      }),
    );
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(await labels(db)).toEqual(["a", "a-extra", "b", "b-extra", "c", "c-extra", "taken"]);
  });

  test("several failing units in one batch each get their own error, and nothing of theirs is kept", async () => {
    const db = await freshDatabase();
    const writes = Array.from({ length: 20 }, (_, i) =>
      db.write(async (tx) => {
        await tx.run(sql`INSERT INTO items (label) VALUES (${`u${i}`})`);
        if (i % 3 === 0) throw new Error(`failed ${i}`);
        return `ok ${i}`;
      }),
    );
    const outcomes = await Promise.allSettled(writes);
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 0) expect((outcome as PromiseRejectedResult).reason.message).toBe(`failed ${i}`);
      else expect(outcome).toEqual({ status: "fulfilled", value: `ok ${i}` });
    });
    const kept = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(await labels(db)).toEqual(kept.map((i) => `u${i}`).sort());
  });

  test("a write resolves only after its transaction is durable: the reader sees it when the promise settles", async () => {
    const db = await freshDatabase();
    const seen = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${`visible-${i}`})`));
        return (await db.read.all(sql`SELECT 1 FROM items WHERE label = ${`visible-${i}`}`)).length;
      }),
    );
    expect(seen).toEqual(Array(20).fill(1));
  });

  test("close waits for queued writes", async () => {
    const url = `file:${join(tempDir(), "close.db")}`;
    const db = await openDatabase({ url });
    await db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`));
    const writes = Array.from({ length: 50 }, (_, i) =>
      db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${i})`)),
    );
    await db.close();
    await Promise.all(writes);
    const reopened = await openDatabase({ url });
    const [row] = await reopened.read.all<{ n: number }>(sql`SELECT count(*) AS n FROM items`);
    await reopened.close();
    expect(Number(row?.n)).toBe(50);
  });

  test("beyond maxQueued waiting writes, a write is refused at once and changes nothing; the queued ones commit", async () => {
    const db = await openDatabase({ url: `file:${join(tempDir(), "overload.db")}`, maxQueued: 3 });
    afterAll(() => db.close());
    await db.write((tx) =>
      tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)`),
    );
    // Five writes in one turn: the writer has not drained yet, so the queue holds the first three.
    const writes = ["a", "b", "c", "d", "e"].map((label) =>
      db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${label})`)),
    );
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
    ]);
    expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseOverloadedError);
    expect(await labels(db)).toEqual(["a", "b", "c"]);
    // Once the queue drained, writes are accepted again.
    await db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES ('f')`));
    expect(await labels(db)).toEqual(["a", "b", "c", "f"]);
  });

  test("a batch stops taking jobs once it has held the thread for its budget; the rest commit next, in order", async () => {
    const db = await freshDatabase();
    /** A job that works synchronously for `ms` (as a create deciding inside its write does), then inserts. */
    const busyJob = (label: string, ms: number) =>
      db.write(async (tx) => {
        const until = performance.now() + ms;
        while (performance.now() < until) {} // stands for CPU work, not waiting
        return insertAndMeasure(db, tx, label);
      });
    const results = await Promise.all([busyJob("a", BATCH_BUDGET_MS + 2), busyJob("b", 0), busyJob("c", 0)]);
    // "a" used up its batch's budget: "b" opened the next transaction and "c" joined it.
    expect(results.map((r) => [r.label, r.positionInBatch])).toEqual([
      ["a", 0],
      ["b", 0],
      ["c", 1],
    ]);
    expect(await labels(db)).toEqual(["a", "b", "c"]);
  });
});
