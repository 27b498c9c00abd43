/**
 * The local-file client: statements are prepared once per connection and reused from a bounded cache, which
 * must never serve a statement that outlived its connection or a column list that outlived its schema.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { LocalDatabaseError, type NativeClient, openNativeClient } from "../../src/db/native-client.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const opened: NativeClient[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) if (!client.closed) client.close();
});

function open(
  path = join(tempDir(), "native.db"),
  options: { statementCacheSize?: number; timeoutMs?: number } = {},
) {
  const client = openNativeClient({
    path,
    timeoutMs: options.timeoutMs ?? 5000,
    statementCacheSize: options.statementCacheSize,
  });
  opened.push(client);
  return { client, path };
}

async function withItems(client: NativeClient) {
  await client.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
  await client.execute({ sql: "INSERT INTO items (label) VALUES (?), (?)", args: ["a", "b"] });
}

describe("statement cache", () => {
  test("the second run of a statement is a cache hit and returns the same rows", async () => {
    const { client } = open();
    await withItems(client);
    const before = { ...client.statementCache };
    const first = await client.execute({ sql: "SELECT label FROM items WHERE id = ?", args: [1] });
    const second = await client.execute({ sql: "SELECT label FROM items WHERE id = ?", args: [2] });
    expect(client.statementCache.misses - before.misses).toBe(1);
    expect(client.statementCache.hits - before.hits).toBe(1);
    expect(first.rows[0]?.label).toBe("a");
    expect(second.rows[0]?.label).toBe("b");
  });

  test("it holds at most its capacity, evicting the least recently used statement", async () => {
    const { client } = open(undefined, { statementCacheSize: 2 });
    await client.execute("SELECT 1"); // miss: [1]
    await client.execute("SELECT 2"); // miss: [1, 2]
    await client.execute("SELECT 1"); // hit:  [2, 1]
    await client.execute("SELECT 3"); // miss, evicts 2: [1, 3]
    expect(client.statementCache).toMatchObject({ size: 2, evictions: 1, hits: 1, misses: 3 });
    await client.execute("SELECT 1"); // still cached
    expect(client.statementCache.hits).toBe(2);
    await client.execute("SELECT 2"); // evicted earlier: prepared again
    expect(client.statementCache.misses).toBe(4);
    expect((await client.execute("SELECT 2 AS two")).rows[0]?.two).toBe(2);
  });

  test("reconnecting after SQLITE_BUSY drops every cached statement with the old connection", async () => {
    const { path } = open();
    const { client } = open(path, { timeoutMs: 50 });
    await withItems(client);
    await client.execute("SELECT label FROM items");
    expect(client.statementCache.size).toBeGreaterThan(0);

    const holder = open(path).client;
    const lock = await holder.transaction("write"); // BEGIN IMMEDIATE: another writer holds the lock
    let busy: unknown;
    try {
      await client.execute({ sql: "INSERT INTO items (label) VALUES (?)", args: ["blocked"] });
    } catch (error) {
      busy = error;
    }
    expect(busy).toBeInstanceOf(LocalDatabaseError);
    expect((busy as LocalDatabaseError).code).toBe("SQLITE_BUSY");
    await lock.rollback();

    await client.reconnect();
    expect(client.statementCache.size).toBe(0);
    const misses = client.statementCache.misses;
    await client.execute({ sql: "INSERT INTO items (label) VALUES (?)", args: ["after"] });
    expect(client.statementCache.misses).toBe(misses + 1);
    expect((await client.execute("SELECT label FROM items ORDER BY id")).rows.map((r) => r.label)).toEqual([
      "a",
      "b",
      "after",
    ]);
  });

  test("a schema change on this connection (a migration) clears the cache, and SELECT * sees the new column", async () => {
    const { client } = open();
    await withItems(client);
    expect((await client.execute("SELECT * FROM items WHERE id = 1")).columns).toEqual(["id", "label"]);
    await client.migrate([{ sql: "ALTER TABLE items ADD COLUMN note TEXT", args: [] }]);
    expect(client.statementCache.size).toBe(0);
    const after = await client.execute("SELECT * FROM items WHERE id = 1");
    expect(after.columns).toEqual(["id", "label", "note"]);
    expect(after.rows[0]).toEqual({ id: 1, label: "a", note: null } as never);
  });

  test("a schema change made by another connection does not leave a stale column list behind", async () => {
    const { client, path } = open();
    await withItems(client);
    await client.execute("SELECT * FROM items WHERE id = 1"); // cached with two columns
    const other = open(path).client;
    await other.execute("ALTER TABLE items ADD COLUMN note TEXT DEFAULT 'n'");
    const after = await client.execute("SELECT * FROM items WHERE id = 1");
    expect(after.columns).toEqual(["id", "label", "note"]);
    expect(after.rows[0]?.note).toBe("n");
    expect(Array.prototype.slice.call(after.rows[0])).toEqual([1, "a", "n"]);
  });
});

describe("rows and errors, as @libsql/client gives them", () => {
  test("a row reads by name and by index; only names are enumerable; duplicate names keep the first value", async () => {
    const { client } = open();
    const { rows } = await client.execute("SELECT 1 AS a, 'x' AS b, 2 AS a");
    const row = rows[0] as unknown as Record<string, unknown> & ArrayLike<unknown>;
    expect(row.a).toBe(1);
    expect(row.b).toBe("x");
    expect([row[0], row[1], row[2], row.length]).toEqual([1, "x", 2, 3]);
    expect(Object.keys(row)).toEqual(["a", "b"]);
    expect(JSON.parse(JSON.stringify(row))).toEqual({ a: 1, b: "x" });
  });

  test("writes report rows affected; booleans and dates bind as libSQL binds them", async () => {
    const { client } = open();
    await withItems(client);
    const updated = await client.execute({ sql: "UPDATE items SET label = ? WHERE id > ?", args: ["z", 0] });
    expect(updated.rowsAffected).toBe(2);
    const { rows } = await client.execute({ sql: "SELECT ? AS t, ? AS d", args: [true, new Date(5)] });
    expect([rows[0]?.t, rows[0]?.d]).toEqual([1, 5]);
  });

  test("a constraint violation is an error with SQLite's base and extended codes", async () => {
    const { client } = open();
    await withItems(client);
    const failure = await client
      .execute({ sql: "INSERT INTO items (id, label) VALUES (1, 'dup')", args: [] })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(LocalDatabaseError);
    expect(failure.code).toBe("SQLITE_CONSTRAINT");
    expect(failure.extendedCode).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
  });

  test("drizzle's typed queries and transactions run on it, reusing their statements", async () => {
    const { client } = open();
    await withItems(client);
    const items = sqliteTable("items", { id: integer("id").primaryKey(), label: text("label").notNull() });
    const db = drizzle(client);
    const byId = db
      .select()
      .from(items)
      .where(sql`${items.id} = ${sql.placeholder("id")}`)
      .prepare();
    expect(await byId.all({ id: 2 })).toEqual([{ id: 2, label: "b" }]);
    const hits = client.statementCache.hits;
    expect(await byId.get({ id: 1 })).toEqual({ id: 1, label: "a" });
    expect(client.statementCache.hits).toBe(hits + 1);

    await db.transaction(async (tx) => {
      await tx.insert(items).values({ label: "c" });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(items).values({ label: "rolled back" });
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect((await db.select({ label: items.label }).from(items)).map((r) => r.label)).toEqual([
      "a",
      "b",
      "c",
    ]);
  });
});
