import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import {
  BUSY_TIMEOUT_MS,
  type ConnectionPragmas,
  DatabaseBusyError,
  type DatabaseOptions,
  openDatabase,
} from "../../src/db/database.ts";
import { openNativeClient } from "../../src/db/native-client.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/**
 * What every connection must run with: WAL, integrity (FKs) and patience (busy timeout). The writer commits
 * with synchronous=NORMAL because the group commit fsyncs the WAL itself before acknowledging (tested in
 * durability.test.ts); anything weaker than NORMAL (OFF) would let SQLite corrupt the file on power loss.
 */
function expectDurable(pragmas: ConnectionPragmas, role: "reader" | "writer" = "writer") {
  expect(pragmas.journalMode.toLowerCase()).toBe("wal");
  expect(pragmas.synchronous).toBe(role === "writer" ? 1 : 2); // NORMAL + our fsync barrier | FULL
  expect(pragmas.foreignKeys).toBe(1);
  expect(pragmas.busyTimeout).toBeGreaterThanOrEqual(5000);
}

/** The messages of the error `query` fails with and its causes (drizzle wraps the SQLite error), or "". */
async function failureOf(query: PromiseLike<unknown>): Promise<string> {
  try {
    await query;
    return "";
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(" / ");
  }
}

async function freshDatabase(options: Omit<DatabaseOptions, "url"> = {}) {
  const url = `file:${join(tempDir(), "pragmas.db")}`;
  const db = await openDatabase({ url, ...options });
  afterAll(() => db.close());
  await db.write((tx) => tx.run(sql`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`));
  return { db, url };
}

/**
 * Takes the write lock from a second connection (as another process would), so the database's writer waits
 * `BUSY_TIMEOUT_MS` and then sees SQLITE_BUSY. The connection is Herald's own local client: a second SQLite
 * engine in this process would share its POSIX locks and never block the first.
 */
async function holdWriteLock(url: string) {
  const client = openNativeClient({ path: url.slice("file:".length), timeoutMs: BUSY_TIMEOUT_MS });
  const tx = await client.transaction("write"); // BEGIN IMMEDIATE
  await tx.execute("INSERT INTO items (label) VALUES ('lock holder')");
  return {
    async release() {
      await tx.commit();
      client.close();
    },
    async abandon() {
      await tx.rollback();
      client.close();
    },
  };
}

describe("connection settings", () => {
  test("the reader and the writer (inside a write transaction) run WAL, the synchronous level the fsync barrier needs, foreign keys and a busy timeout", async () => {
    const { db } = await freshDatabase();
    const { reader, writer } = await db.pragmas();
    expectDurable(reader, "reader");
    expectDurable(writer);
  });

  test("the reader connection refuses writes", async () => {
    const { db } = await freshDatabase();
    expect(await failureOf(db.read.run(sql`INSERT INTO items (label) VALUES ('sneaky')`))).toMatch(
      /readonly/i,
    );
    expect(await failureOf(db.read.run(sql`CREATE TABLE sneaky (id INTEGER)`))).toMatch(/readonly/i);
    expect(await db.read.all(sql`SELECT * FROM items`)).toEqual([]);
  });

  test("foreign keys are enforced on the writer", async () => {
    const { db } = await freshDatabase();
    await db.write((tx) => tx.run(sql`CREATE TABLE parents (id INTEGER PRIMARY KEY)`));
    await db.write((tx) =>
      tx.run(
        sql`CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id))`,
      ),
    );
    expect(
      await failureOf(db.write((tx) => tx.run(sql`INSERT INTO children (parent_id) VALUES (42)`))),
    ).toMatch(/FOREIGN KEY constraint failed/);
  });

  test(
    "after SQLITE_BUSY the writer reconnects, retries the batch, commits it, and the new connection keeps every setting",
    async () => {
      let holder: Awaited<ReturnType<typeof holdWriteLock>> | undefined;
      const busy: number[] = [];
      const { db, url } = await freshDatabase({
        // Release the lock as soon as the writer has given up once, so the retry (on a fresh connection) succeeds.
        onBusy: ({ attempt }) => {
          busy.push(attempt);
          void holder?.release();
        },
      });
      holder = await holdWriteLock(url);
      const id = await db.write(async (tx) => {
        const [row] = await tx.all<{ id: number }>(
          sql`INSERT INTO items (label) VALUES ('after busy') RETURNING id`,
        );
        return row?.id;
      });
      expect(busy).toEqual([1]);
      expect(id).toBeNumber();
      expect(
        (await db.read.all<{ label: string }>(sql`SELECT label FROM items ORDER BY id`)).map((r) => r.label),
      ).toEqual(["lock holder", "after busy"]);
      const { reader, writer } = await db.pragmas();
      expectDurable(reader, "reader");
      expectDurable(writer);
    },
    BUSY_TIMEOUT_MS * 4,
  );

  test(
    "a lock held longer than busyRetryMs fails the waiting writer with DatabaseBusyError, and the next write works with every setting",
    async () => {
      const { db, url } = await freshDatabase({ busyRetryMs: 1 });
      const holder = await holdWriteLock(url);
      const waiting = db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES ('waiting')`));
      expect(await failureOf(waiting)).toMatch(/database stayed locked for \d+ ms \/ SQLITE_BUSY/);
      await expect(waiting).rejects.toBeInstanceOf(DatabaseBusyError);
      await holder.abandon();

      await db.write((tx) => tx.run(sql`INSERT INTO items (label) VALUES ('later')`));
      expect(
        (await db.read.all<{ label: string }>(sql`SELECT label FROM items`)).map((r) => r.label),
      ).toEqual(["later"]);
      expectDurable((await db.pragmas()).writer);
    },
    BUSY_TIMEOUT_MS * 4,
  );
});
