/**
 * `herald status`, in-process, against a real Herald served on a random port (the test app's, so its fixed
 * clock and database are the ones the command reads) and against ports where no Herald answers.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { evaluateAlerts } from "../../src/alerts/alert-evaluator.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { createStatusCommand } from "../../src/cli/status.command.ts";
import { formatAge, serverCheckFromResponse, statusExitCode } from "../../src/cli/status.rules.ts";
import { runCli } from "../../src/cli.ts";
import { savePause } from "../../src/delivery/channel-pauses.repo.ts";
import type { Deps } from "../../src/deps.ts";
import { updateOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import {
  addNotifications,
  addRecipients,
  DAY,
  type DeliverySeed,
  HOUR,
  NOW,
} from "../domain/reports/report-fixtures.ts";
import { makeTestApp, type TestApp, tempDir } from "../helpers/test-app.ts";

const MINUTE = 60_000;

/** Serves `fetch` on a free port until the file's tests end. */
function serve(fetch: (request: Request) => Response | Promise<Response>) {
  const server = Bun.serve({ port: 0, fetch });
  afterAll(() => server.stop(true));
  return `http://127.0.0.1:${server.port}`;
}

/** A port nothing listens on: bound by the OS, then released. */
function unusedPort(): number {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port as number;
  server.stop(true);
  return port;
}

/** Runs `herald status <args>` in-process on `deps` (fixed clock) with a captured io. */
async function status(
  deps: Deps,
  args: string[],
  { isTTY = true, timeoutMs }: { isTTY?: boolean; timeoutMs?: number } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY };
  const command = createStatusCommand({ open: (_config, work) => work(deps), timeoutMs });
  const code = await command.run(args, { io, env: {}, config: () => deps.config });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/**
 * An app with something for every section: email due and deferred, leased and failed; an SMS held as unknown
 * (which fires an alert) and SMS spend; maintenance on.
 */
async function busyApp(): Promise<TestApp> {
  const t = await makeTestApp({ seed: false, now: NOW });
  await addRecipients(t.deps, ["tech-1"]);
  const at = (createdAt: number, ...list: DeliverySeed[]) => ({
    recipientId: "tech-1",
    createdAt,
    deliveries: list,
  });
  await addNotifications(t.deps, [at(NOW - 10 * MINUTE, { channel: "email", status: "queued" })], 4);
  await addNotifications(t.deps, [
    at(NOW - 2 * MINUTE, { channel: "email", status: "queued" }, { channel: "sms", status: "unknown" }),
    at(NOW - MINUTE, { channel: "email", status: "leased" }),
    // Spent earlier today: more than an hour ago, so the hourly SMS cost alert stays quiet.
    at(
      NOW - 2 * HOUR,
      { channel: "email", status: "failed" },
      { channel: "sms", status: "sent", costUsd: 12.5 },
    ),
    at(
      NOW - 3 * HOUR,
      { channel: "email", status: "failed" },
      { channel: "sms", status: "sent", costUsd: 12.5 },
    ),
    at(
      NOW - 2 * DAY,
      { channel: "email", status: "failed" },
      { channel: "sms", status: "delivered", costUsd: 5 },
    ),
  ]);
  // One queued email deferred (quiet hours): queued, but not due.
  await t.deps.db.write(async (tx) => {
    const [row] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(eq(deliveries.createdAt, NOW - 2 * MINUTE));
    await tx
      .update(deliveries)
      .set({ runAt: NOW + HOUR })
      .where(eq(deliveries.id, row?.id ?? ""));
  });
  await updateOpsSettings(t.deps, { maintenance: { enabled: true, reason: "database upgrade" } }, "cli");
  await evaluateAlerts(t.deps);
  return t;
}

