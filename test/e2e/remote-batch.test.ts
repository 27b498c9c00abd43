/**
 * Group commit on a remote database over a slow link (10 ms round trip, through a delaying proxy) while another
 * process keeps writing: every statement is a round trip, so a batch must stay well inside sqld's 5 s transaction
 * timeout (past it sqld takes the write lock back while another waits), and if sqld does take it back
 * (TRANSACTION_TIMEOUT) the batch is retried whole. An unbounded batch of 256 jobs took 96 s here, ran jobs 4,554
 * times and rejected 18 jobs that had done nothing wrong.
 */
import { expect } from "bun:test";
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/database.ts";
import { delayProxy } from "../helpers/delay-proxy.ts";
import { requireTool, SQLD } from "../helpers/requires-tool.ts";
import { startSqld } from "../helpers/sqld.ts";

requireTool(SQLD).test(
  "a big batch under another process's writes: no job is failed for another's lost lock, each runs about once",
  async () => {
    const sqld = await startSqld();
    const proxy = delayProxy({ host: "127.0.0.1", port: Number(new URL(sqld.url).port) }, 5);
    const db = await openDatabase({ url: `ws://127.0.0.1:${proxy.port}` });
    const other = createClient({ url: sqld.url, concurrency: 1 }); // a second process, next to sqld
    try {
      await db.write((tx) => tx.run(sql`CREATE TABLE t (job INTEGER, step INTEGER)`));
      let runs = 0;
      const jobs = Array.from({ length: 256 }, (_, job) =>
        db.write(async (tx) => {
          runs++;
          await tx.run(sql`INSERT INTO t VALUES (${job}, 1)`);
          await tx.run(sql`INSERT INTO t VALUES (${job}, 2)`);
          return job;
        }),
      );
      let stop = false;
      const otherWrites = (async () => {
        while (!stop) {
          await other.execute("INSERT INTO t VALUES (-1, 0)");
          await Bun.sleep(500);
        }
      })();
      const results = await Promise.allSettled(jobs);
      stop = true;
      await otherWrites;
      const rejected = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
      expect(rejected).toEqual([]);
      // Each job wrote its two rows once.
      const rows = await other.execute("SELECT count(*) FROM t WHERE job >= 0");
      expect(Number(rows.rows[0]?.[0])).toBe(512);
      expect(runs).toBeLessThan(256 * 2);
    } finally {
      await db.close();
      other.close();
      proxy.stop();
    }
  },
  60_000,
);
