import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { createDeliveriesCommand } from "../../src/cli/deliveries.command.ts";
import { runCli } from "../../src/cli.ts";
import type { Deps } from "../../src/deps.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "../domain/reports/report-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

/** Runs `herald deliveries …` against a test app's deps (fixed clock) with a captured io. */
async function herald(deps: Deps, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  const code = await createDeliveriesCommand((_c, work) => work(deps)).run(args, {
    io,
    env: {},
    config: () => deps.config,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

async function statusCounts(deps: Deps) {
  const rows = await deps.db.read
    .select({ channel: deliveries.channel, status: deliveries.status })
    .from(deliveries);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[`${r.channel}:${r.status}`] = (counts[`${r.channel}:${r.status}`] ?? 0) + 1;
  return counts;
}

async function seeded() {
  const t = await makeTestApp({ seed: false, now: NOW });
  await addRecipients(t.deps, ["r1", "r2"]);
  const one = (
    channel: "email" | "sms",
    status: "failed" | "unknown" | "queued" | "sent",
    createdAt: number,
    recipientId = "r1",
  ) => ({
    recipientId,
    createdAt,
    deliveries: [{ channel, status, sendable: true }],
  });
  await addNotifications(t.deps, [one("sms", "failed", NOW - HOUR)], 3);
  await addNotifications(t.deps, [
    one("sms", "failed", NOW - 3 * DAY),
    one("email", "failed", NOW - HOUR),
    one("sms", "unknown", NOW - HOUR),
  ]);
  await addNotifications(t.deps, [one("email", "queued", NOW - HOUR)], 4);
  await addNotifications(t.deps, [
    one("email", "queued", NOW - HOUR, "r2"),
    one("sms", "queued", NOW - HOUR),
    one("email", "sent", NOW - HOUR),
  ]);
  return t;
}

describe("herald deliveries", () => {
  test("retry sends the matching failed deliveries back to the queue and says how many", async () => {
    const t = await seeded();
    const res = await herald(t.deps, ["retry", "--status", "failed", "--channel", "sms", "--since", "24h"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("Retried 3 deliveries (failed, sms, created since 2026-11-22T12:00:00.000Z).");
    expect(await statusCounts(t.deps)).toMatchObject({
      "sms:failed": 1,
      "sms:queued": 4,
      "sms:unknown": 1,
      "email:failed": 1,
    });
    const requeued = await t.deps.db.read.select().from(deliveries).where(eq(deliveries.status, "queued"));
    expect(requeued.filter((d) => d.channel === "sms" && d.runAt === NOW)).toHaveLength(3);

    const json = await herald(t.deps, ["retry", "--status", "failed,unknown", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ action: "retry", changed: 3 });
    expect(await statusCounts(t.deps)).not.toHaveProperty("sms:failed");
  });

  test("cancel cancels matching queued deliveries only", async () => {
    const t = await seeded();
    const res = await herald(t.deps, ["cancel", "--channel", "email", "--recipient", "r1"]);
    expect(res.stdout).toBe("Cancelled 4 queued deliveries (email, recipient r1).");
    expect(await statusCounts(t.deps)).toMatchObject({
      "email:cancelled": 4,
      "email:queued": 1,
      "email:sent": 1,
      "sms:queued": 1,
    });
    expect(
      JSON.parse((await herald(t.deps, ["cancel", "--since", "2026-11-23T00:00:00Z", "--json"])).stdout),
    ).toEqual({
      action: "cancel",
      changed: 2,
    });
  });

  test("list filters and never prints destinations", async () => {
    const t = await seeded();
    const res = await herald(t.deps, ["list", "--status", "failed", "--channel", "sms"]);
    const lines = res.stdout.split("\n");
    expect(lines[0]).toBe("ID\tCHANNEL\tSTATUS\tREASON\tRECIPIENT\tATTEMPTS\tCREATED\tLAST ERROR");
    expect(lines).toHaveLength(5);
    const json = JSON.parse(
      (await herald(t.deps, ["list", "--since", "2d", "--status", "queued", "--json"])).stdout,
    );
    expect(json).toHaveLength(6);
    expect(res.stdout + JSON.stringify(json)).not.toContain("+1555");
    expect(JSON.stringify(json)).not.toContain("example.com");
  });

  test("bad filters are usage errors (exit 64) and change nothing", async () => {
    const t = await seeded();
    const before = await statusCounts(t.deps);
    const env = { DATABASE_URL: t.databaseUrl };
    const run = async (args: string[]) => {
      const err: string[] = [];
      const io: CliIo = { out: () => {}, err: (x) => err.push(x), isTTY: false };
      return { code: await runCli(["deliveries", ...args], io, env), stderr: err.join("\n") };
    };
    expect((await run(["retry"])).stderr).toContain("--status is required");
    for (const args of [
      [],
      ["resend"],
      ["retry"],
      ["retry", "--status", "sent"],
      ["retry", "--status", "failed", "--channel", "fax"],
      ["retry", "--status", "failed", "--since", "yesterday"],
      ["cancel"],
      ["cancel", "--status", "failed", "--channel", "sms"],
      ["list", "--limit", "0"],
      ["list", "--status", "lost"],
    ]) {
      expect({ args, code: (await run(args)).code }).toEqual({ args, code: 64 });
    }
    expect(await statusCounts(t.deps)).toEqual(before);
  });
});