describe("herald status", () => {
  test("a degraded server: every component, the queue, maintenance, SMS budget and firing alerts; exit 2", async () => {
    const t = await busyApp();
    const url = serve((request) => t.app.fetch(request));
    const res = await status(t.deps, ["--url", url]);
    expect(res.code).toBe(2);
    const screen = res.stdout;
    expect(screen.split("\n")[0]).toBe(`Herald at ${url}: DEGRADED (HTTP 200)`);
    expect(screen).toMatch(/^COMPONENT\s+STATUS\s+DETAIL$/m);
    expect(screen).toMatch(/^database\s+healthy\s+[\d.]+ ms$/m);
    expect(screen).toMatch(/^emailWorker\s+degraded\s+not running$/m);
    expect(screen).toMatch(
      /^maintenance\s+degraded\s+on since 2026-11-23T12:00:00\.000Z: provider sends are held/m,
    );
    expect(screen).toMatch(/^heldSms\s+degraded\s+1 SMS held as unknown/m);
    expect(screen).toMatch(/^alerts\s+degraded\s+firing: HeraldSmsHeldUnknown/m);
    expect(screen).toMatch(/^scheduler:alerts\s+degraded\s+not running/m);

    expect(screen).toContain("Queue (database, at 2026-11-23T12:00:00Z)");
    expect(screen).toMatch(/^CHANNEL\s+DUE\s+OLDEST DUE\s+LEASED\s+UNKNOWN\s+FAILED 24H$/m);
    // 5 queued emails, one deferred; the failure two days ago is outside the 24 h.
    expect(screen).toMatch(/^email\s+4\s+10m 00s\s+1\s+0\s+2$/m);
    expect(screen).toMatch(/^sms\s+0\s+-\s+0\s+1\s+0$/m);
    expect(screen).toContain(
      "Maintenance: ON since 2026-11-23T12:00:00Z (database upgrade): provider sends are held",
    );
    // Today: 2 × $12.50 (the unknown SMS cost nothing); month: plus the $5 two days ago.
    expect(screen).toContain("SMS spend: today $25.00 of $50.00 (50.0 %), month $30.00 of $1500.00 (2.0 %)");
    expect(screen).toContain("Alerts firing: 1");
    expect(screen).toMatch(/^HeraldSmsHeldUnknown\s+warning\s+2026-11-23T12:00:00Z\s+1 SMS held as unknown/m);
    // Contact data never appears (the seeded recipient has none, but destinations are never read either).
    expect(screen).not.toContain("@");
  });

  test("piped or --json: one JSON document with the server's own readiness body", async () => {
    const t = await busyApp();
    const url = serve((request) => t.app.fetch(request));
    const piped = await status(t.deps, ["--url", url], { isTTY: false });
    expect(piped.code).toBe(2);
    const report = JSON.parse(piped.stdout);
    expect(report.exitCode).toBe(2);
    expect(report.url).toBe(url);
    expect(report.server).toMatchObject({
      reachable: true,
      httpStatus: 200,
      readiness: { status: "degraded" },
    });
    const direct = await (await t.call("GET", "/health/ready", { key: null })).json();
    expect(Object.keys(report.server.readiness.components)).toEqual(Object.keys(direct.components));
    expect(report.database).toMatchObject({
      readable: true,
      at: NOW,
      channels: [
        { channel: "email", due: 4, oldestDueAgeMs: 10 * MINUTE, leased: 1, unknown: 0, failed24h: 2 },
        { channel: "sms", due: 0, oldestDueAgeMs: 0, leased: 0, unknown: 1, failed24h: 0 },
      ],
      maintenance: { enabled: true, reason: "database upgrade", since: NOW },
      smsBudget: { dayUsd: 25, monthUsd: 30, dailyLimitUsd: 50, monthlyLimitUsd: 1500 },
      firingAlerts: [{ name: "HeraldSmsHeldUnknown", severity: "warning", since: NOW, value: 1 }],
    });
    // --json on a terminal: the same document, indented (the database latency differs run to run).
    const pretty = await status(t.deps, ["--url", url, "--json"]);
    expect(pretty.stdout).toContain('\n  "url"');
    const again = JSON.parse(pretty.stdout);
    again.server.readiness.components.database.latencyMs =
      report.server.readiness.components.database.latencyMs;
    again.server.readiness.performance = report.server.readiness.performance;
    expect(again).toEqual(report);
  });

  test("a ready server (workers and schedulers running, nothing to look at) exits 0", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    const url = serve((request) => t.app.fetch(request));
    t.deps.delivery.start();
    for (const scheduler of t.deps.schedulers) scheduler.start();
    try {
      const res = await status(t.deps, ["--url", url]);
      expect(res.stdout.split("\n")[0]).toBe(`Herald at ${url}: READY (HTTP 200)`);
      expect(res.stdout).not.toMatch(/degraded|failing/);
      expect(res.stdout).toMatch(/^email\s+0\s+-\s+0\s+0\s+0$/m);
      expect(res.stdout).toContain("Maintenance: off");
      expect(res.stdout).toContain(
        "SMS spend: today $0.00 of $50.00 (0.0 %), month $0.00 of $1500.00 (0.0 %)",
      );
      expect(res.stdout).toContain("Alerts firing: none");
      expect(res.code).toBe(0);
    } finally {
      await Promise.all([t.deps.delivery.stop(), ...t.deps.schedulers.map((s) => s.stop())]);
    }
  });

  test("slow right now? the server's request and delivery latency, event-loop lag", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    const url = serve((request) => t.app.fetch(request));
    const quiet = await status(t.deps, ["--url", url]);
    // Nothing sent yet: no delivery latency to speak of, rather than a made-up 0 ms.
    expect(quiet.stdout).toContain("Performance (server, last 5 min)");
    expect(quiet.stdout).toMatch(/^LATENCY\s+COUNT\s+P50\s+P95\s+P99\s+MAX$/m);
    expect(quiet.stdout).toMatch(/^email delivery\s+0\s+-\s+-\s+-\s+-$/m);

    // Three emails due 40 s, 30 s and 20 s ago, sent now; a request or two served meanwhile.
    await seedDeliveries(t.deps.db, {
      count: 3,
      channel: "email",
      now: NOW - 60_000,
      runAt: (i) => NOW - 40_000 + i * 10_000,
    });
    await t.delivery.runUntilIdle();
    await t.call("GET", "/v1/notifications");
    const res = await status(t.deps, ["--url", url]);
    expect(res.stdout).toMatch(/^email delivery\s+3\s+30000 ms\s+40000 ms\s+40000 ms\s+40000 ms$/m);
    expect(res.stdout).toMatch(/^sms delivery\s+0\s+-/m);
    const requests = res.stdout.match(/^requests\s+(\d+)\s+[\d.]+ ms/m);
    // The first status call and the GET above at least (this call's own request is still running).
    expect(Number(requests?.[1])).toBeGreaterThanOrEqual(2);
    expect(res.stdout).toMatch(
      /^Event-loop lag \(last 60 s\): p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$/m,
    );

    const json = JSON.parse((await status(t.deps, ["--url", url], { isTTY: false })).stdout);
    expect(json.server.readiness.performance).toMatchObject({
      windowSeconds: 300,
      deliveryLatency: { email: { count: 3, p50Ms: 30000, maxMs: 40000 }, sms: { count: 0 } },
    });
  });

  test("a channel paused by its provider is on the screen with the command that resumes it", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    await t.deps.db.write((tx) =>
      savePause(tx, {
        channel: "sms",
        code: "invalid-credentials",
        message: "The security token included in the request is invalid.",
        pausedAt: NOW - MINUTE,
        until: NOW + 4 * MINUTE,
      }),
    );
    const res = await status(t.deps, ["--url", `http://127.0.0.1:${unusedPort()}`]);
    expect(res.stdout).toContain(
      "Channel sms PAUSED until 2026-11-23T12:04:00Z by invalid-credentials: The security token included in the request is invalid. (herald channels resume sms)",
    );
    expect(res.stdout).not.toContain("Channel email PAUSED");
  });

  test("no server on the port: says so, still prints the database, exits 1", async () => {
    const t = await busyApp();
    const url = `http://127.0.0.1:${unusedPort()}`;
    const res = await status(t.deps, ["--url", url]);
    expect(res.code).toBe(1);
    expect(res.stdout.split("\n").slice(0, 2)).toEqual([
      `Herald at ${url}: UNREACHABLE: connection refused (is the server running on this port?)`,
      "(what follows is read from the database only)",
    ]);
    expect(res.stdout).toMatch(/^email\s+4\s+10m 00s\s+1\s+0\s+2$/m);
    expect(res.stdout).toContain("Maintenance: ON");
    expect(res.stdout).toContain("Alerts firing: 1");

    // The registered command, as `herald status` runs it: its own database connection, the default URL from PORT.
    const out: string[] = [];
    const io: CliIo = { out: (s) => out.push(s), err: () => {}, isTTY: false };
    const env = { DATABASE_URL: t.databaseUrl, PORT: String(unusedPort()), HERALD_LOG_LEVEL: "silent" };
    expect(await runCli(["status"], io, env)).toBe(1);
    const report = JSON.parse(out.join("\n"));
    expect(report).toMatchObject({
      url: `http://127.0.0.1:${env.PORT}`,
      exitCode: 1,
      server: { reachable: false },
    });
    expect(report.database).toMatchObject({
      readable: true,
      maintenance: { enabled: true, reason: "database upgrade" },
    });
  });

  test("a server that hangs, a 503 and something that is not Herald exit 1", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    const hung = serve(() => new Promise<Response>(() => {}));
    const slow = await status(t.deps, ["--url", hung], { timeoutMs: 100 });
    expect(slow.code).toBe(1);
    expect(slow.stdout.split("\n")[0]).toBe(`Herald at ${hung}: UNREACHABLE: no answer within 0.1 s`);

    const body = {
      status: "unavailable",
      components: { database: { status: "failing", detail: "database not writable" } },
    };
    const unavailable = serve(() => Response.json(body, { status: 503 }));
    const down = await status(t.deps, ["--url", unavailable]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/: UNAVAILABLE \(HTTP 503\)\n/);
    expect(down.stdout).toMatch(/^database\s+failing\s+database not writable$/m);

    const proxy = serve(
      () => new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "content-type": "text/html" } }),
    );
    const other = await status(t.deps, ["--url", `${proxy}/`]);
    expect(other.code).toBe(1);
    expect(other.stdout.split("\n")[0]).toBe(
      `Herald at ${proxy}: UNREACHABLE: answered HTTP 502 without a Herald readiness body`,
    );
  });

  test("a missing database file is reported, not created", async () => {
    const path = join(tempDir(), "nope.db");
    const out: string[] = [];
    const io: CliIo = { out: (s) => out.push(s), err: () => {}, isTTY: true };
    const env = { DATABASE_URL: `file:${path}`, PORT: String(unusedPort()), HERALD_LOG_LEVEL: "silent" };
    expect(await runCli(["status"], io, env)).toBe(1);
    expect(out.join("\n")).toContain(
      `Database: could not read it: no database file at ${path} (check DATABASE_URL)`,
    );
    expect(existsSync(path)).toBe(false);
  });

  test("bad arguments exit 64", async () => {
    const io: CliIo = { out: () => {}, err: () => {}, isTTY: false };
    const env = { DATABASE_URL: `file:${join(tempDir(), "x.db")}` };
    expect(await runCli(["status", "--url", "ftp://example.com"], io, env)).toBe(64);
    expect(await runCli(["status", "--url", "localhost:3000"], io, env)).toBe(64);
    expect(await runCli(["status", "now"], io, env)).toBe(64);
    expect(await runCli(["status", "--frobnicate"], io, env)).toBe(64);
  });
});

