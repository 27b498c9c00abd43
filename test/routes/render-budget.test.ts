import { beforeAll, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import { deliveries, notifications } from "../../db/schema.ts";
import { RENDER_LIMITS } from "../../src/domain/templates/templates.budget.ts";
import { technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

/** The template: nested loops with empty bodies, 400 million iterations over 20,000 items. */
const runaway = {
  name: "runaway",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Runaway",
  message: "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}",
  emailSubject: "Runaway",
  emailText: "{% for a in items %}{% endfor %}",
  sms: "Runaway",
  requiredContext: ["items"],
};
const context = { items: Array.from({ length: 20_000 }, (_, i) => i) };

async function rowCounts() {
  const [n] = await t.deps.db.read.select({ n: count() }).from(notifications);
  const [d] = await t.deps.db.read.select({ n: count() }).from(deliveries);
  return { notifications: n?.n ?? 0, deliveries: d?.n ?? 0 };
}

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: runaway })).status).toBe(201);
  expect((await t.call("PUT", "/v1/recipients/tech-1", { body: technician() })).status).toBe(201);
});

describe("the render budget", () => {
  test("POST /v1/notifications with a runaway template is a 422 problem and stores nothing", async () => {
    const before = await rowCounts();
    const res = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "tech-1", template: "runaway", context },
      key: t.portalKey,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect(body.code).toBe("unprocessable");
    expect(body.errors).toEqual([
      {
        path: "message",
        message: `render limit exceeded: more than ${RENDER_LIMITS.steps} steps (nodes and loop iterations), counted across all parts of the notification`,
      },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  test("the template preview is held to the same budget", async () => {
    const res = await t.call("POST", "/v1/templates/runaway/preview", { body: { context } });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe("unprocessable");
  });

  test("the same template with a small context renders", async () => {
    const res = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "tech-1", template: "runaway", context: { items: [1, 2, 3] } },
      key: t.portalKey,
    });
    expect(res.status).toBe(201);
  });
});
