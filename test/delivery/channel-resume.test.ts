/**
 * A channel paused by an account-level provider error (the SES account's sending paused, bad credentials) can be
 * resumed by hand once the operator has fixed the account, instead of waiting HERALD_CHANNEL_PAUSE_MS: through the
 * API in the server's own process (at once), or through `herald channels resume` from another process (the
 * worker sees its pause's row gone within RESUME_CHECK_MS).
 */
import { beforeEach, describe, expect, test } from "bun:test";
import { inArray } from "drizzle-orm";
import { channelPauses, deliveries } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { channelsCommand } from "../../src/cli/channels.command.ts";
import type { CliIo, CommandContext } from "../../src/cli/command.ts";
import { UsageError } from "../../src/cli/command.ts";
import { FixedClock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { RESUME_CHECK_MS } from "../../src/delivery/channel-worker.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { seedDeliveries } from "./seed-deliveries.ts";

// Near the real time: the CLI runs on its own (real) clock and must see the pause as current.
const clock = new FixedClock(Date.now());
const fake = createFakeProviders(clock);
const t = await makeTestApp({ seed: false, clock, providers: fake });
const worker = t.delivery.email;

/** Runs `herald channels <args>` as another process would: its own deps on the test app's database file. */
async function herald(...args: string[]) {
  const out: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: () => {}, isTTY: false };
  const config = loadConfig({ DATABASE_URL: t.databaseUrl, HERALD_LOG_LEVEL: "silent" });
  const context: CommandContext = { io, config: () => config, env: {} };
  const code = await channelsCommand.run(args, context);
  return { code, out: out.join("\n") };
}

/** Queues two emails and lets the provider refuse the account: the email channel pauses. */
async function pauseEmail(): Promise<string[]> {
  fake.script(() => {
    throw new ProviderError("AccountSendingPausedException", "Account sending paused.", 400);
  });
  const ids = await seedDeliveries(t.deps.db, { count: 2, channel: "email", now: clock.now() });
  await worker.tick();
  expect(worker.status().paused?.code).toBe("account-sending-paused");
  fake.script(() => undefined); // the operator fixes the account
  fake.calls.length = 0;
  return ids;
}

async function statuses(ids: string[]) {
  const rows = await t.deps.db.read.select().from(deliveries).where(inArray(deliveries.id, ids));
  return rows.map((r) => r.status);
}

beforeEach(async () => {
  // Each test starts with both channels sending and nothing left in the queue.
  fake.script(() => undefined);
  await t.delivery.email.resume();
  await t.delivery.sms.resume();
  clock.advance(3_600_000);
  await t.delivery.runUntilIdle();
  fake.calls.length = 0;
});

describe("resuming a paused channel", () => {
  test("the pause is recorded where every process sees it: GET /v1/channels and herald channels", async () => {
    await pauseEmail();
    const res = await t.call("GET", "/v1/channels");
    expect(res.status).toBe(200);
    const { items } = await res.json();
    expect(items).toEqual([
      {
        channel: "email",
        paused: {
          code: "account-sending-paused",
          message: "Account sending paused.",
          pausedAt: clock.now(),
          until: clock.now() + t.deps.config.HERALD_CHANNEL_PAUSE_MS,
        },
      },
      { channel: "sms", paused: null },
    ]);
    const cli = await herald();
    expect(cli.code).toBe(0);
    expect(cli.out).toContain("email: paused until");
    expect(cli.out).toContain("account-sending-paused");
    expect(cli.out).toContain("herald channels resume email");
    expect(cli.out).toContain("sms: sending");
    expect(JSON.parse((await herald("--json")).out)).toEqual(items);
  });

  test("POST /v1/channels/email/resume sends the waiting deliveries at once, without waiting for the pause to end", async () => {
    const ids = await pauseEmail();
    expect(await worker.tick()).toBe(0); // still paused: nothing claimed
    const res = await t.call("POST", "/v1/channels/email/resume");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ channel: "email", resumed: true });
    expect(await worker.runUntilIdle()).toBe(2);
    expect(await statuses(ids)).toEqual(["sent", "sent"]);
    expect(fake.callsOn("email")).toHaveLength(2);
    expect(await t.deps.db.read.select().from(channelPauses)).toEqual([]);
    expect((await (await t.call("GET", "/v1/channels")).json()).items[0].paused).toBeNull();
  });

  test("herald channels resume from another process: the server's worker follows within RESUME_CHECK_MS", async () => {
    const ids = await pauseEmail();
    const cli = await herald("resume", "email");
    expect(cli).toEqual({ code: 0, out: "email: resumed" });
    // The server's worker still holds its pause in memory until it looks again...
    expect(await worker.tick()).toBe(0);
    // ...which it does a second later (not after HERALD_CHANNEL_PAUSE_MS, five minutes).
    clock.advance(RESUME_CHECK_MS);
    expect(RESUME_CHECK_MS).toBeLessThan(t.deps.config.HERALD_CHANNEL_PAUSE_MS);
    expect(await worker.runUntilIdle()).toBe(2);
    expect(await statuses(ids)).toEqual(["sent", "sent"]);
    expect(worker.status().paused).toBeNull();
  });

  test("resuming a channel that is not paused changes nothing and says so", async () => {
    expect(await (await t.call("POST", "/v1/channels/sms/resume")).json()).toEqual({
      channel: "sms",
      resumed: false,
    });
    expect(await herald("resume", "sms")).toEqual({ code: 0, out: "sms: was not paused; nothing changed" });
  });

  test("an unknown channel is a 400 problem, a portal key is refused, and the CLI names its usage", async () => {
    const bad = await t.call("POST", "/v1/channels/fax/resume");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect((await t.call("POST", "/v1/channels/email/resume", { key: t.portalKey })).status).toBe(403);
    expect(herald("resume", "fax")).rejects.toBeInstanceOf(UsageError);
    expect(herald("pause")).rejects.toBeInstanceOf(UsageError);
  });

  test("if the account is still refused after a resume, the next send pauses the channel again", async () => {
    await pauseEmail();
    fake.script(() => {
      throw new ProviderError("AccountSendingPausedException", "Account sending paused.", 400);
    });
    await t.call("POST", "/v1/channels/email/resume");
    await worker.tick();
    expect(worker.status().paused?.code).toBe("account-sending-paused");
    expect((await (await t.call("GET", "/v1/channels")).json()).items[0].paused?.code).toBe(
      "account-sending-paused",
    );
  });
});
