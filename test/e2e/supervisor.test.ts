import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pollUntil, ROOT, startGroup } from "../helpers/processes.ts";
import { tempDir } from "../helpers/temp-dir.ts";

// The real supervisor and the real Litestream binary, with a stand-in Herald that records the signals it gets.
const driver = join(ROOT, "test/e2e/fixtures/supervise-fake.ts");

function setup(extra: Record<string, string> = {}) {
  const dir = tempDir("herald-supervisor-");
  const events = join(dir, "events.log");
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: `file:${join(dir, "data/herald.db")}`,
    LITESTREAM_REPLICA_URL: `file://${join(dir, "replica")}`,
    FAKE_HERALD_EVENTS: events,
    ...extra,
  };
  const readEvents = () => (existsSync(events) ? readFileSync(events, "utf8") : "");
  return { dir, env, readEvents };
}

describe("supervisor", () => {
  test("forwards SIGTERM through Litestream to Herald and exits with Herald's own status", async () => {
    const { env, readEvents } = setup({ FAKE_HERALD_EXIT_CODE: "42" });
    const supervisor = startGroup([process.execPath, driver], env);
    await pollUntil("Herald to start", async () => (readEvents().includes("started") ? true : undefined), {
      timeoutMs: 15_000,
      process: supervisor,
    });

    process.kill(supervisor.pid, "SIGTERM"); // the supervisor alone, as Fly or systemd would signal it

    expect(await supervisor.exited).toEqual({ code: 42, signal: null });
    expect(readEvents()).toContain("SIGTERM");
    expect(supervisor.output()).toContain('"heraldExitCode":42');
  });

  test("exits with Herald's status when Herald stops by itself", async () => {
    const { env, readEvents } = setup({ FAKE_HERALD_EXIT_AT_START: "3" });
    const supervisor = startGroup([process.execPath, driver], env);

    expect(await supervisor.exited).toEqual({ code: 3, signal: null });
    expect(readEvents()).toContain("started");
  });

  test("starting empty because the replica lists no generation is a warning naming the replica", async () => {
    const { env } = setup({ FAKE_HERALD_EXIT_AT_START: "0" });
    const supervisor = startGroup([process.execPath, driver], env);

    expect(await supervisor.exited).toEqual({ code: 0, signal: null });
    const line = supervisor
      .output()
      .split("\n")
      .find((l) => l.includes("lists no generation"));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? "{}")).toMatchObject({ level: "warn", replica: env.LITESTREAM_REPLICA_URL });
    expect(line).toContain("check LITESTREAM_REPLICA_URL");
  });

  test("refuses to start without a replica configured (exit 78), naming the missing key", async () => {
    const { env, readEvents } = setup({ LITESTREAM_REPLICA_URL: "" });
    const supervisor = startGroup([process.execPath, driver], env);

    expect(await supervisor.exited).toEqual({ code: 78, signal: null });
    expect(supervisor.output()).toContain("LITESTREAM_REPLICA_URL");
    expect(readEvents()).toBe("");
  });

  test("does not start Herald on an empty database when the replica cannot be read", async () => {
    const { dir, env, readEvents } = setup();
    writeFileSync(join(dir, "not-a-directory"), "");
    const supervisor = startGroup([process.execPath, driver], {
      ...env,
      LITESTREAM_REPLICA_URL: `file://${join(dir, "not-a-directory")}`,
    });

    expect(await supervisor.exited).toEqual({ code: 1, signal: null });
    expect(supervisor.output()).toContain("restore failed");
    expect(readEvents()).toBe("");
    expect(existsSync(join(dir, "data/herald.db"))).toBe(false);
  });

  test("moves the -wal, -shm and Litestream files of a missing database aside before restoring", async () => {
    const { dir, env, readEvents } = setup({ FAKE_HERALD_EXIT_CODE: "0" });
    mkdirSync(join(dir, "data/.herald.db-litestream"), { recursive: true });
    writeFileSync(join(dir, "data/herald.db-wal"), "stale frames from another database");
    writeFileSync(join(dir, "data/herald.db-shm"), "");
    const supervisor = startGroup([process.execPath, driver], env);
    await pollUntil("Herald to start", async () => (readEvents().includes("started") ? true : undefined), {
      timeoutMs: 15_000,
      process: supervisor,
    });
    process.kill(supervisor.pid, "SIGTERM");
    expect((await supervisor.exited).code).toBe(0);

    const data = readdirSync(join(dir, "data"));
    expect(data).not.toContain("herald.db-wal");
    const aside = data.find((name) => name.startsWith("orphaned-"));
    expect(aside).toBeDefined();
    expect(readdirSync(join(dir, "data", aside as string)).sort()).toEqual([
      ".herald.db-litestream",
      "herald.db-shm",
      "herald.db-wal",
    ]);
    expect(readFileSync(join(dir, "data", aside as string, "herald.db-wal"), "utf8")).toBe(
      "stale frames from another database",
    );
  });
});
