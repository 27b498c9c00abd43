/**
 * Regression test for libSQL losing acknowledged writes after SQLITE_BUSY on a local file: another process holds
 * the write lock longer than the busy timeout while the real server keeps acknowledging writes; every write it
 * acknowledged must be in the file afterwards.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { BUSY_TIMEOUT_MS } from "../../src/db/database.ts";
import { spawnBun, startServer } from "../helpers/server-process.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const ADMIN_KEY = "busy-test-admin-key-0123456789";
const HOLD_MS = BUSY_TIMEOUT_MS + 2000; // long enough that the server's writer really gets SQLITE_BUSY
const WRITERS = 6;

interface Attempt {
  id: string;
  name: string;
  startedAt: number;
  endedAt: number;
  status: number | "network-error";
}

describe("SQLITE_BUSY from another process", () => {
  test(
    "writes wait while another process holds the lock, then succeed; no acknowledged write is lost",
    async () => {
      const dbPath = join(tempDir(), "busy.db");
      const server = await startServer({ databaseUrl: `file:${dbPath}`, adminKey: ADMIN_KEY });

      const attempts: Attempt[] = [];
      let writing = true;
      let afterRelease = 0;
      let onProgress = () => {};
      const progress = (until: () => boolean) =>
        new Promise<void>((resolve) => {
          onProgress = () => until() && resolve();
          onProgress();
        });
      let releasedAt = Number.POSITIVE_INFINITY;

      const send = async (id: string) => {
        const attempt: Attempt = { id, name: `value of ${id}`, startedAt: Date.now(), endedAt: 0, status: 0 };
        try {
          const res = await fetch(`${server.url}/v1/recipients/${id}`, {
            method: "PUT",
            headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
            body: JSON.stringify({ kind: "technician", name: attempt.name }),
          });
          await res.arrayBuffer();
          attempt.status = res.status;
        } catch {
          attempt.status = "network-error";
        }
        attempt.endedAt = Date.now();
        attempts.push(attempt);
        if (attempt.startedAt > releasedAt && attempt.status === 201) afterRelease++;
        onProgress();
      };
      // Writers upsert new recipients back to back (so a lost write shows up as a missing row), and a ticker
      // starts one more every 50 ms without waiting, so requests keep arriving while the lock is held.
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; writing; n++) await send(`w${w}-${n}`);
      });
      const ticked: Promise<void>[] = [];
      const ticker = setInterval(() => ticked.push(send(`t-${ticked.length}`)), 50);
      await progress(() => attempts.length >= 30);
      const holder = spawnBun(["test/db/fixtures/hold-write-lock.ts", dbPath, String(HOLD_MS)]);
      await holder.stdout.waitFor((line) => line === "locked", "the lock holder to take the lock");
      const lockedAt = Date.now();
      expect(await holder.proc.exited).toBe(0);
      releasedAt = Date.now();
      await progress(() => afterRelease >= 30);
      writing = false;
      clearInterval(ticker);
      await Promise.all([...writers, ...ticked]);
      expect(await server.stop("SIGTERM")).toBe(0);

      // The server answered every request, and every answer was a success.
      expect(attempts.filter((a) => a.status !== 201)).toEqual([]);
      // Some writes were sent while the lock was held; they waited and then succeeded.
      // (The holder commits HOLD_MS after printing "locked"; nothing can commit before that.)
      const committable = lockedAt + HOLD_MS - 500;
      const duringLock = attempts.filter((a) => a.startedAt > lockedAt && a.startedAt < committable);
      expect(duringLock.length).toBeGreaterThan(0);
      for (const a of duringLock) expect(a.endedAt).toBeGreaterThanOrEqual(committable);
      // The server hit SQLITE_BUSY and retried on a fresh connection (its stdout is JSON lines).
      const busyLogs = server.logs().filter((l) => l.msg === "database busy, retrying on a fresh connection");
      expect(busyLogs.length).toBeGreaterThan(0);
      expect(server.logs().some((l) => l.msg === "stopped")).toBe(true);

      // Every acknowledged write is in the file (read after the server exited, from a fresh connection).
      const client = createClient({ url: `file:${dbPath}` });
      const stored = new Map(
        (await client.execute("SELECT id, name FROM recipients")).rows.map((r) => [
          String(r.id),
          String(r.name),
        ]),
      );
      client.close();
      const lost = attempts.filter((a) => stored.get(a.id) !== a.name).map((a) => a.id);
      expect(lost).toEqual([]);
      expect(stored.has("lock-holder")).toBe(true);
      expect(stored.size).toBe(attempts.length + 1);
    },
    HOLD_MS + 45_000,
  );
});
