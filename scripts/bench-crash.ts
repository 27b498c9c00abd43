/**
 * Crash-safety benchmark (moved out of the old bench-delivery.ts; `scripts/bench.ts` covers the rest of it):
 * `bun scripts/bench-crash.ts [--kills 100]`. Real server processes sending 3,000 deliveries through a fake
 * provider with 30 ms latency are SIGKILLed `--kills` times at random moments (test/delivery/crash-harness.ts);
 * prints lost, unfinished and duplicated sends against the sends that were in progress at a kill.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCrashScenario, unexplainedDuplicates } from "../test/e2e/crash-harness.ts";

const { values: args } = parseArgs({ options: { kills: { type: "string", default: "100" } } });
const dir = mkdtempSync(join(tmpdir(), "herald-crash-"));
try {
  const report = await runCrashScenario({
    dir,
    deliveries: 3000,
    kills: Number(args.kills),
    killAfterMs: [300, 800],
    providerLatencyMs: 30,
    env: { HERALD_EMAIL_RATE: "150" },
    deadlineMs: 600_000,
  });
  const duplicates = [...report.sends.values()].reduce((sum, n) => sum + n - 1, 0);
  const ambiguous = [...report.ambiguousAtKill.values()].reduce((sum, n) => sum + n, 0);
  const overMax = report.rows.filter((r) => r.attempts > r.maxAttempts).length;
  const lost = report.rows.filter((r) => r.status === "sent" && !report.sends.has(r.id)).length;
  console.log(`\n$ bun scripts/bench-crash.ts --kills ${args.kills}`);
  console.log("| measure | Herald | baseline | ratio |\n|---|---|---|---|");
  console.log(
    `| duplicates after ${report.kills} SIGKILLs | ${duplicates} | ${ambiguous} sends in progress at kills | ${(duplicates / Math.max(1, ambiguous)).toFixed(2)}x |`,
  );
  console.log(
    `| lost / unfinished / over max attempts / unexplained duplicates | ${lost} / ${report.unfinished.length} / ${overMax} / ${unexplainedDuplicates(report.sends, report.ambiguousAtKill).length} | 0 / 0 / 0 / 0 | - |`,
  );
  console.log(
    `\n${report.rows.length} deliveries → ${JSON.stringify(report.byStatus)}; final SIGTERM exit ${report.finalExitCode}; ${(report.elapsedMs / 1000).toFixed(1)} s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
