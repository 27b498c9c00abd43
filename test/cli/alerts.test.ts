/** `herald alerts`, in-process against a test app: the same list `GET /v1/alerts` answers, driven by the evaluator. */
import { describe, expect, test } from "bun:test";
import { createAlertsCommand } from "../../src/cli/alerts.command.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const MINUTE = 60_000;
const t = await makeTestApp();

/** Runs `herald alerts <args>` on the test app's deps (fixed clock) with a captured io. */
async function herald(args: string[], isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), isTTY };
  const code = await createAlertsCommand((_c, work) => work(t.deps)).run(args, {
    io,
    env: {},
    config: () => t.deps.config,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const evaluate = async () => {
  const scheduler = t.deps.schedulers.find((s) => s.name === "alerts");
  if (!scheduler) throw new Error("no alerts scheduler");
  await scheduler.runOnce();
};

describe("herald alerts", () => {
  test("prints what GET /v1/alerts answers, before and after rules fire; --state filters", async () => {
    const before = await herald([]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual(await (await t.call("GET", "/v1/alerts")).json());
    expect(JSON.parse(before.stdout).firing).toEqual([]);

    await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    await evaluate();
    const pending = JSON.parse((await herald(["--state", "pending", "--json"])).stdout);
    expect(pending.alerts.map((a: { name: string }) => a.name)).toContain("HeraldQueueBacklog:email");
    expect(pending.alerts.every((a: { state: string }) => a.state === "pending")).toBe(true);

    t.clock.advance(10 * MINUTE);
    await evaluate();
    const firing = JSON.parse((await herald(["--state", "firing"])).stdout);
    expect(firing).toEqual(await (await t.call("GET", "/v1/alerts?state=firing")).json());
    expect(firing.firing).toEqual(["HeraldQueueBacklog:email", "HeraldWorkerStalled:email"]);
  });

  test("on a terminal: a table with firing rules first and a closing line naming them", async () => {
    t.clock.advance(5 * MINUTE);
    const { stdout } = await herald([], true);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^NAME +SEVERITY +STATE +FOR +VALUE +SUMMARY$/);
    expect(lines[1]).toMatch(
      /^HeraldQueueBacklog:email +warning +firing +5m 00s +501 +501 email deliveries queued and due \(limit 500\)$/,
    );
    expect(lines[2]).toMatch(/^HeraldWorkerStalled:email +critical +firing +5m 00s /);
    expect(lines.at(-1)).toBe("Firing: HeraldQueueBacklog:email, HeraldWorkerStalled:email");
    expect((await herald(["--state", "pending"], true)).stderr).toBe("No alerts pending.");
  });

  test("a bad --state or a stray argument is a usage error (exit 64)", async () => {
    const env = { DATABASE_URL: t.databaseUrl, HERALD_LOG_LEVEL: "silent" };
    const run = async (args: string[]) => {
      const err: string[] = [];
      const io: CliIo = { out: () => {}, err: (x) => err.push(x), isTTY: false };
      return { code: await runCli(["alerts", ...args], io, env), stderr: err.join("\n") };
    };
    const bad = await run(["--state", "burning"]);
    expect(bad).toMatchObject({ code: 64 });
    expect(bad.stderr).toContain("--state must be one of ok, pending, firing, not 'burning'");
    expect((await run(["firing"])).code).toBe(64);
    expect((await run(["--frobnicate"])).code).toBe(64);
    expect((await run([])).code).toBe(0);
  });
});
