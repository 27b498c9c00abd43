import { describe, expect, test } from "bun:test";
import type { CliIo } from "../../src/cli/command.ts";
import { createReportCommand } from "../../src/cli/report.command.ts";
import { runCli } from "../../src/cli.ts";
import type { Deps } from "../../src/deps.ts";
import { reportNames } from "../../src/domain/reports/report-catalogue.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "../domain/reports/report-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

/** An io that captures what the command writes. */
function captureIo(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY };
  return { io, out, err };
}

/** Runs `herald report …` against a test app's deps (fixed clock) with a captured io. */
async function report(deps: Deps, args: string[], isTTY = true) {
  const captured = captureIo(isTTY);
  const command = createReportCommand((_config, work) => work(deps));
  const code = await command.run(args, { io: captured.io, env: {}, config: () => deps.config });
  return { code, stdout: captured.out.join("\n"), stderr: captured.err.join("\n") };
}

async function seeded() {
  const t = await makeTestApp({ seed: false, now: NOW });
  await addRecipients(t.deps, ["tech-1", "tech-2"]);
  const sms = (recipientId: string, costUsd: number) => ({
    recipientId,
    createdAt: NOW - HOUR,
    priority: "URGENT" as const,
    deliveries: [{ channel: "sms" as const, status: "delivered" as const, sentAt: NOW - HOUR, costUsd }],
  });
  await addNotifications(t.deps, [sms("tech-1", 0.0075)], 3);
  await addNotifications(t.deps, [sms("tech-2", 0.5)]);
  await addNotifications(
    t.deps,
    [{ recipientId: "tech-2", createdAt: NOW - 2 * DAY, category: "billing", priority: "LOW" }],
    4,
  );
  return t;
}

describe("herald report", () => {
  test("prints a table on a terminal", async () => {
    const t = await seeded();
    const res = await report(t.deps, ["top-sms-recipients"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines[0]).toBe("Recipients by SMS sent in the last 7d");
    expect(lines[1]).toMatch(/^RECIPIENT\s+SMS\s+USD$/);
    expect(lines[2]).toMatch(/^tech-1\s+3\s+\$0\.0225$/);
    expect(lines[3]).toMatch(/^tech-2\s+1\s+\$0\.5000$/);

    const volume = await report(t.deps, ["volume"]);
    expect(volume.stdout).toContain("Notifications in the last 7d: 8, URGENT share 50.00 %");
    expect(volume.stdout).toMatch(/^billing\s+4\s+0\s+0\s+0\s+4$/m);

    // The weekly check: this week against the 7 days before (which sent none here).
    const costs = await report(t.deps, ["sms-costs"]);
    expect(costs.stdout).toMatch(/^last 7 days\s+4\s+\$0\.5225$/m);
    expect(costs.stdout).toMatch(/^7 days before\s+0\s+\$0\.0000$/m);
    expect(costs.stdout).toMatch(/^change\s+\+\$0\.5225 \(new\)$/m);

    const rates = await report(t.deps, ["delivery-rates"]);
    expect(rates.stdout).toMatch(/^sms\s+24h\s+0\s+4\s+0\s+0\s+0\s+0\s+0\s+100\.00 %\s+98\.00 %\s+yes$/m);
    expect(rates.stdout).toMatch(/^email\s+24h\s+(0\s+){7}-\s+95\.00 %\s+-$/m);
  });

  test("prints the API's JSON with --json or on a pipe", async () => {
    const t = await seeded();
    const asJson = JSON.parse((await report(t.deps, ["volume", "--json", "--window", "24h"])).stdout);
    expect(asJson).toMatchObject({ report: "volume", window: "24h", total: 4, urgentShare: 1 });
    const piped = await report(t.deps, ["sms-costs"], false);
    const body = JSON.parse(piped.stdout);
    expect(body.monthToDate).toEqual({ count: 4, usd: 0.5225 });
    expect(body.days.at(-1)).toEqual({ date: "2026-11-23", count: 4, usd: 0.5225 });
    const api = await (await t.call("GET", "/v1/reports/sms-costs")).json();
    expect(body).toEqual(api);
  });

  test("every report renders as a table", async () => {
    const t = await seeded();
    for (const name of reportNames) {
      const res = await report(t.deps, [name]);
      expect(res.code).toBe(0);
      expect(res.stdout.length).toBeGreaterThan(0);
    }
  });

  test("bad arguments are usage errors (exit 64) naming the reports", async () => {
    const t = await seeded();
    const env = { DATABASE_URL: t.databaseUrl };
    const run = async (args: string[]) => {
      const { io, err } = captureIo(false);
      return { code: await runCli(["report", ...args], io, env), stderr: err.join("\n") };
    };
    const unknown = await run(["sms-cost"]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("unknown report 'sms-cost'");
    expect(unknown.stderr).toContain("delivery-rates");
    expect((await run([])).code).toBe(64);
    expect((await run(["volume", "failures"])).code).toBe(64);
    expect((await run(["volume", "--window", "week"])).code).toBe(64);
    expect((await run(["volume", "--limit", "0"])).code).toBe(64);
    expect((await run(["volume", "--frobnicate"])).code).toBe(64);
  });
});
