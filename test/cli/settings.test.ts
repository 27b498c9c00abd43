/**
 * `herald settings show|set`, in-process against a test app: the same document `GET`/`PUT /v1/settings` read and
 * write, refused with the same issues and exit 64 when the API would refuse it.
 */
import { describe, expect, test } from "bun:test";
import type { CliIo } from "../../src/cli/command.ts";
import { createSettingsCommand } from "../../src/cli/settings.command.ts";
import { runCli } from "../../src/cli.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

/** Runs `herald settings <args>` on the test app's deps (fixed clock) with a captured io. */
async function herald(args: string[], isTTY = false) {
  const out: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: () => {}, isTTY };
  const code = await createSettingsCommand((_c, work) => work(t.deps)).run(args, {
    io,
    env: {},
    config: () => t.deps.config,
  });
  return { code, stdout: out.join("\n") };
}

/** Runs `herald settings <args>` as the binary does (exit code and stderr), on the test app's database file. */
async function binary(args: string[]) {
  const err: string[] = [];
  const io: CliIo = { out: () => {}, err: (x) => err.push(x), isTTY: false };
  const env = { DATABASE_URL: t.databaseUrl, HERALD_LOG_LEVEL: "silent" };
  return { code: await runCli(["settings", ...args], io, env), stderr: err.join("\n") };
}

const apiSettings = async () => (await t.call("GET", "/v1/settings")).json();

describe("herald settings", () => {
  test("show prints the settings GET /v1/settings answers: JSON on a pipe, a table on a terminal", async () => {
    const shown = await herald(["show"]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual(await apiSettings());
    const table = (await herald(["show"], true)).stdout.split("\n");
    expect(table[0]).toMatch(/^SETTING +VALUE$/);
    expect(table.map((l) => l.split(/ +/))).toEqual(
      expect.arrayContaining([
        ["maintenance.enabled", "false"],
        ["rollout.sms.kinds", "[]"],
        ["smsBudget.dailyUsd", "50"],
      ]),
    );
  });

  test("set applies a partial document, keeps what it leaves out and prints the result", async () => {
    const before = await apiSettings();
    const set = await herald(["set", '{"smsBudget":{"dailyUsd":20}}', "--json"]);
    expect(set.code).toBe(0);
    const after = await apiSettings();
    expect(JSON.parse(set.stdout)).toEqual(after);
    expect(after).toEqual({ ...before, smsBudget: { ...before.smsBudget, dailyUsd: 20 } });

    await herald([
      "set",
      '{"rollout":{"sms":{"mode":"percent","percent":10}},"maintenance":{"enabled":true,"reason":" upgrade "}}',
    ]);
    expect(await apiSettings()).toMatchObject({
      rollout: { sms: { mode: "percent", percent: 10 }, email: before.rollout.email },
      maintenance: { enabled: true, reason: "upgrade", since: t.clock.now() },
      smsBudget: { dailyUsd: 20 },
    });
    expect((await herald(["show"], true)).stdout).toMatch(/^maintenance\.since +2026-01-15T18:00:00\.000Z$/m);
    await herald(["set", '{"maintenance":{"enabled":false}}']);
  });

  test("a document the API would refuse prints each issue, exits 64 and changes nothing", async () => {
    const before = await apiSettings();
    const schema = await binary(["set", '{"smsBudget":{"dailyUsd":-1,"weeklyUsd":3},"loopGuard":{"max":0}}']);
    expect(schema.code).toBe(64);
    // The issues come first, one a line, then the usage after a blank line.
    const issues = schema.stderr.split("\n\n")[0]?.split("\n").slice(1) ?? [];
    expect(issues).toHaveLength(3);
    expect(issues.some((l) => l.startsWith("  smsBudget.dailyUsd: "))).toBe(true);
    expect(issues.some((l) => l.startsWith("  smsBudget: ") && l.includes("weeklyUsd"))).toBe(true);
    expect(issues.some((l) => l.startsWith("  loopGuard.max: "))).toBe(true);

    const inconsistent = await binary(["set", '{"smsBudget":{"dailyUsd":5000}}']);
    expect(inconsistent.code).toBe(64);
    expect(inconsistent.stderr).toContain("  smsBudget.dailyUsd: must not exceed smsBudget.monthlyUsd");
    const kinds = await binary(["set", '{"rollout":{"email":{"mode":"kinds"}},"smsBudget":{"dailyUsd":1}}']);
    expect(kinds.code).toBe(64);
    expect(kinds.stderr).toContain(
      "  rollout.email.kinds: a 'kinds' rollout needs at least one recipient kind",
    );

    expect((await binary(["set", "{smsBudget: 20}"])).stderr).toContain("  (body): not JSON");
    for (const args of [
      [],
      ["reset"],
      ["set"],
      ["set", "{}", "{}"],
      ["set", "[]"],
      ["show", "--frobnicate"],
    ]) {
      expect({ args, code: (await binary(args)).code }).toEqual({ args, code: 64 });
    }
    expect(await apiSettings()).toEqual(before);
  });
});
