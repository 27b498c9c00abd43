/**
 * The crash drill across processes (src/README.md "More than one process"): three `herald serve --role all`
 * processes on one libSQL server (sqld) take notifications round-robin while one of them, picked at random, is
 * SIGKILLed and restarted 30 times. Then every notification a process accepted (201) is in the database, every
 * email ended sent, the leases each dead process held came back, and every duplicate send has an open send window
 * to explain it.
 *
 * Sends go to the outbox provider: each is a row in `outbox_messages` naming its delivery, committed apart from the
 * delivery's result, so the outbox is the count of what the provider received.
 *
 * The duplicate rule is the single-process drill's (`unexplainedDuplicates`, crash-harness.ts): a delivery may be
 * sent once more for each of its leases whose send started but whose result was never recorded under it. Alone, a
 * killed process leaves such leases behind. On sqld a kill can do more: over Hrana on HTTP a process killed inside
 * a transaction keeps sqld's write lock for sqld's transaction timeout (5 s), so every process's writes wait, and
 * leases of *live* processes can expire mid-send too (their late results are refused by the fence and logged as
 * `lease-lost`). Over WebSockets, which the processes here use as the README recommends, the killed process's socket
 * closes and sqld rolls its transaction back at once. Either way the open windows are counted where the engine
 * records every one of them, whoever held the lease: the sweeper's `ambiguous` attempt rows (a lease that expired
 * after its send started), plus provider calls that timed out. The
 * summary line also shows how many of them a kill caught in the dead process (seen from outside, as the harness
 * does), how many were late results of live processes, and how long after each kill the dead process's leases
 * were all back.
 */
import { expect } from "bun:test";
import { type Client, createClient } from "@libsql/client";
import { pollUntil } from "../helpers/processes.ts";
import { requireTool, SQLD } from "../helpers/requires-tool.ts";
import { type ServerProcess, startServer } from "../helpers/server-process.ts";
import { startSqld } from "../helpers/sqld.ts";
import { unexplainedDuplicates, uniform } from "./crash-harness.ts";

const PROCESSES = 3;
const KILLS = 30;
/** Pause between kills, drawn uniformly: about as long as a restarted process takes to come back. */
const KILL_GAP_MS: [number, number] = [600, 1200];
/** Notifications per second the load generator aims at, over all live processes. */
const LOAD_RATE = 60;
const LOAD_CONNECTIONS = 6;
const RECIPIENTS = 20;
const LEASE_MS = 4000;
const ADMIN_KEY = "hk_crash_sqld_admin_key_0123456789abcdef";
const HEADERS = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };

const SERVER_ENV: Record<string, string> = {
  // Info: the delivery engine logs its lease owner id when it starts.
  HERALD_LOG_LEVEL: "info",
  HERALD_EMAIL_PROVIDER: "outbox",
  HERALD_EMAIL_RATE: "500",
  // Short leases (the single-process drill's) so a dead process's deliveries come back within the drill; the
  // provider timeout is the longest the configuration allows (half the lease).
  HERALD_LEASE_MS: String(LEASE_MS),
  HERALD_PROVIDER_TIMEOUT_MS: String(LEASE_MS / 2),
  HERALD_SWEEP_INTERVAL_MS: "200",
  HERALD_RETRY_BASE_MS: "100",
  HERALD_RETRY_CAP_MS: "1000",
  // Each recipient gets dozens of the same template within the hour: that is load here, not a loop.
  HERALD_LOOP_MAX: "10000",
};

/** A process slot: its live server (null from its kill until its restart answers) and its lease owner id. */
interface Slot {
  server: ServerProcess | null;
  owner: string;
}

/** Starts `herald serve --role all` and reads the lease owner id its delivery engine logs when it starts. */
async function startHerald(databaseUrl: string): Promise<Slot> {
  const server = await startServer({
    databaseUrl,
    adminKey: ADMIN_KEY,
    args: ["src/cli.ts", "serve", "--role", "all"],
    env: SERVER_ENV,
  });
  const started = await server.stdout.waitFor(
    (line) => line.includes('"delivery engine started"'),
    "the delivery engine",
  );
  return { server, owner: String((JSON.parse(started) as { owner: string }).owner) };
}

/**
 * Watches the leases of killed processes from outside: each poll records the leases a dead owner still holds with
 * the send started (the single-process drill's "ambiguous at kill"), and once a dead owner holds nothing, how long
 * after its kill that was.
 */
