import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../helpers/test-app.ts";

// The seeded defaults: `repair.requested` tells staff with the `repair-requested` template. The loop guard's
// defaults stop a 6th notification of one template and subject to one recipient within an hour.
const t = await makeTestApp({ now: Date.parse("2026-01-15T18:00:00Z") });

const staff = { id: "staff-1", name: "Sam", email: "sam@example.com", emailVerified: true };

const requested = (repairId: string, extra: Record<string, unknown> = {}) => ({
  type: "repair.requested",
  data: {
    repair: { id: repairId, title: "Leaking valve", address: "12 Main St" },
    customer: { name: "Dana" },
    staff,
  },
  ...extra,
});

async function post(body: unknown) {
  const res = await t.call("POST", "/v1/events", { body, key: t.portalKey });
  expect(res.status).toBe(201);
  const [created] = (await res.json()).notifications;
  return {
    subject: created.notification.subject,
    email: created.decisions.find((d: { channel: string }) => d.channel === "email"),
  };
}

describe("the subject of notifications created by event rules", () => {
  test("is repair.id for repair.* events, so six requests for six repairs within the hour are not a loop", async () => {
    for (let i = 1; i <= 6; i++) {
      t.clock.advance(60_000);
      const { subject, email } = await post(requested(`R-${i}`, { dedupeKey: `R-${i}-requested` }));
      expect(subject).toEqual({ type: "repair", id: `R-${i}` });
      expect(email.status).toBe("queued");
    }
  });

  test("the loop guard still stops the 6th notification about the same repair", async () => {
    const reasons: (string | null)[] = [];
    for (let i = 1; i <= 6; i++) {
      t.clock.advance(60_000);
      reasons.push((await post(requested("R-loop", { dedupeKey: `R-loop-${i}` }))).email.reason);
    }
    expect(reasons).toEqual([null, null, null, null, null, "loop"]);
  });

  test("a rule's subjectPath names where the id is; a number is an id too", async () => {
    const rule = await t.call("PUT", "/v1/rules/job.requested", {
      body: { template: "repair-requested", recipients: ["staff"], subjectPath: "job.number" },
    });
    expect(rule.status).toBe(201);
    expect((await rule.json()).subjectPath).toBe("job.number");
    const event = requested("R-20", { type: "job.requested" });
    const { subject } = await post({ ...event, data: { ...event.data, job: { number: 42 } } });
    expect(subject).toEqual({ type: "job", id: "42" });
  });

  test("the event's own subject wins; no id at the path means no subject", async () => {
    const own = await post(requested("R-30", { subject: { type: "ticket", id: "T-1" } }));
    expect(own.subject).toEqual({ type: "ticket", id: "T-1" });
    await t.call("PUT", "/v1/rules/visit.requested", {
      body: { template: "repair-requested", recipients: ["staff"] },
    });
    expect((await post(requested("R-31", { type: "visit.requested" }))).subject).toBeNull();
  });

  test("a subjectPath that is not a dotted path is refused", async () => {
    const res = await t.call("PUT", "/v1/rules/job.bad", {
      body: { template: "repair-requested", recipients: ["staff"], subjectPath: "job..id" },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe("subjectPath");
  });
});
