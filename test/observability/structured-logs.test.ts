import { describe, expect, test } from "bun:test";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const clock = new FixedClock(Date.parse("2026-01-15T18:00:00Z"));
const fake = createFakeProviders(clock);
const t = await makeTestApp({ seed: false, clock, providers: fake, random: () => 0.5 });

const email = "margot.secret@example.org";
const phone = "+15559876543";
const title = "Boiler at Quayside 7B";
const message = "The pressure valve at Quayside 7B leaks";

// A handler with a bug whose error message quotes the data it choked on, as real bugs do.
t.app.get("/boom", () => {
  throw new TypeError(`cannot read 'id' of undefined for ${email} / ${phone} / ${t.portalKey}`);
});

describe("structured logs", () => {
  test("a create with contact data, failing sends and an unhandled route error log no contact data, keys or content, and every request log has its requestId", async () => {
    const template = {
      name: "leak",
      category: "repair",
      defaultPriority: "URGENT",
      title,
      message,
      emailSubject: title,
      emailHtml: `<p>${message}</p>`,
      emailText: message,
      sms: message,
      requiredContext: [],
      active: true,
    };
    expect((await t.call("POST", "/v1/templates", { body: template })).status).toBe(201);
    const recipient = {
      kind: "customer",
      name: "Margot",
      email,
      emailVerified: true,
      phone,
      phoneVerified: true,
    };
    expect((await t.call("PUT", "/v1/recipients/cust-1", { body: recipient, key: t.portalKey })).status).toBe(
      201,
    );
    const created = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "cust-1", template: "leak", context: { note: message } },
      key: t.portalKey,
    });
    expect(created.status).toBe(201);
    // A rejected body that carries contact data too.
    expect(
      (await t.call("PUT", "/v1/recipients/cust-2", { body: { kind: "customer", email, phone: "12" } }))
        .status,
    ).toBe(400);

    // Providers fail the way SES and SNS do: their messages quote the address.
    fake.script((call) => {
      throw new ProviderError(
        call.channel === "email" ? "MessageRejected" : "InternalFailure",
        `Email address is not verified: ${email}; destination ${phone}`,
        call.channel === "email" ? 400 : 500,
      );
    });
    await t.delivery.runUntilIdle();
    expect(fake.calls).toHaveLength(2);

    const boom = await t.call("GET", "/boom", { key: null });
    expect(boom.status).toBe(500);
    const requestId = boom.headers.get("x-request-id");

    const text = t.logs.map((line) => JSON.stringify(line)).join("\n");
    for (const secret of [
      email,
      phone,
      phone.slice(1),
      t.adminKey,
      t.portalKey,
      title,
      message,
      "Quayside",
    ]) {
      expect(text).not.toContain(secret);
    }
    const messages = t.logs.map((line) => line.msg);
    expect(messages).toContain("delivery attempt failed");
    const unhandled = t.logs.find((line) => line.msg === "unhandled error");
    expect(unhandled).toMatchObject({ requestId, route: "/boom", error: "TypeError" });
    expect(unhandled?.message).toBe("cannot read 'id' of undefined for [email] / [phone] / [api-key]");

    const requests = t.logs.filter((line) => line.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const line of requests) expect(line.requestId).toBeString();
    expect(requests.at(-1)).toMatchObject({ requestId, route: "/boom", status: 500 });
  });
});