function deadLeaseWatch(db: Client) {
  const dead = new Map<string, number>();
  const inFlight = new Map<string, Set<string>>();
  const recoveryMs: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running || dead.size > 0) {
      if (dead.size > 0) {
        const rs = await db.execute({
          sql: `SELECT id, lease_owner, lease_token, send_started_at FROM deliveries
                WHERE status = 'leased' AND lease_owner IN (SELECT value FROM json_each(?))`,
          args: [JSON.stringify([...dead.keys()])],
        });
        const holding = new Set<string>();
        for (const row of rs.rows) {
          holding.add(String(row.lease_owner));
          if (row.send_started_at === null) continue;
          const id = String(row.id);
          if (!inFlight.has(id)) inFlight.set(id, new Set());
          inFlight.get(id)?.add(String(row.lease_token));
        }
        for (const [owner, killedAt] of dead) {
          if (holding.has(owner)) continue;
          recoveryMs.push(performance.now() - killedAt);
          dead.delete(owner);
        }
      }
      await Bun.sleep(25);
    }
  })();
  return {
    /** Called right after the SIGKILL. */
    killed(owner: string) {
      dead.set(owner, performance.now());
    },
    /** Once every dead owner's leases are back: how long each took, and how many sends the kills caught. */
    async finish(timeoutMs: number) {
      running = false;
      await pollUntil(
        "the leases of every killed process",
        async () => (dead.size === 0 ? true : undefined),
        { timeoutMs },
      );
      await loop;
      return {
        recoveryMs,
        caughtByKills: new Map([...inFlight].map(([id, tokens]) => [id, tokens.size])),
      };
    },
  };
}

/** Posts notifications round-robin to the live processes at {@link LOAD_RATE}, keeping every accepted id. */
function loadGenerator(slots: Slot[]) {
  const accepted: string[] = [];
  /** Answers other than 201 by status, and "cut" for requests that got no answer (their process died). */
  const refused: Record<string, number> = {};
  let running = true;
  let turn = 0;
  let sequence = 0;
  let nextAt = performance.now();
  const connection = async () => {
    while (running) {
      // Paced: each request takes the next slot of the rate (or now, when the load fell behind).
      nextAt = Math.max(nextAt + 1000 / LOAD_RATE, performance.now());
      const wait = nextAt - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const live = slots.flatMap((s) => (s.server ? [s.server] : []));
      const server = live[turn++ % live.length];
      if (!server) continue;
      const n = sequence++;
      let outcome: string;
      try {
        const res = await fetch(`${server.url}/v1/notifications`, {
          method: "POST",
          headers: HEADERS,
          body: JSON.stringify({
            recipientId: `crash-${n % RECIPIENTS}`,
            template: "test-message",
            priority: "MEDIUM",
            context: { n },
          }),
        });
        outcome = String(res.status);
        if (res.status === 201) {
          accepted.push(((await res.json()) as { notification: { id: string } }).notification.id);
          continue;
        }
        await res.body?.cancel();
      } catch {
        outcome = "cut";
      }
      refused[outcome] = (refused[outcome] ?? 0) + 1;
    }
  };
  const connections = Array.from({ length: LOAD_CONNECTIONS }, connection);
  return {
    async stop() {
      running = false;
      await Promise.all(connections);
      return { accepted, refused };
    },
  };
}

/** Rows of `sql` as a map from the first column to the second (a number). */
async function countsBy(db: Client, sql: string): Promise<Map<string, number>> {
  const rs = await db.execute(sql);
  return new Map(rs.rows.map((r) => [String(r[0]), Number(r[1])]));
}

/** How many of `items` fall under each key. */
function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

