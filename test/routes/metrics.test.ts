import { beforeAll, describe, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { deliveries, deliveryAttempts } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { every } from "../../src/schedulers/scheduler.ts";
import { detailedJobUpdateContext, detailedJobUpdateTemplate } from "../helpers/notification-fixtures.ts";
import { PROMTOOL, requireTool } from "../helpers/requires-tool.ts";
import { makeTestApp } from "../helpers/test-app.ts";

// 2026-01-15 18:00Z = 12:00 in Chicago: outside the default quiet hours, so HIGH email and SMS go out at once.
const start = Date.parse("2026-01-15T18:00:00Z");
const clock = new FixedClock(start);
const fake = createFakeProviders(clock);
const t = await makeTestApp({ seed: false, clock, providers: fake, random: () => 0.5 });

const promtoolTool = requireTool(PROMTOOL);

/** One parsed sample of the exposition text. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses sample lines (label values here never contain `,` or `"`, so a simple split suffices). */
function parse(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = line.match(/^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        (match[2] ?? "")
          .split(/,(?=[a-z_]+=")/)
          .filter(Boolean)
          .map((pair) => {
            const [, k, v] = pair.match(/^([a-z_]+)="(.*)"$/) ?? [];
            return [k, v];
          }),
      );
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The value of the one series of `name` whose labels are exactly `labels` (undefined when absent). */
function seriesValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} series match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await t.call("GET", "/metrics", { key: null });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  return { text, samples: parse(text) };
}

const person = (id: string, contact: Record<string, unknown>) =>
  t.call("PUT", `/v1/recipients/${id}`, {
    body: { kind: "technician", name: "Pat", timezone: "America/Chicago", ...contact },
  });

const post = (body: Record<string, unknown>) =>
  t.call("POST", "/v1/notifications", {
    body: { template: "job-update", context: detailedJobUpdateContext, ...body },
    key: t.portalKey,
  });

let failedSmsTo = "";
let retriedEmailId = "";
const skipped: { channel: string; reason: string }[] = [];

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
  expect(
    (
      await person("tech-1", {
        email: "tech1@example.com",
        emailVerified: true,
        phone: "+15551230001",
        phoneVerified: true,
      })
    ).status,
  ).toBe(201);
  expect((await person("tech-2", { email: "tech2@example.com", emailVerified: true })).status).toBe(201);
  expect(
    (
      await person("tech-3", {
        email: "tech3@example.com",
        emailVerified: true,
        phone: "+15551230003",
        phoneVerified: true,
      })
    ).status,
  ).toBe(201);

  // Real traffic: three HIGH to tech-1, one HIGH to tech-3 (its SMS will be rejected), a MEDIUM "billing" one to
  // tech-2 (no phone, and MEDIUM sends no SMS), a dedupe replay (counted once) and a failing create (counted never).
  const created = [
    await post({ recipientId: "tech-1" }),
    await post({ recipientId: "tech-1" }),
    await post({ recipientId: "tech-1", dedupeKey: "once" }),
    await post({ recipientId: "tech-1", dedupeKey: "once" }),
    await post({ recipientId: "tech-3" }),
    await post({ recipientId: "tech-2", priority: "MEDIUM", category: "billing" }),
  ];
  expect(created.map((r) => r.status)).toEqual([201, 201, 201, 200, 201, 201]);
  for (const res of created.filter((r) => r.status === 201)) {
    for (const d of (await res.json()).decisions)
      if (d.status === "skipped") skipped.push({ channel: d.channel, reason: d.reason });
  }
  expect((await post({ recipientId: "nobody" })).status).toBe(404);

  // The first email attempt fails with a retryable 500; tech-3's SMS is rejected for good; everything else is accepted.
  let emailCalls = 0;
  fake.script((call) => {
    if (call.channel === "email" && ++emailCalls === 1) {
      retriedEmailId = call.message.deliveryId;
      throw new ProviderError("InternalFailure", "boom", 500);
    }
    if (call.channel === "sms" && call.message.to === "+15551230003") {
      failedSmsTo = call.message.to;
      throw new ProviderError("InvalidParameter", "rejected", 400);
    }
    return undefined;
  });
  clock.advance(5_000); // every delivery waited 5 s between creation and its send
  await t.delivery.runUntilIdle();
  await t.delivery.sweep();
});

