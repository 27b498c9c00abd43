// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * Crash safety with real processes and real SIGKILLs (src/README.md "The job table's invariants"): no delivery is lost, a
 * duplicate only ever comes from a kill that landed while its send was in progress, attempts never pass the
 * maximum, and a delivery that kills its process every time ends `failed` instead of looping forever.
 */
import { describe, expect, test } from "bun:test";
import { tempDir } from "../helpers/temp-dir.ts";
import { runCrashScenario, unexplainedDuplicates } from "./crash-harness.ts";

const verbose = process.env.HERALD_TEST_VERBOSE ? (line: string) => console.log(line) : undefined;

describe("crash safety", () => {
  test("without kills every delivery is sent exactly once", async () => {
    const report = await runCrashScenario({
      dir: tempDir(),
      deliveries: 200,
      kills: 0,
      killAfterMs: [0, 0],
      deadlineMs: 30_000,
      log: verbose,
    });
    expect(report.unfinished).toEqual([]);
    expect(report.byStatus).toEqual({ sent: 200 });
    expect(report.sends.size).toBe(200);
    expect([...report.sends.values()].every((n) => n === 1)).toBe(true);
    expect(report.finalExitCode).toBe(0);
  }, 40_000);

  test("20 SIGKILLs under load lose nothing and duplicate only sends a kill interrupted", async () => {
    const report = await runCrashScenario({
      dir: tempDir(),
      deliveries: 800,
      kills: 20,
      killAfterMs: [300, 800],
      providerLatencyMs: 30,
      env: { HERALD_EMAIL_RATE: "150" },
      deadlineMs: 50_000,
      log: verbose,
    });
    const duplicates = [...report.sends.values()].reduce((sum, n) => sum + n - 1, 0);
    const ambiguous = [...report.ambiguousAtKill.values()].reduce((sum, n) => sum + n, 0);
    verbose?.(
      JSON.stringify({
        ...report,
        sends: undefined,
        rows: undefined,
        ambiguousAtKill: undefined,
        duplicates,
        ambiguous,
      }),
    );
    expect(report.kills).toBe(20);
    expect(report.rows).toHaveLength(800);
    expect(report.unfinished).toEqual([]);
    // Email's ambiguous policy is "resend", so everything ends sent unless a delivery was caught mid-send by
    // more kills than it has attempts.
    for (const row of report.rows) {
      expect(["sent", "failed"]).toContain(row.status);
      if (row.status === "sent") expect(report.sends.get(row.id) ?? 0).toBeGreaterThanOrEqual(1);
      expect(row.attempts).toBeLessThanOrEqual(row.maxAttempts);
      // Every claim left exactly one attempt row: its result, or the sweeper's note that its lease expired.
      expect(row.attemptRows).toBe(row.attempts);
    }
    expect(unexplainedDuplicates(report.sends, report.ambiguousAtKill)).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(ambiguous);
    expect(report.finalExitCode).toBe(0);
  }, 60_000);

  test("a delivery that kills the server on every send fails after its maximum attempts", async () => {
    const report = await runCrashScenario({
      dir: tempDir(),
      deliveries: 5,
      poison: 1,
      maxAttempts: 3,
      kills: 0,
      killAfterMs: [0, 0],
      // One at a time, so the poison does not take its neighbours down with it.
      env: {
        HERALD_WORKER_BATCH: "1",
        HERALD_WORKER_CONCURRENCY: "1",
        HERALD_LEASE_MS: "2000",
        HERALD_PROVIDER_TIMEOUT_MS: "1000",
      },
      deadlineMs: 40_000,
      log: verbose,
    });
    expect(report.rows).toHaveLength(5);
    const poison = report.rows.find((r) => r.destination.startsWith("poison"))!;
    expect(poison.status).toBe("failed");
    expect(poison.attempts).toBe(3);
    expect(poison.attemptRows).toBe(3);
    expect(report.sends.get(poison.id)).toBe(3);
    expect(report.poisonKills).toBe(3);
    for (const row of report.rows.filter((r) => r !== poison)) expect(row.status).toBe("sent");
    expect(report.unfinished).toEqual([]);
  }, 50_000);
});
