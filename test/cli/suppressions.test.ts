// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * `herald suppressions list|add|remove`, in-process against a test app: the verbs and checks of
 * `/v1/suppressions`, and contacts masked unless the operator names one.
 */
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import type { CliIo } from "../../src/cli/command.ts";
import { createSuppressionsCommand, maskContact } from "../../src/cli/suppressions.command.ts";
import { runCli } from "../../src/cli.ts";
import { setUpJobUpdate, technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T12:00:00Z") });

/** Runs `herald suppressions <args>` on the test app's deps (fixed clock) with a captured io. */
async function herald(args: string[], isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), isTTY };
  const code = await createSuppressionsCommand((_c, work) => work(t.deps)).run(args, {
    io,
    env: {},
    config: () => t.deps.config,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Runs `herald suppressions <args>` as the binary does (exit code and stderr), on the test app's database file. */
async function binary(args: string[]) {
  const err: string[] = [];
  const io: CliIo = { out: () => {}, err: (x) => err.push(x), isTTY: false };
  const env = { DATABASE_URL: t.databaseUrl, HERALD_LOG_LEVEL: "silent" };
  return { code: await runCli(["suppressions", ...args], io, env), stderr: err.join("\n") };
}

const apiList = async () => (await (await t.call("GET", "/v1/suppressions")).json()).items;

describe("herald suppressions", () => {
  test("add suppresses a contact (normalised) and skips what is still queued for it; again is a no-op", async () => {
    await setUpJobUpdate(t, "q-1", technician({ email: "Queued@Example.com", phone: "+15550000001" }));
    const created = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "q-1", template: "job-update", context: { id: "R-9" } },
      key: t.portalKey,
    });
    const notificationId = (await created.json()).notification.id as string;

    const added = await herald(["add", "email", "QUEUED@example.com", "--detail", "ticket 42"]);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(
      "Suppressed email queued@example.com (manual by operator at 2026-01-15T12:00:00.000Z, ticket 42)",
    );
    const rows = await t.deps.db.read
      .select()
      .from(deliveries)
      .where(eq(deliveries.notificationId, notificationId));
    expect(Object.fromEntries(rows.map((d) => [d.channel, [d.status, d.reason]]))).toEqual({
      email: ["skipped", "suppressed"],
      sms: ["queued", null],
    });

    t.clock.advance(1000);
    expect((await herald(["add", "email", "queued@example.com"])).stdout).toStartWith(
      "Already suppressed: email queued@example.com",
    );
    const json = JSON.parse((await herald(["add", "sms", "+15551230001", "--json"])).stdout);
    expect(json).toEqual({
      created: true,
      suppression: {
        channel: "sms",
        contact: "+15551230001",
        reason: "manual",
        source: "operator",
        detail: null,
        createdAt: t.clock.now(),
      },
    });
    expect(await apiList()).toHaveLength(2);
  });

  test("list shows the API's entries with contacts masked, unless --contact names one", async () => {
    const listed = JSON.parse((await herald(["list"])).stdout);
    const api = await apiList();
    expect(listed.nextCursor).toBeNull();
    expect(listed.items).toEqual(
      api.map((s: { contact: string }) => ({ ...s, contact: maskContact(s.contact) })),
    );
    expect(listed.items.map((s: { contact: string }) => s.contact)).toEqual([
      "+•••••••0001",
      "q•••@e•••.com",
    ]);

    const table = await herald(["list", "--channel", "email"], true);
    expect(table.stdout.split("\n")).toHaveLength(2);
    expect(table.stdout).toMatch(
      /^email +q•••@e•••\.com +manual +operator +2026-01-15T12:00:00\.000Z +ticket 42$/m,
    );
    const everything = (await herald(["list"], true)).stdout + JSON.stringify(listed);
    expect(everything).not.toContain("example.com");
    expect(everything).not.toContain("5551230001");

    const named = JSON.parse((await herald(["list", "--contact", "Queued@Example.com"])).stdout);
    expect(named.items).toEqual([api[1]]);
    const page = JSON.parse((await herald(["list", "--limit", "1"])).stdout);
    expect(page.items).toHaveLength(1);
    const rest = JSON.parse((await herald(["list", "--limit", "1", "--cursor", page.nextCursor])).stdout);
    expect(rest).toEqual({ items: [listed.items[1]], nextCursor: null });
    expect((await herald(["list", "--channel", "sms", "--contact", "+15559999999"], true)).stderr).toBe(
      "No matching suppressions.",
    );
  });

  test("remove lifts a suppression; an unknown one fails with exit 1", async () => {
    const removed = await herald(["remove", "email", "Queued@Example.com"]);
    expect(removed.stdout).toBe(
      "Lifted the suppression of email Queued@Example.com; new notifications reach it again.",
    );
    expect((await apiList()).map((s: { channel: string }) => s.channel)).toEqual(["sms"]);
    const again = await binary(["remove", "email", "queued@example.com"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("does not exist");
  });

  test("arguments the API would refuse are usage errors (exit 64), each issue printed, and change nothing", async () => {
    const before = await apiList();
    const badEmail = await binary(["add", "email", "not-an-address", "--detail", "x".repeat(501)]);
    expect(badEmail.code).toBe(64);
    expect(badEmail.stderr).toMatch(/^ {2}contact: /m);
    expect(badEmail.stderr).toMatch(/^ {2}detail: /m);
    expect((await binary(["add", "sms", "5551234"])).stderr).toContain(
      "  contact: must be an E.164 phone number",
    );
    for (const args of [
      [],
      ["purge"],
      ["add", "email"],
      ["add", "fax", "x@example.com"],
      ["add", "email", "a@example.com", "extra"],
      ["remove", "sms"],
      ["remove", "fax", "+15551230001"],
      ["list", "--channel", "fax"],
      ["list", "--limit", "0"],
      ["list", "--limit", "many"],
      ["list", "everything"],
      ["list", "--frobnicate"],
    ]) {
      expect({ args, code: (await binary(args)).code }).toEqual({ args, code: 64 });
    }
    expect(await apiList()).toEqual(before);
  });
});