requireTool(SQLD).test(
  "three processes on sqld, 30 random SIGKILLs under load: nothing accepted is lost, dead leases come back, duplicates only from open send windows",
  async () => {
    const started = performance.now();
    const sqld = await startSqld();
    const db = createClient({ url: sqld.url });
    // Together, as a deployment starts its machines: all migrate and seed the same database at once.
    const slots = await Promise.all(Array.from({ length: PROCESSES }, () => startHerald(sqld.url)));
    const first = slots[0]?.server as ServerProcess;
    for (let i = 0; i < RECIPIENTS; i++) {
      const res = await fetch(`${first.url}/v1/recipients/crash-${i}`, {
        method: "PUT",
        headers: HEADERS,
        body: JSON.stringify({ kind: "customer", email: `crash-${i}@example.com`, emailVerified: true }),
      });
      expect(res.status).toBe(201);
    }

    const watch = deadLeaseWatch(db);
    const load = loadGenerator(slots);
    const restarts: Promise<void>[] = [];
    let kills = 0;
    let loaded: Awaited<ReturnType<typeof load.stop>>;
    try {
      while (kills < KILLS) {
        await Bun.sleep(uniform(KILL_GAP_MS));
        // Keep the load going: with two processes still down, wait for one to come back first.
        const live = await pollUntil(
          "a second live process",
          async () => {
            const up = slots.filter((s) => s.server !== null);
            return up.length >= 2 ? up : undefined;
          },
          { timeoutMs: 30_000 },
        );
        const slot = live[Math.floor(Math.random() * live.length)] as Slot;
        const server = slot.server as ServerProcess;
        slot.server = null;
        await server.stop("SIGKILL");
        watch.killed(slot.owner);
        kills++;
        restarts.push(startHerald(sqld.url).then((next) => void Object.assign(slot, next)));
      }
      await Promise.all(restarts);
    } finally {
      loaded = await load.stop();
    }
    const { accepted, refused } = loaded;
    const { recoveryMs, caughtByKills } = await watch.finish(60_000);
    await pollUntil(
      "every delivery to be final",
      async () => {
        const rs = await db.execute("SELECT count(*) FROM deliveries WHERE status IN ('queued', 'leased')");
        return Number(rs.rows[0]?.[0]) === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );

    const found = await db.execute({
      sql: "SELECT count(*) FROM notifications WHERE id IN (SELECT value FROM json_each(?))",
      args: [JSON.stringify(accepted)],
    });
    const rows = (
      await db.execute(`
        SELECT d.id, d.notification_id, d.channel, d.status, d.attempts, d.max_attempts,
               (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempt_rows,
               (SELECT count(*) FROM delivery_attempts a
                WHERE a.delivery_id = d.id AND a.error_code = 'lease-lost') AS late_results
        FROM deliveries d`)
    ).rows.map((r) => ({
      id: String(r.id),
      notificationId: String(r.notification_id),
      channel: String(r.channel),
      status: String(r.status),
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
      attemptRows: Number(r.attempt_rows),
      lateResults: Number(r.late_results),
    }));
    const sends = await countsBy(
      db,
      "SELECT delivery_id, count(*) FROM outbox_messages WHERE delivery_id IS NOT NULL GROUP BY delivery_id",
    );
    // Open send windows, as the engine recorded them: a lease that expired after its send started (whoever held
    // it), or a provider call that timed out (it may still have arrived).
    const openWindows = await countsBy(
      db,
      `SELECT delivery_id, count(*) FROM delivery_attempts
       WHERE status = 'ambiguous' OR error_code = 'timeout' GROUP BY delivery_id`,
    );
    const exitCodes = await Promise.all(slots.map((s) => s.server?.stop("SIGTERM")));
    db.close();

    const emails = rows.filter((r) => r.channel === "email");
    const duplicates = sum([...sends.values()].map((n) => n - 1));
    console.log(
      `crash-sqld: ${kills} kills; ${accepted.length} accepted (not accepted: ${JSON.stringify(refused)}); ` +
        `emails ${JSON.stringify(countBy(emails, (r) => r.status))}, attempts up to ${Math.max(0, ...emails.map((r) => r.attempts))}; ${duplicates} duplicates; ` +
        `${sum(openWindows.values())} open send windows (${sum(caughtByKills.values())} sends caught in killed ` +
        `processes, ${sum(rows.map((r) => r.lateResults))} late results of live processes); ` +
        `${unexplainedDuplicates(sends, caughtByKills).length} deliveries duplicated beyond the sends caught by kills; ` +
        `a killed process's leases all back within ${Math.round(Math.max(0, ...recoveryMs))} ms ` +
        `(lease ${LEASE_MS} ms); ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    expect(kills).toBe(KILLS);
    expect(recoveryMs).toHaveLength(KILLS);
    // A drill that accepted almost nothing would prove nothing.
    expect(accepted.length).toBeGreaterThan(100);
    expect(Number(found.rows[0]?.[0])).toBe(accepted.length);
    // MEDIUM to a verified email and no phone: one email per notification (accepted, or cut off before its answer
    // alike) that must end sent, and one SMS row skipped when it was created.
    const acceptedIds = new Set(accepted);
    expect(emails.filter((r) => acceptedIds.has(r.notificationId))).toHaveLength(accepted.length);
    for (const row of rows.filter((r) => r.channel === "sms")) expect(row.status).toBe("skipped");
    for (const row of emails) {
      expect(row.status).toBe("sent");
      expect(sends.get(row.id) ?? 0).toBeGreaterThanOrEqual(1);
      expect(row.attempts).toBeLessThanOrEqual(row.maxAttempts);
      // Every claim left exactly one attempt row (its result, or the sweeper's note that its lease expired); a
      // result that came after its lease was swept was refused by the fence and logged on its own row.
      expect(row.attemptRows - row.lateResults).toBe(row.attempts);
    }
    expect(unexplainedDuplicates(sends, openWindows)).toEqual([]);
    expect(exitCodes).toEqual(slots.map(() => 0));
  },
  120_000,
);
