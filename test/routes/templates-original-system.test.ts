import { beforeAll, describe, expect, test } from "bun:test";
import { smsInfo } from "../../src/domain/sms/sms.rules.ts";
import { technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// 2026-01-15 18:00Z = 12:00 in Chicago: outside the default quiet hours.
const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

/** A template as the original system wrote them: whole objects required, only a title and a message. */
const assigned = {
  name: "repair-assigned",
  category: "repair",
  defaultPriority: "URGENT",
  title: "Repair {{ repair.id }} assigned",
  message: "{{ technician.name }} will fix {{ repair.title }} at {{ repair.address.street }}.",
  requiredContext: ["repair", "technician"],
};
const context = {
  repair: { id: "R-7", title: "Leaking valve", address: { street: "1 Main St" } },
  technician: { name: "Sam" },
};

const outbox = async (recipientId: string) =>
  (await (await t.call("GET", `/v1/outbox?recipientId=${recipientId}`)).json()).items;

beforeAll(async () => {
  const res = await t.call("PUT", "/v1/recipients/cust-1", {
    body: technician({ kind: "customer", name: "Dana", email: "dana@example.com" }),
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
});

describe("templates from the original system", () => {
  test("a top-level name in requiredContext covers every path under it, and saving says which channels fall back", async () => {
    const res = await t.call("POST", "/v1/templates", { body: assigned });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      requiredContext: ["repair", "technician"],
      fallbackChannels: ["email", "sms"],
    });
  });

  test("names outside requiredContext are still refused, and a dotted path covers only itself", async () => {
    const undeclared = await t.call("POST", "/v1/templates", {
      body: { ...assigned, name: "undeclared", message: "Hi {{ customer.name }}" },
    });
    expect(undeclared.status).toBe(400);
    expect((await undeclared.json()).code).toBe("invalid-template");
    const dotted = await t.call("POST", "/v1/templates", {
      body: { ...assigned, name: "dotted", requiredContext: ["repair.id"], message: "{{ repair.title }}" },
    });
    expect(dotted.status).toBe(400);
    const exact = await t.call("POST", "/v1/templates", {
      body: {
        ...assigned,
        name: "exact",
        requiredContext: ["repair.id", "repair.title"],
        message: "{{ repair.title }}",
      },
    });
    expect(exact.status).toBe(201);
  });

  test("a notification must carry each required top-level name", async () => {
    const res = await t.call("POST", "/v1/notifications", {
      body: { template: "repair-assigned", recipientId: "cust-1", context: { repair: context.repair } },
      key: t.portalKey,
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "missing-context", missing: ["technician"] });
  });

  test("email and SMS fall back to the title and message instead of being skipped", async () => {
    const res = await t.call("POST", "/v1/notifications", {
      body: { template: "repair-assigned", recipientId: "cust-1", context },
      key: t.portalKey,
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.decisions.map((d: { channel: string; status: string }) => [d.channel, d.status])).toEqual([
      ["email", "queued"],
      ["sms", "queued"],
    ]);
    await t.delivery.runUntilIdle();
    const sent = await outbox("cust-1");
    const email = sent.find((m: { channel: string }) => m.channel === "email");
    expect(email.subject).toBe("Repair R-7 assigned");
    expect(email.html).toContain("<p>Sam will fix Leaking valve at 1 Main St.</p>");
    expect(email.html).toContain("Manage your notification preferences");
    expect(email.text).toStartWith("Sam will fix Leaking valve at 1 Main St.");
    const sms = sent.find((m: { channel: string }) => m.channel === "sms");
    expect(sms.text).toBe("Repair R-7 assigned\nSam will fix Leaking valve at 1 Main St.");
  });

  test("a long fallback SMS keeps the title and is cut to the segment limit", async () => {
    await t.call("PUT", "/v1/recipients/cust-2", {
      body: technician({ kind: "customer", email: "c2@example.com", phone: "+15551230002" }),
      key: t.portalKey,
    });
    const long = { ...context, repair: { ...context.repair, title: "a very long description ".repeat(40) } };
    const res = await t.call("POST", "/v1/notifications", {
      body: { template: "repair-assigned", recipientId: "cust-2", context: long },
      key: t.portalKey,
    });
    expect(res.status).toBe(201);
    await t.delivery.runUntilIdle();
    const sms = (await outbox("cust-2")).find((m: { channel: string }) => m.channel === "sms");
    expect(sms.text).toStartWith("Repair R-7 assigned\nSam will fix a very long description");
    expect(sms.text).toEndWith("...");
    expect(smsInfo(sms.text).segments).toBe(t.deps.config.HERALD_SMS_MAX_SEGMENTS);
  });

  test("a template with its own SMS or email text does not fall back for that channel", async () => {
    const withSms = await t.call("PUT", "/v1/templates/repair-assigned", {
      body: { sms: "Repair {{ repair.id }}: {{ technician.name }} is on the way" },
    });
    expect((await withSms.json()).fallbackChannels).toEqual(["email"]);
    const withEmail = await t.call("PUT", "/v1/templates/repair-assigned", {
      body: {
        emailSubject: "Your repair {{ repair.id }}",
        emailText: "{{ technician.name }} is on the way.",
      },
    });
    expect((await withEmail.json()).fallbackChannels).toEqual([]);
    const listed = (await (await t.call("GET", "/v1/templates")).json()).items;
    expect(listed.find((i: { name: string }) => i.name === "repair-assigned").fallbackChannels).toEqual([]);
  });
});

describe("previewing a fallback", () => {
  test("preview shows the fallback email and the SMS as it would be sent, cut to the segment limit", async () => {
    await t.call("POST", "/v1/templates", { body: { ...assigned, name: "preview-fallback" } });
    const long = { ...context, repair: { ...context.repair, title: "a very long description ".repeat(40) } };
    const res = await t.call("POST", "/v1/templates/preview-fallback/preview", { body: { context: long } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.email.subject).toBe("Repair R-7 assigned");
    expect(body.sms.text).toStartWith("Repair R-7 assigned\n");
    expect(body.sms.segments).toBe(t.deps.config.HERALD_SMS_MAX_SEGMENTS);
  });
});
