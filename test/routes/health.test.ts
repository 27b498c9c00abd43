import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
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
    await t.call("PUT", "/v1/recipients/r-1", { body: { kind: "customer", phone: "+15551230001", phoneVerified: true } });
    const created = await (
      await t.call("POST", "/v1/notifications", { body: { recipientId: "r-1", template: "test-message", priority: "URGENT" } })
    ).json();
    const smsId = created.decisions.find((d: { channel: string }) => d.channel === "sms").deliveryId;
    await t.deps.db.write((tx) => tx.run(sql`UPDATE deliveries SET status = 'unknown' WHERE id = ${smsId}`));
    const body = await (await t.call("GET", "/health/ready", { key: null })).json();
    expect(body.components.heldSms.status).toBe("degraded");
    expect(body.components.heldSms.detail).toStartWith("1 SMS held");
  });

  test("a database that cannot take writes makes readiness 503", async () => {
    const broken = await makeTestApp({ seed: false });
    await broken.deps.db.close();
    const res = await broken.call("GET", "/health/ready", { key: null });
    expect(res.status).toBe(503);
    expect((await res.json()).components.database.status).toBe("failing");
  });
});
