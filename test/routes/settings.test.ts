// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/** `GET/PUT /v1/settings`: defaults from config, partial updates, validation that changes nothing, maintenance mode. */
import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { setUpJobUpdate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// 18:00Z = 12:00 in Chicago: outside quiet hours.
const t = await makeTestApp({
  seed: false,
  now: Date.parse("2026-01-15T18:00:00Z"),
  env: { HERALD_SMS_DAILY_BUDGET_USD: "20", HERALD_LOOP_MAX: "3" },
});

const get = async () => (await t.call("GET", "/v1/settings")).json();
const put = (body: unknown) => t.call("PUT", "/v1/settings", { body });

beforeAll(() => setUpJobUpdate(t));

describe("GET /v1/settings", () => {
  test("shows the defaults from configuration until an operator changes something", async () => {
    expect(await get()).toEqual({
      maintenance: { enabled: false, reason: null, since: null },
      rollout: {
        email: { mode: "all", percent: 100, kinds: [] },
        sms: { mode: "all", percent: 100, kinds: [] },
      },
      smsBudget: { dailyUsd: 20, monthlyUsd: 1500 },
      loopGuard: { max: 3, windowMinutes: 60 },
    });
  });

  test("needs the admin scope", async () => {
    expect((await t.call("GET", "/v1/settings", { key: t.portalKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/settings", { key: null })).status).toBe(401);
    expect(
      (await t.call("PUT", "/v1/settings", { key: t.portalKey, body: { maintenance: { enabled: true } } }))
        .status,
    ).toBe(403);
    expect((await get()).maintenance.enabled).toBe(false);
  });
});

describe("PUT /v1/settings", () => {
  test("a partial update changes only the fields given, keeps the rest and logs the change by field name", async () => {
    const res = await put({
      rollout: { sms: { mode: "percent", percent: 25 } },
      smsBudget: { monthlyUsd: 300 },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.rollout).toEqual({
      email: { mode: "all", percent: 100, kinds: [] },
      sms: { mode: "percent", percent: 25, kinds: [] },
    });
    expect(body.smsBudget).toEqual({ dailyUsd: 20, monthlyUsd: 300 });
    expect(await get()).toEqual(body);

    const log = t.logs.findLast((l) => l.msg === "operator settings changed");
    expect(log).toMatchObject({
      source: "api",
      changed: ["rollout.sms.mode", "rollout.sms.percent", "smsBudget.monthlyUsd"],
    });

    // Back to the defaults for the other tests.
    await put({ rollout: { sms: { mode: "all", percent: 100 } }, smsBudget: { monthlyUsd: 1500 } });
  });

  test("bad input is a 400 problem naming the field, and changes nothing", async () => {
    const before = await get();
    const cases: [unknown, string][] = [
      [{ rollout: { sms: { percent: 101 } } }, "rollout.sms.percent"],
      [{ rollout: { sms: { mode: "everyone" } } }, "rollout.sms.mode"],
      [{ smsBudget: { dailyUsd: -1 } }, "smsBudget.dailyUsd"],
      [{ loopGuard: { max: 0 } }, "loopGuard.max"],
      [{ maintenance: { enabled: true, since: 1 } }, "maintenance"],
      [{ maintenance: { enabled: true, reason: "   " } }, "maintenance.reason"],
      [{ colour: "red" }, "(body)"],
      // Consistency of the whole document, checked after merging.
      [{ rollout: { email: { mode: "kinds" } } }, "rollout.email.kinds"],
      [{ smsBudget: { dailyUsd: 2000 } }, "smsBudget.dailyUsd"],
    ];
    for (const [body, path] of cases) {
      const res = await put(body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = await res.json();
      expect(problem.code).toBe("validation-failed");
      expect(problem.errors.map((e: { path: string }) => e.path).join(" ")).toContain(path);
    }
    expect((await t.call("PUT", "/v1/settings", { body: "{not json" })).status).toBe(400);
    expect(await get()).toEqual(before);
  });

  test("maintenance keeps its start time while on, takes a new note, and forgets both when off", async () => {
    const on = await (await put({ maintenance: { enabled: true, reason: "SES migration" } })).json();
    expect(on.maintenance).toEqual({ enabled: true, reason: "SES migration", since: t.clock.now() });
    const since = t.clock.now();
    t.clock.advance(60_000);
    const again = await (
      await put({ maintenance: { enabled: true, reason: "SES migration, step 2" } })
    ).json();
    expect(again.maintenance).toEqual({ enabled: true, reason: "SES migration, step 2", since });
    const off = await (await put({ maintenance: { enabled: false } })).json();
    expect(off.maintenance).toEqual({ enabled: false, reason: null, since: null });
    // The note is free text: it is never logged.
    expect(JSON.stringify(t.logs)).not.toContain("SES migration");
  });
});

describe("maintenance mode", () => {
  test("while on, workers claim nothing and deliveries stay queued; off sends everything", async () => {
    expect((await put({ maintenance: { enabled: true } })).status).toBe(200);
    const created = await t.call("POST", "/v1/notifications", {
      key: t.portalKey,
      body: {
        recipientId: "tech-1",
        template: "job-update",
        context: { id: "R-1" },
        subject: { type: "repair", id: "R-1" },
      },
    });
    expect(created.status).toBe(201);
    const { notification } = await created.json();
    const rows = () =>
      t.deps.db.read.select().from(deliveries).where(eq(deliveries.notificationId, notification.id));

    expect(await t.delivery.runUntilIdle()).toBe(0);
    t.clock.advance(3_600_000);
    expect(await t.delivery.runUntilIdle()).toBe(0);
    expect((await rows()).map((d) => d.status).sort()).toEqual(["queued", "queued"]);

    expect((await put({ maintenance: { enabled: false } })).status).toBe(200);
    expect(await t.delivery.runUntilIdle()).toBe(2);
    expect((await rows()).map((d) => d.status).sort()).toEqual(["sent", "sent"]);
  });
});
