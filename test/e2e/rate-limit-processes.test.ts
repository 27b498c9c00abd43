/**
 * The provider rate limit with real processes and real time (src/README.md "More than one process"): two servers
 * on one database file drain a backlog of email and SMS through the outbox provider, one of them is SIGKILLed
 * and started again mid-drain, and every sliding one-second window of the recorded call times (the outbox
 * stamps each message with the time of the call) holds at most the configured rate.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { and, eq, inArray, sql } from "drizzle-orm";
import { deliveries, outboxMessages } from "../../db/schema.ts";
import { openDatabase } from "../../src/db/database.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { type ServerProcess, startServer } from "../helpers/server-process.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const EMAIL_RATE = 14;
const SMS_RATE = 10;
const EMAILS = 280;
const SMS = 200;

const verbose = process.env.HERALD_TEST_VERBOSE ? (line: string) => console.log(line) : () => {};

/** The most calls in any sliding window [t, t + 1 s) of a list of call times. */
function busiestWindow(unsorted: number[]): number {
  const times = [...unsorted].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] as number) <= (times[i] as number) - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("provider rate limit across processes", () => {
  test("two servers on one file, one killed and restarted mid-drain, never exceed the rate in any second", async () => {
    const dir = tempDir("herald-rate-");
    const url = `file:${join(dir, "herald.db")}`;
    const db = await openDatabase({ url });
    await db.migrate();
    const now = Date.now();
    await seedDeliveries(db, { count: EMAILS, channel: "email", now });
    await seedDeliveries(db, { count: SMS, channel: "sms", now });

    const server = () =>
      startServer({
        databaseUrl: url,
        adminKey: "rate-test-admin-key-0123456789",
        env: {
          HERALD_SEED: "false",
          HERALD_EMAIL_RATE: String(EMAIL_RATE),
          HERALD_SMS_RATE: String(SMS_RATE),
          // Short leases and frequent sweeps, so what the killed process held comes back quickly.
          HERALD_LEASE_MS: "2000",
          HERALD_PROVIDER_TIMEOUT_MS: "1000",
          HERALD_SWEEP_INTERVAL_MS: "200",
        },
      });
    const sent = async () =>
      Number((await db.read.select({ n: sql<number>`count(*)` }).from(outboxMessages))[0]?.n ?? 0);
    const unfinished = async () =>
      Number(
        (
          await db.read
            .select({ n: sql<number>`count(*)` })
            .from(deliveries)
            .where(inArray(deliveries.status, ["queued", "leased"]))
        )[0]?.n ?? 0,
      );
    /** Waits (real time is the point here) until `done` says so; fails after `ms`. */
    const waitUntil = async (what: string, done: () => Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await Bun.sleep(100);
      }
    };

    const servers: ServerProcess[] = [await server(), await server()];
    const started = [...servers];
    try {
      await waitUntil(
        "a third of the backlog sent",
        async () => (await sent()) >= (EMAILS + SMS) / 3,
        60_000,
      );
      // The first server dies with grants taken and calls under way; a new process starts on the same file.
      await servers[0]?.stop("SIGKILL");
      verbose(`killed with ${await sent()} sent`);
      servers[0] = await server();
      await waitUntil("the backlog drained", async () => (await unfinished()) === 0, 90_000);
    } finally {
      for (const s of servers)
        if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop("SIGTERM");
      started.push(servers[0] as ServerProcess);
    }
    const missed = started
      .flatMap((s) => s.logs())
      .filter((l) => l.msg === "send window missed; deliveries given back to the queue unsent");
    verbose(`batches that missed their send window: ${missed.length}`);

    const times = async (channel: "email" | "sms") =>
      (
        await db.read
          .select({ at: outboxMessages.createdAt })
          .from(outboxMessages)
          .where(and(eq(outboxMessages.channel, channel)))
      ).map((r) => r.at);
    const email = await times("email");
    const sms = await times("sms");
    await db.close();
    verbose(
      JSON.stringify({
        email: email.length,
        sms: sms.length,
        busiestEmail: busiestWindow(email),
        busiestSms: busiestWindow(sms),
      }),
    );
    // Every delivery went out at least once (a kill mid-send may resend an email; SMS is held instead).
    expect(email.length).toBeGreaterThanOrEqual(EMAILS);
    expect(sms.length).toBeGreaterThan(SMS - 2 * SMS_RATE);
    expect(busiestWindow(email)).toBeLessThanOrEqual(EMAIL_RATE);
    expect(busiestWindow(sms)).toBeLessThanOrEqual(SMS_RATE);
  }, 180_000);
});
