// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * `herald maintenance on|off|status`, run in-process against the database of a test app standing in for the
 * running server: the server's workers stop claiming once they see the change (within the settings cache
 * time, skipped ahead here instead of waiting) and send everything after `off`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { OPS_SETTINGS_CACHE_MS } from "../../src/caches.ts";
import type { CliIo, CommandContext } from "../../src/cli/command.ts";
import { UsageError } from "../../src/cli/command.ts";
import { maintenanceCommand } from "../../src/cli/maintenance.command.ts";
import { loadConfig } from "../../src/config.ts";
import { getOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { setUpJobUpdate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

/** Runs `herald maintenance <args>` on the test app's database file and captures what it prints. */
async function herald(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false };
  const config = loadConfig({ DATABASE_URL: t.databaseUrl, HERALD_LOG_LEVEL: "silent" });
  const context: CommandContext = { io, config: () => config, env: {} };
  const code = await maintenanceCommand.run(args, context);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** What the server process sees once its settings cache has aged out (as it does within a second). */
let skippedMs = 0;
const serverSeesChanges = () => {
  skippedMs += OPS_SETTINGS_CACHE_MS + 1;
  return getOpsSettings(t.deps, performance.now() + skippedMs);
};

beforeAll(() => setUpJobUpdate(t));

describe("herald maintenance", () => {
  test("on pauses a running server's sends, status reports it, off resumes and nothing is lost", async () => {
    expect(await herald("status")).toMatchObject({
      code: 0,
      out: "maintenance: off (email and SMS are being sent)",
    });

    const on = await herald("on", "--reason", "database upgrade");
    expect(on.code).toBe(0);
    expect(on.out).toMatch(
      /^maintenance: on since \d{4}-\d\d-\d\dT.* \(database upgrade\); email and SMS wait in the queue$/,
    );
    const status = JSON.parse((await herald("status", "--json")).out);
    expect(status).toMatchObject({ enabled: true, reason: "database upgrade" });
    expect(typeof status.since).toBe("number");
    expect((await (await t.call("GET", "/v1/settings")).json()).maintenance).toEqual(status);

    expect((await serverSeesChanges()).maintenance.enabled).toBe(true);
    const created = await t.call("POST", "/v1/notifications", {
      key: t.portalKey,
      body: { recipientId: "tech-1", template: "job-update", context: { id: "R-1" } },
    });
    expect(created.status).toBe(201);
    const { notification } = await created.json();
    const statuses = async () =>
      (await t.deps.db.read.select().from(deliveries).where(eq(deliveries.notificationId, notification.id)))
        .map((d) => d.status)
        .sort();
    expect(await t.delivery.runUntilIdle()).toBe(0);
    expect(await statuses()).toEqual(["queued", "queued"]);

    expect((await herald("off", "--json")).out).toBe(
      JSON.stringify({ enabled: false, reason: null, since: null }),
    );
    expect((await serverSeesChanges()).maintenance.enabled).toBe(false);
    expect(await t.delivery.runUntilIdle()).toBe(2);
    expect(await statuses()).toEqual(["sent", "sent"]);
  });

  test("bad arguments are usage errors and change nothing", async () => {
    await expect(herald()).rejects.toBeInstanceOf(UsageError);
    await expect(herald("pause")).rejects.toBeInstanceOf(UsageError);
    await expect(herald("on", "--reason", "  ")).rejects.toBeInstanceOf(UsageError);
    await expect(herald("on", "--reason", "x".repeat(501))).rejects.toBeInstanceOf(UsageError);
    await expect(herald("on", "--frobnicate")).rejects.toThrow();
    expect((await herald("status")).out).toBe("maintenance: off (email and SMS are being sent)");
  });
});
