/**
 * The group commit's durability barrier: a write is acknowledged only after the WAL holding its COMMIT was
 * fsynced (off the event loop), a failed fsync stops all writing, and background checkpoints keep the WAL
 * from growing without stalling the thread.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type Database, DatabaseDurabilityError, openDatabase } from "../../src/db/database.ts";
import type { Fsync } from "../../src/db/wal-sync.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const opened: Database[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close().catch(() => {});
});

/** An fsync the test controls: each call waits until released (or failed), and is counted. */
function gatedFsync() {
  const calls: { path: string; release: () => void; fail: (e: Error) => void }[] = [];
  let waiters: (() => void)[] = [];
  let opened = false;
  const fsync: Fsync = (path) =>
    new Promise<void>((release, fail) => {
      calls.push({ path, release, fail });
      if (opened) release();
      for (const w of waiters) w();
      waiters = [];
    });
  /** Releases every held fsync and lets later ones through at once. */
  const open = () => {
    opened = true;
    for (const call of calls) call.release();
  };
  const called = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (calls.length >= n ? resolve() : waiters.push(check));
      check();
    });
  return { fsync, calls, called, open };
}

async function open(options: { fsync?: Fsync; checkpointWalFrames?: number } = {}) {
  const path = join(tempDir(), "durable.db");
  const db = await openDatabase({ url: `file:${path}`, ...options });
  opened.push(db);
  return { db, path };
}

const settled = (promise: Promise<unknown>) => {
  const state = { done: false };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
};

describe("durability barrier", () => {
  test("a write resolves only after the WAL is fsynced, and the fsync covers the WAL file", async () => {
    const gate = gatedFsync();
    const { db, path } = await open({ fsync: gate.fsync });
    // Creating the table is itself a write behind the barrier: let it through.
    const created = db.write((tx) =>
      tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`),
    );
    await gate.called(1);
    gate.calls[0]?.release();
    await created;

    const write = db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES ('pending')`));
    const state = settled(write);
    await gate.called(2);
    expect(gate.calls[1]?.path).toBe(`${path}-wal`);
    // Committed (the reader sees it) but not yet durable: the writer has not been told.
    expect(await db.read.all(sql`SELECT label FROM items`)).toEqual([{ label: "pending" }]);
    await Bun.sleep(0);
    expect(state.done).toBe(false);
    gate.calls[1]?.release();
    await write;
    expect(state.done).toBe(true);
  });

  test("writers arriving while an fsync runs share the next one", async () => {
    const gate = gatedFsync();
    const { db } = await open({ fsync: gate.fsync });
    const created = db.write((tx) =>
      tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`),
    );
    await gate.called(1); // the first fsync is running and held
    // 100 writes, yielding to the loop every 10 so they commit in about ten batches while the fsync is held.
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      writes.push(db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${`w${i}`})`)));
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    expect(gate.calls.length).toBe(1); // every batch committed meanwhile waits behind one queued fsync
    gate.open();
    await created;
    await Promise.all(writes);
    expect(gate.calls.length).toBe(2);
    expect(await db.read.all(sql`SELECT count(*) AS n FROM items`)).toEqual([{ n: 100 }]);
  });

  test("a failed fsync rejects its writers and refuses every later write", async () => {
    const gate = gatedFsync();
    const { db } = await open({ fsync: gate.fsync });
    const write = db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY)`));
    await gate.called(1);
    gate.calls[0]?.fail(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
    await expect(write).rejects.toBeInstanceOf(DatabaseDurabilityError);
    await expect(db.write((tx) => tx.run(sql`SELECT 1`))).rejects.toBeInstanceOf(DatabaseDurabilityError);
    expect(gate.calls.length).toBe(1);
  });

  test("with the real fsync, acknowledged writes are in the file when a fresh connection opens it", async () => {
    const { db, path } = await open();
    await db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${`x${i}`})`)),
      ),
    );
    const other = await openDatabase({ url: `file:${path}` });
    opened.push(other);
    expect(await other.read.all(sql`SELECT count(*) AS n FROM items`)).toEqual([{ n: 50 }]);
  });
});

describe("background checkpoints", () => {
  test("copy the WAL into the database file on their own thread, with SQLite's inline checkpoint turned off", async () => {
    const { db, path } = await open();
    await db.startBackgroundCheckpoints();
    const checkpointer = db.checkpointer();
    expect(checkpointer).not.toBeNull();
    const autocheckpoint = await db.write(
      async (tx) => (await tx.all<{ wal_autocheckpoint: number }>(sql`PRAGMA wal_autocheckpoint`))[0],
    );
    expect(autocheckpoint?.wal_autocheckpoint).toBe(0);

    await db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`));
    const sizeBefore = statSync(path).size;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${"y".repeat(500) + i})`)),
      ),
    );
    await checkpointer?.runNow();
    expect(checkpointer?.state.runs).toBeGreaterThan(0);
    expect(checkpointer?.state.lastCheckpointed).toBeGreaterThan(0);
    expect(checkpointer?.state.errors).toBe(0);
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 200 * 500);
  });

  test("under sustained writes the WAL stays bounded: the writer lets a checkpoint finish before its next commit", async () => {
    const { db, path } = await open({ checkpointWalFrames: 64 });
    await db.startBackgroundCheckpoints();
    await db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`));
    // 400 commits of one 2 KB row each: without the barrier every commit appends frames and the WAL only grows.
    for (let i = 0; i < 400; i++)
      await db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES (${"z".repeat(2000) + i})`));
    const walPages = statSync(`${path}-wal`).size / 4096;
    expect(walPages).toBeLessThan(64 * 3);
    expect(db.checkpointer()?.state.runs).toBeGreaterThan(1);
    expect(await db.read.all(sql`SELECT count(*) AS n FROM items`)).toEqual([{ n: 400 }]);
  });
});