describe("status rules", () => {
  const readiness = (status: string) => ({ status, components: { database: { status: "healthy" } } });

  test("the exit code follows the server's verdict", () => {
    expect(statusExitCode(serverCheckFromResponse(200, readiness("ready")))).toBe(0);
    expect(statusExitCode(serverCheckFromResponse(200, readiness("degraded")))).toBe(2);
    expect(statusExitCode(serverCheckFromResponse(503, readiness("unavailable")))).toBe(1);
    expect(statusExitCode({ reachable: false, error: "x" })).toBe(1);
    // Only Herald's answers count: other statuses, other bodies, unknown component states.
    expect(serverCheckFromResponse(401, readiness("ready")).reachable).toBe(false);
    expect(serverCheckFromResponse(200, { status: "ok" }).reachable).toBe(false);
    expect(
      serverCheckFromResponse(200, { status: "ready", components: { db: { status: "fine" } } }).reachable,
    ).toBe(false);
    expect(serverCheckFromResponse(200, null).reachable).toBe(false);
  });

  test("ages read at a glance", () => {
    expect(formatAge(0)).toBe("0ms");
    expect(formatAge(950)).toBe("950ms");
    expect(formatAge(42_000)).toBe("42s");
    expect(formatAge(7 * MINUTE + 5_000)).toBe("7m 05s");
    expect(formatAge(3 * HOUR + 12 * MINUTE)).toBe("3h 12m");
    expect(formatAge(2 * DAY + 4 * HOUR)).toBe("2d 4h");
  });
});
