import { beforeAll, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import { notifications, recipients } from "../../db/schema.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

const template = {
  name: "repair-status",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Repair {{ repair.id }}: {{ repair.status }}",
  message: "Hello {{ recipient.name }}, repair {{ repair.id }} is {{ repair.status }}",
  emailSubject: "Repair {{ repair.id }}",
  emailText: "Repair {{ repair.id }} is {{ repair.status }}",
  emailHtml: "<p>Repair {{ repair.id }} is {{ repair.status }}</p>",
  sms: "Repair {{ repair.id }} is {{ repair.status }}",
  requiredContext: ["repair.id", "repair.status"],
};

const data = {
  repair: { id: "R-9", status: "approved" },
  customer: { id: "cust-1", name: "Dana", email: "dana@example.com", emailVerified: true, rating: 5 },
  technician: "tech-1",
};

const rowCounts = async () => ({
  notifications: (await t.deps.db.read.select({ n: count() }).from(notifications))[0]?.n,
  recipients: (await t.deps.db.read.select({ n: count() }).from(recipients))[0]?.n,
});

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: template })).status).toBe(201);
  await t.call("PUT", "/v1/recipients/tech-1", { body: { kind: "technician", name: "Tess" } });
});

describe("rules", () => {
  test("PUT creates then replaces a rule; GET lists it; DELETE removes it", async () => {
    const created = await t.call("PUT", "/v1/rules/repair.approved", {
      body: { template: "repair-status", recipients: ["customer", "technician"], category: "repair" },
    });
    expect(created.status).toBe(201);
    const replaced = await t.call("PUT", "/v1/rules/repair.approved", {
      body: { template: "repair-status", recipients: ["customer", "technician"], priority: "URGENT" },
    });
    expect(replaced.status).toBe(200);
    expect((await replaced.json()).priority).toBe("URGENT");
    const list = await (await t.call("GET", "/v1/rules")).json();
    expect(list.items.map((r: { eventType: string }) => r.eventType)).toContain("repair.approved");

    await t.call("PUT", "/v1/rules/repair.tmp", {
      body: { template: "repair-status", recipients: ["customer"] },
    });
    expect((await t.call("DELETE", "/v1/rules/repair.tmp")).status).toBe(204);
    expect((await t.call("GET", "/v1/rules/repair.tmp")).status).toBe(404);
  });

  test("a rule naming an unknown template is refused; rules need the admin scope", async () => {
    const res = await t.call("PUT", "/v1/rules/repair.x", {
      body: { template: "ghost", recipients: ["customer"] },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe("template");
    expect((await t.call("GET", "/v1/rules", { key: t.portalKey })).status).toBe(403);
  });
});

describe("POST /v1/events", () => {
  test("applies the rule: upserts recipients from the data and notifies each", async () => {
    const res = await t.call("POST", "/v1/events", {
      body: { type: "repair.approved", data, dedupeKey: "R-9-approved" },
      key: t.portalKey,
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(
      body.notifications.map((n: { notification: { recipientId: string } }) => n.notification.recipientId),
    ).toEqual(["cust-1", "tech-1"]);
    expect(body.notifications[0].notification).toMatchObject({
      priority: "URGENT",
      title: "Repair R-9: approved",
    });
    expect(body.notifications[0].notification.message).toBe("Hello Dana, repair R-9 is approved");
    const customer = await (await t.call("GET", "/v1/recipients/cust-1")).json();
    expect(customer).toMatchObject({
      kind: "customer",
      name: "Dana",
      email: "dana@example.com",
      emailVerified: true,
    });
  });

  test("the same dedupeKey again notifies no one twice (200)", async () => {
    const before = await rowCounts();
    const res = await t.call("POST", "/v1/events", {
      body: { type: "repair.approved", data, dedupeKey: "R-9-approved" },
    });
    expect(res.status).toBe(200);
    expect(await rowCounts()).toEqual(before);
  });

  test("an event type without a rule is 422", async () => {
    const res = await t.call("POST", "/v1/events", { body: { type: "repair.exploded", data } });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe("no-rule-for-event");
  });

  test("a missing recipient or missing context is refused before anything is written", async () => {
    const before = await rowCounts();
    const noTech = await t.call("POST", "/v1/events", {
      body: {
        type: "repair.approved",
        data: { ...data, customer: { ...data.customer, id: "cust-new" }, technician: undefined },
      },
    });
    expect(noTech.status).toBe(422);
    expect((await noTech.json()).errors[0].path).toBe("data.technician");

    const badEmail = await t.call("POST", "/v1/events", {
      body: { type: "repair.approved", data: { ...data, customer: { id: "cust-new", email: "nope" } } },
    });
    expect(badEmail.status).toBe(400);
    expect((await badEmail.json()).errors[0].path).toBe("data.customer.email");

    const noContext = await t.call("POST", "/v1/events", {
      body: {
        type: "repair.approved",
        data: { ...data, customer: { id: "cust-new" }, repair: { id: "R-10" } },
      },
    });
    expect(noContext.status).toBe(422);
    expect((await noContext.json()).code).toBe("missing-context");
    expect(await rowCounts()).toEqual(before); // cust-new was not upserted either
  });
});
