import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { runDigests } from "../../src/domain/digest/digest.service.ts";
import {
  detailedJobUpdateContext,
  detailedJobUpdateTemplate,
  technician,
} from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// 2026-01-15 18:00Z = 12:00 in Chicago: outside the default 22:00-07:00 quiet hours.
const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });

const person = (id: string) =>
  t.call("PUT", `/v1/recipients/${id}`, { body: technician({ name: "Pat", email: `${id}@example.com` }) });

const post = (body: Record<string, unknown>) =>
  t.call("POST", "/v1/notifications", {
    body: { template: "job-update", context: detailedJobUpdateContext, ...body },
    key: t.portalKey,
  });

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
});

describe("dedupe replays (POST /v1/notifications with a dedupeKey already used)", () => {
  test("a dedupe replay says so and returns the decisions made at creation, after the deliveries moved on", async () => {
    await person("tech-replay");
    const created = await post({ recipientId: "tech-replay", dedupeKey: "replay-sent", priority: "HIGH" });
    expect(created.status).toBe(201);
    const first = await created.json();
    expect(first.replayed).toBe(false);
    expect(first.decisions.map((d: { status: string }) => d.status)).toEqual(["queued", "queued"]);
    await t.delivery.runUntilIdle(); // both deliveries are sent now

    const again = await post({ recipientId: "tech-replay", dedupeKey: "replay-sent", priority: "HIGH" });
    expect(again.status).toBe(200);
    const replay = await again.json();
    expect(replay.replayed).toBe(true);
    expect(replay.decisions).toEqual(first.decisions);
  });

  test("a digested delivery replays as digest, with its reason and the time it was due", async () => {
    await person("tech-digest");
    const digestTemplate = {
      name: "daily-digest",
      category: "digest",
      defaultPriority: "LOW",
      title: "{{ digest.count }} updates",
      message: "{{ digest.count }} updates",
      emailSubject: "{{ digest.count }} updates",
      emailText: "{% for item in digest.items %}{{ item.title }}{% endfor %}",
      requiredContext: ["digest.count", "digest.items"],
    };
    expect((await t.call("POST", "/v1/templates", { body: digestTemplate })).status).toBe(201);
    const created = await post({ recipientId: "tech-digest", dedupeKey: "replay-digest", priority: "LOW" });
    const first = await created.json();
    const email = first.decisions.find((d: { channel: string }) => d.channel === "email");
    expect(email).toMatchObject({ status: "digest", reason: "digest" });
    expect((await runDigests(t.deps, email.runAt)).items).toBeGreaterThanOrEqual(1);
    const [row] = await t.deps.db.read.select().from(deliveries).where(eq(deliveries.id, email.deliveryId));
    expect(row?.status).toBe("digested");

    const again = await post({ recipientId: "tech-digest", dedupeKey: "replay-digest", priority: "LOW" });
    expect(again.status).toBe(200);
    const replay = await again.json();
    expect(replay.replayed).toBe(true);
    expect(replay.decisions).toEqual(first.decisions);
  });
});
