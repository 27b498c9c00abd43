import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { updateOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp();

describe("health", () => {
  test("/health answers without a key", async () => {
    const res = await t.call("GET", "/health", { key: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  test("/health/ready reports each component; stopped workers are degraded, not unavailable", async () => {
    // The test app drives its workers by hand, so they are not running.
    const res = await t.call("GET", "/health/ready", { key: null });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("degraded");
    expect(body.components.database.status).toBe("healthy");
    expect(body.components.emailWorker).toEqual({ status: "degraded", detail: "not running" });
    expect(body.components.heldSms).toEqual({ status: "healthy" });
  });

  test("SMS held as unknown after a crash make readiness degraded with a count", async () => {
    await t.call("PUT", "/v1/recipients/r-1", {
      body: { kind: "customer", phone: "+15551230001", phoneVerified: true },
    });
    const created = await (
      await t.call("POST", "/v1/notifications", {
        body: { recipientId: "r-1", template: "test-message", priority: "URGENT" },
      })
    ).json();
    const smsId = created.decisions.find((d: { channel: string }) => d.channel === "sms").deliveryId;
    await t.deps.db.write((tx) => tx.run(sql`UPDATE deliveries SET status = 'unknown' WHERE id = ${smsId}`));
    const body = await (await t.call("GET", "/health/ready", { key: null })).json();
    expect(body.components.heldSms.status).toBe("degraded");
    expect(body.components.heldSms.detail).toStartWith("1 SMS held");
  });

  test("reports every scheduler, both providers, maintenance and alerts", async () => {
    const body = await (await t.call("GET", "/health/ready", { key: null })).json();
    for (const s of t.deps.schedulers) expect(body.components[`scheduler:${s.name}`]).toBeDefined();
    // The test app's schedulers are run by hand, so they are not running.
    expect(body.components["scheduler:alerts"]).toEqual({
      status: "degraded",
      detail: "not running (never ran)",
    });
    expect(body.components.emailProvider).toEqual({
      status: "healthy",
      detail: "outbox: messages are captured (GET /v1/outbox), nothing leaves the machine",
    });
    expect(body.components.smsProvider.status).toBe("healthy");
    expect(body.components.maintenance).toEqual({ status: "healthy", detail: "off" });
    expect(body.components.alerts).toEqual({ status: "healthy" });
  });

  test("a scheduler whose last run failed, or that is overdue by more than 3 intervals, is degraded", async () => {
    const h = await makeTestApp({ seed: false });
    const status = {
      name: "probe",
      running: true,
      intervalMs: 60_000,
      lastRunAt: h.clock.now() - 60_000,
      lastSuccessAt: h.clock.now() - 60_000,
      lastError: null as string | null,
      lastResult: null,
    };
    h.deps.schedulers.push({
      name: "probe",
      start() {},
      stop: async () => {},
      runOnce: async () => ({}),
      status: () => ({ ...status }),
    });
    const probe = async () =>
      (await (await h.call("GET", "/health/ready", { key: null })).json()).components["scheduler:probe"];
    expect(await probe()).toEqual({
      status: "healthy",
      detail: `last run ${new Date(h.clock.now() - 60_000).toISOString()}`,
    });
    h.clock.advance(3 * 60_000);
    expect((await probe()).status).toBe("degraded");
    expect((await probe()).detail).toStartWith("overdue: last run");
    status.lastRunAt = h.clock.now();
    status.lastError = "disk I/O error";
    expect((await probe()).detail).toEndWith("failed: disk I/O error");
  });

  test("a channel paused by the provider degrades its worker and provider", async () => {
    const h = await makeTestApp({ seed: false });
    const real = h.deps.delivery.status.bind(h.deps.delivery);
    h.deps.delivery.status = () => {
      const s = real();
      return {
        ...s,
        sms: {
          ...s.sms,
          paused: { until: h.clock.now() + 120_000, code: "AuthorizationError", message: "not allowed" },
        },
      };
    };
    const body = await (await h.call("GET", "/health/ready", { key: null })).json();
    expect(body.status).toBe("degraded");
    expect(body.components.smsProvider).toEqual({
      status: "degraded",
      detail: "outbox: account-level error AuthorizationError: not allowed",
    });
    expect(body.components.smsWorker.detail).toBe(
      "paused by the provider (AuthorizationError) for about 2 more min",
    );
  });

  test("maintenance mode is degraded while on (without the operator's note) and healthy after", async () => {
    const h = await makeTestApp({ seed: false });
    await updateOpsSettings(
      h.deps,
      { maintenance: { enabled: true, reason: "SES migration, ask dana@example.com" } },
      "cli",
    );
    const on = await (await h.call("GET", "/health/ready", { key: null })).json();
    expect(on.components.maintenance).toEqual({
      status: "degraded",
      detail: `on since ${new Date(h.clock.now()).toISOString()}: provider sends are held, deliveries stay queued`,
    });
    await updateOpsSettings(h.deps, { maintenance: { enabled: false } }, "cli");
    h.clock.advance(2_000); // past the settings cache
    const off = await (await h.call("GET", "/health/ready", { key: null })).json();
    expect(off.components.maintenance).toEqual({ status: "healthy", detail: "off" });
  });

  test("a database that cannot take writes makes readiness 503", async () => {
    const broken = await makeTestApp({ seed: false });
    await broken.deps.db.close();
    const res = await broken.call("GET", "/health/ready", { key: null });
    expect(res.status).toBe(503);
    expect((await res.json()).components.database.status).toBe("failing");
  });
});

describe("roles", () => {
  test("an api process reports the workers and schedulers as run elsewhere, and is ready without them", async () => {
    const api = await makeTestApp({ env: { HERALD_ROLE: "api" } });
    const body = await (await api.call("GET", "/health/ready", { key: null })).json();
    expect(body.status).toBe("ready");
    expect(body.role).toBe("api");
    const elsewhere = { status: "healthy", detail: "runs in the worker processes (role api)" };
    expect(body.components.emailWorker).toEqual(elsewhere);
    expect(body.components.sweeper).toEqual(elsewhere);
    expect(body.components["scheduler:digest"]).toEqual(elsewhere);
    // The API is there: an unknown recipient, not an unknown route.
    expect((await (await api.call("GET", "/v1/recipients/r-1")).json()).code).toBe("not-found");
  });

  test("a worker process answers /health and /metrics only", async () => {
    const worker = await makeTestApp({ env: { HERALD_ROLE: "worker" } });
    const ready = await (await worker.call("GET", "/health/ready", { key: null })).json();
    expect(ready.role).toBe("worker");
    expect((await worker.call("GET", "/metrics", { key: null })).status).toBe(200);
    for (const path of ["/v1/recipients", "/docs", "/unsubscribe?token=x", "/preferences?token=x"]) {
      const res = await worker.call("GET", path, { checkResponse: false });
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe("route-not-found");
    }
  });
});
