import { describe, expect, test } from "bun:test";
import { ALERT_RULES } from "../../src/alerts/alert-definitions.rules.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp();

describe("GET /v1/alerts", () => {
  test("lists every rule, ok and never evaluated before the first run", async () => {
    const res = await t.call("GET", "/v1/alerts");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.firing).toEqual([]);
    expect(body.alerts).toHaveLength(ALERT_RULES.length);
    expect(body.alerts[0]).toEqual({
      name: "HeraldDeliveryFailureRateHigh:email",
      alert: "HeraldDeliveryFailureRateHigh",
      severity: "warning",
      channel: "email",
      state: "ok",
      since: null,
      value: null,
      summary: "",
      forMs: 600_000,
    });
  });

  test("after a run every rule carries its value and summary; `state` filters", async () => {
    await t.deps.schedulers.find((s) => s.name === "alerts")?.runOnce();
    const body = await (await t.call("GET", "/v1/alerts")).json();
    expect(body.alerts.every((a: { since: number | null }) => a.since === t.clock.now())).toBe(true);
    const budget = body.alerts.find((a: { name: string }) => a.name === "HeraldSmsBudgetWarning");
    expect(budget).toMatchObject({ state: "ok", value: 0 });
    expect(budget.summary).toContain("SMS budget 0.0% of $50.00 today");
    const firing = await (await t.call("GET", "/v1/alerts?state=firing")).json();
    expect(firing).toEqual({ alerts: [], firing: [] });
  });

  test("needs the admin scope and a valid state", async () => {
    expect((await t.call("GET", "/v1/alerts", { key: t.portalKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/alerts", { key: null })).status).toBe(401);
    const bad = await t.call("GET", "/v1/alerts?state=burning");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
  });
});
