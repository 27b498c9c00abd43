import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALERT_RULES } from "../../src/alerts/alert-definitions.rules.ts";
import { PROMTOOL, requireTool } from "../helpers/requires-tool.ts";

/** The Prometheus rules file: checked and unit-tested with promtool (CI installs it: Debian package prometheus). */
const dir = join(import.meta.dir, "../../scripts/prometheus");
const promtoolTool = requireTool(PROMTOOL);
const promtool = promtoolTool.path;

function run(args: string[]) {
  const result = Bun.spawnSync([promtool, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, output: `${result.stdout.toString()}${result.stderr.toString()}` };
}

promtoolTool.describe("scripts/prometheus/herald.rules.yml", () => {
  test("passes promtool check rules", () => {
    const { code, output } = run(["check", "rules", "herald.rules.yml"]);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });

  test("passes its promtool unit tests (backlog, failure rate, stalled worker, held SMS, forwarded alerts)", () => {
    const { code, output } = run(["test", "rules", "herald.rules.test.yml"]);
    expect(output).toContain("SUCCESS");
    expect(code).toBe(0);
  });

  test("every in-process alert exists in the rules file, directly or forwarded through herald_alerts_firing", () => {
    const file = readFileSync(join(dir, "herald.rules.yml"), "utf8");
    const direct = new Set([...file.matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
    const forwarded = file.match(/herald_alerts_firing\{alert=~"([^"]+)"\}/)?.[1]?.split("|") ?? [];
    for (const alert of new Set(ALERT_RULES.map((r) => r.alert))) {
      expect({ alert, covered: direct.has(alert) || forwarded.includes(alert) }).toEqual({
        alert,
        covered: true,
      });
    }
  });

  test("every metric the rules read is in Herald's catalogue", async () => {
    const { createHeraldMetrics } = await import("../../src/observability/herald-metrics.ts");
    const catalogue = createHeraldMetrics();
    const names = new Set(
      Object.values(catalogue)
        .filter((m): m is typeof m & { name: string } => typeof m === "object" && m !== null && "name" in m)
        .map((m) => m.name),
    );
    const file = readFileSync(join(dir, "herald.rules.yml"), "utf8");
    const used = new Set(
      [...file.matchAll(/\b(herald_[a-z_]+?)(?:_sum|_count|_bucket)?\b[{[ )]/g)].map((m) => m[1]),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const metric of used)
      expect({ metric, known: names.has(metric as string) }).toEqual({ metric, known: true });
  });
});
