/**
 * Processes that start together on a fresh database migrate it at the same moment (an `api` and a `worker`,
 * the machines of one deployment): every one of them must come up, with the schema applied once.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/database.ts";
import { onSqld, startSqld } from "../helpers/sqld.ts";
import { tempDir } from "../helpers/temp-dir.ts";

describe("migrating one database from several connections at once", () => {
  test("every migrate resolves and each migration is recorded once", async () => {
    for (let round = 0; round < 5; round++) {
      const url = onSqld ? (await startSqld()).url : `file:${join(tempDir(), "herald.db")}`;
      const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ url })));
      try {
        await Promise.all(dbs.map((db) => db.migrate()));
        const [row] = await (dbs[0] as (typeof dbs)[number]).read.all<{ n: number; distinct: number }>(
          sql`SELECT count(*) AS n, count(DISTINCT hash) AS "distinct" FROM __drizzle_migrations`,
        );
        expect(Number(row?.n)).toBeGreaterThan(0);
        expect(Number(row?.n)).toBe(Number(row?.distinct));
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    }
  });
});