describe("GET /metrics after real traffic", () => {
  test("notifications created are counted once each by priority and category; dedupe replays and failures count nothing", async () => {
    const { samples } = await scrape();
    expect(
      seriesValue(samples, "herald_notifications_created_total", { priority: "HIGH", category: "repair" }),
    ).toBe(4);
    expect(
      seriesValue(samples, "herald_notifications_created_total", { priority: "MEDIUM", category: "billing" }),
    ).toBe(1);
    expect(samples.filter((s) => s.name === "herald_notifications_created_total")).toHaveLength(2);
  });

  test("delivery outcomes by channel: sent, retried, failed, and skipped by reason", async () => {
    const { samples } = await scrape();
    const outcome = (channel: string, outcome: string, reason = "") =>
      seriesValue(samples, "herald_deliveries_total", { channel, outcome, reason });
    // Emails: 5 queued, the first attempt retried (not yet due again), 4 sent.
    expect(outcome("email", "sent")).toBe(4);
    expect(outcome("email", "retried")).toBe(1);
    expect(outcome("email", "failed")).toBeUndefined();
    // SMS: tech-1's three sent, tech-3's rejected permanently.
    expect(outcome("sms", "sent")).toBe(3);
    expect(outcome("sms", "failed")).toBe(1);
    expect(failedSmsTo).toBe("+15551230003");
    // tech-2's SMS was skipped; every skip the API reported is counted under its reason.
    expect(skipped).toHaveLength(1);
    for (const s of skipped) expect(outcome(s.channel, "skipped", s.reason)).toBe(1);
  });

  test("delivery latency is measured from creation to the provider's acceptance", async () => {
    const { samples } = await scrape();
    const bucket = (channel: string, le: string) =>
      seriesValue(samples, "herald_delivery_latency_seconds_bucket", { channel, le });
    expect(seriesValue(samples, "herald_delivery_latency_seconds_count", { channel: "email" })).toBe(4);
    expect(seriesValue(samples, "herald_delivery_latency_seconds_sum", { channel: "email" })).toBe(20);
    expect(seriesValue(samples, "herald_delivery_latency_seconds_count", { channel: "sms" })).toBe(3);
    expect(bucket("sms", "2.5")).toBe(0);
    expect(bucket("sms", "5")).toBe(3);
    expect(bucket("sms", "+Inf")).toBe(3);
  });

  test("provider calls are timed by channel, provider and result", async () => {
    const { samples } = await scrape();
    const calls = (channel: string, result: string) =>
      seriesValue(samples, "herald_provider_call_duration_seconds_count", {
        channel,
        provider: "fake",
        result,
      });
    expect(calls("email", "ok")).toBe(4);
    expect(calls("email", "error")).toBe(1);
    expect(calls("sms", "ok")).toBe(3);
    expect(calls("sms", "error")).toBe(1);
  });

  test("SMS cost is the sum of what the sent SMS cost", async () => {
    const { samples } = await scrape();
    const [row] = await t.deps.db.read
      .select({ usd: sql<number>`sum(${deliveryAttempts.costUsd})` })
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.status, "sent"));
    expect(row?.usd).toBeGreaterThan(0);
    expect(seriesValue(samples, "herald_sms_cost_usd_total")).toBeCloseTo(row?.usd ?? -1, 9);
  });

  test("queue gauges read the database at scrape time: due depth, oldest due age, leases and unknown", async () => {
    let { samples } = await scrape();
    // The retried email is not due yet: nothing is due now.
    expect(seriesValue(samples, "herald_queue_depth", { channel: "email" })).toBe(0);
    expect(seriesValue(samples, "herald_queue_oldest_age_seconds", { channel: "email" })).toBe(0);
    expect(seriesValue(samples, "herald_queue_depth", { channel: "sms" })).toBe(0);

    const [retry] = await t.deps.db.read
      .select({ runAt: deliveries.runAt })
      .from(deliveries)
      .where(eq(deliveries.id, retriedEmailId));
    // biome-ignore lint/style/noNonNullAssertion: the retried delivery exists
    clock.set(retry!.runAt + 42_000);
    // One sent SMS is made to look leased and another unknown, as a crashed worker would leave them.
    const sms = await t.deps.db.read
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.channel, "sms"), eq(deliveries.status, "sent")));
    await t.deps.db.write((tx) =>
      tx.run(sql`UPDATE deliveries SET status = CASE id WHEN ${sms[0]?.id} THEN 'leased' ELSE 'unknown' END
                 WHERE id IN (${sms[0]?.id}, ${sms[1]?.id})`),
    );
    ({ samples } = await scrape());
    expect(seriesValue(samples, "herald_queue_depth", { channel: "email" })).toBe(1);
    expect(seriesValue(samples, "herald_queue_oldest_age_seconds", { channel: "email" })).toBe(42);
    expect(seriesValue(samples, "herald_leases_held", { channel: "sms" })).toBe(1);
    expect(seriesValue(samples, "herald_deliveries_unknown", { channel: "sms" })).toBe(1);
    expect(seriesValue(samples, "herald_leases_held", { channel: "email" })).toBe(0);
    expect(seriesValue(samples, "herald_deliveries_unknown", { channel: "email" })).toBe(0);
  });

  test("scheduler timestamps come from the schedulers' and the sweeper's last runs", async () => {
    const sweptAt = clock.now();
    await t.delivery.sweep();
    const probe = every("probe", 60_000, async () => ({ done: 1 }), {
      clock,
      logger: t.deps.logger,
      errors: t.deps.errors,
    });
    t.deps.schedulers.push(probe);
    clock.advance(1_500);
    await probe.runOnce();
    const { samples } = await scrape();
    expect(
      seriesValue(samples, "herald_scheduler_last_run_timestamp_seconds", { scheduler: "sweeper" }),
    ).toBe(sweptAt / 1000);
    expect(seriesValue(samples, "herald_scheduler_last_run_timestamp_seconds", { scheduler: "probe" })).toBe(
      (sweptAt + 1_500) / 1000,
    );
    expect(
      seriesValue(samples, "herald_scheduler_last_success_timestamp_seconds", { scheduler: "probe" }),
    ).toBe((sweptAt + 1_500) / 1000);
  });

  test("maintenance mode is a 0/1 gauge", async () => {
    const { samples } = await scrape();
    expect(seriesValue(samples, "herald_maintenance_mode")).toBe(0);
  });

  test("HTTP durations are labelled by route pattern, method and status class, never the raw path", async () => {
    expect((await t.call("GET", "/v1/recipients/tech-1")).status).toBe(200);
    expect((await t.call("GET", "/v1/recipients/tech-secret-id")).status).toBe(404);
    const { text, samples } = await scrape();
    const count = (route: string, method: string, status: string) =>
      seriesValue(samples, "herald_http_request_duration_seconds_count", { route, method, status });
    expect(count("/v1/notifications", "POST", "2xx")).toBe(6);
    expect(count("/v1/notifications", "POST", "4xx")).toBe(1);
    expect(count("/v1/recipients/:id", "GET", "2xx")).toBe(1);
    expect(count("/v1/recipients/:id", "GET", "4xx")).toBe(1);
    expect(count("/v1/recipients/:id", "PUT", "2xx")).toBe(3);
    expect(count("/metrics", "GET", "2xx")).toBeGreaterThanOrEqual(8);
    expect(text).not.toContain("tech-secret-id");
    expect(text).not.toContain("tech-1");
  });

  test("a scrape reads on the reader connection only, never the writer", async () => {
    const db = t.deps.db;
    const write = db.write;
    let writes = 0;
    db.write = ((work) => {
      writes++;
      return write.call(db, work);
    }) as typeof write;
    try {
      await scrape();
    } finally {
      db.write = write;
    }
    expect(writes).toBe(0);
  });

  promtoolTool.test("the output passes promtool check metrics", async () => {
    const { text } = await scrape();
    const proc = Bun.spawn([promtoolTool.path, "check", "metrics"], {
      stdin: new Blob([text]),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  });

  test("notifications created by an event are counted after its transaction, once", async () => {
    const rule = { template: "job-update", recipients: ["technician"], category: "dispatch" };
    expect((await t.call("PUT", "/v1/rules/job.done", { body: rule })).status).toBe(201);
    const event = {
      type: "job.done",
      data: { ...detailedJobUpdateContext, technician: "tech-2" },
      dedupeKey: "job-1-done",
    };
    expect((await t.call("POST", "/v1/events", { body: event, key: t.portalKey })).status).toBe(201);
    expect((await t.call("POST", "/v1/events", { body: event, key: t.portalKey })).status).toBe(200);
    const { samples } = await scrape();
    expect(
      seriesValue(samples, "herald_notifications_created_total", { priority: "HIGH", category: "dispatch" }),
    ).toBe(1);
  });
});

describe("GET /metrics with HERALD_METRICS_TOKEN", () => {
  const token = "scrape-token-0123456789";
  let guarded: Awaited<ReturnType<typeof makeTestApp>>;
  beforeAll(async () => {
    guarded = await makeTestApp({ seed: false, env: { HERALD_METRICS_TOKEN: token } });
  });

  test("a scrape without the token, or with another one, is a 401 problem and reveals nothing", async () => {
    for (const key of [null, "wrong-token-0123456789", guarded.adminKey]) {
      const res = await guarded.call("GET", "/metrics", { key });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).code).toBe("unauthenticated");
    }
  });

  test("a scrape with the token gets the metrics", async () => {
    const res = await guarded.call("GET", "/metrics", { key: token });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("# TYPE herald_deliveries_total counter");
  });
});
