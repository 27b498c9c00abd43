import { describe, expect, test } from "bun:test";
import { reportNames } from "../../src/domain/reports/report-catalogue.ts";
import { addNotifications, addRecipients, DAY, HOUR, NOW } from "../domain/reports/report-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

describe("GET /v1/reports/{name}", () => {
  test("every report answers 200 with a body matching its declared schema", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(t.deps, ["r1"]);
    await addNotifications(t.deps, [
      {
        recipientId: "r1",
        createdAt: NOW - HOUR,
        priority: "URGENT",
        deliveries: [
          {
            channel: "sms",
            status: "sent",
            sentAt: NOW - HOUR,
            costUsd: 0.00645,
            attempts: [{ status: "sent", createdAt: NOW - HOUR }],
          },
          {
            channel: "email",
            status: "failed",
            attempts: [
              {
                status: "failed",
                createdAt: NOW - HOUR,
                errorCode: "message-rejected",
                errorMessage: "rejected",
              },
            ],
          },
        ],
      },
    ]);
    for (const name of reportNames) {
      const res = await t.call("GET", `/v1/reports/${name}`); // call() validates against the OpenAPI schema
      expect(res.status).toBe(200);
      expect((await res.json()).report).toBe(name);
    }
  });

  test("query parameters reach the report: window and limit", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(t.deps, ["r1", "r2"]);
    const sms = (recipientId: string) => ({
      recipientId,
      createdAt: NOW - 3 * DAY,
      deliveries: [
        { channel: "sms" as const, status: "sent" as const, sentAt: NOW - 3 * DAY, costUsd: 0.01 },
      ],
    });
    await addNotifications(t.deps, [sms("r1"), sms("r1"), sms("r2")]);
    const day = await (await t.call("GET", "/v1/reports/top-sms-recipients?window=24h")).json();
    expect(day).toMatchObject({ window: "24h", from: NOW - DAY, recipients: [] });
    const week = await (await t.call("GET", "/v1/reports/top-sms-recipients?window=7d&limit=1")).json();
    expect(week.recipients).toEqual([{ recipientId: "r1", count: 2, usd: 0.02 }]);
  });

  test("retention shows what the next run removes", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    await addRecipients(t.deps, ["r1"]);
    await addNotifications(t.deps, [
      {
        recipientId: "r1",
        createdAt: NOW - 100 * DAY,
        deliveries: [{ channel: "email", status: "sent", sentAt: NOW - 100 * DAY }],
      },
      { recipientId: "r1", createdAt: NOW - 100 * DAY, deliveries: [{ channel: "email", status: "failed" }] }, // kept
      {
        recipientId: "r1",
        createdAt: NOW - DAY,
        deliveries: [{ channel: "email", status: "sent", sentAt: NOW - DAY }],
      },
    ]);
    const body = await (await t.call("GET", "/v1/reports/retention")).json();
    const deliveries = body.categories.find((c: { category: string }) => c.category === "deliveries");
    expect(deliveries).toMatchObject({ cutoff: NOW - 90 * DAY, oldestAt: NOW - 100 * DAY, toRemove: 1 });
    expect(body).toMatchObject({ report: "retention", nextRunAt: NOW, lastRun: null });
  });

  test("an unknown report is a 404 listing the valid names", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    const res = await t.call("GET", "/v1/reports/sms-cost");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await res.json();
    expect(body.code).toBe("not-found");
    expect(body.reports).toEqual([...reportNames]);
    expect(body.detail).toContain("delivery-rates");
  });

  test("bad query parameters are a 400 naming the field", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    for (const query of ["window=week", "window=0d", "limit=0", "limit=abc"]) {
      const res = await t.call("GET", `/v1/reports/volume?${query}`);
      expect(res.status).toBe(400);
      const [field] = query.split("=");
      expect((await res.json()).errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    const tooLong = await t.call("GET", "/v1/reports/volume?window=400d");
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).errors).toEqual([{ path: "window", message: "must be at most 366d" }]);
  });

  test("needs the admin scope", async () => {
    const t = await makeTestApp({ seed: false, now: NOW });
    expect((await t.call("GET", "/v1/reports/volume", { key: t.portalKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/reports/volume", { key: null })).status).toBe(401);
  });
});
