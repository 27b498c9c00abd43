import { describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { deliveries, inboxCounters, notifications, outboxMessages, suppressions } from "../../db/schema.ts";
import { runDigests } from "../../src/domain/digest/digest.service.ts";
import { defaultPreferences } from "../../src/domain/preferences/preferences.rules.ts";
import { makeTestApp, type TestApp } from "../helpers/test-app.ts";

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** A whole preferences document (PUT replaces it) with `changes` applied. */
const prefs = (changes: Record<string, unknown>) => ({
  body: { ...defaultPreferences(), ...changes },
});

/** A test app whose clock starts at `start`, with helpers to create recipients and LOW notifications. */
async function digestApp(start: string) {
  const t = await makeTestApp({ now: at(start) });
  const digest = () => {
    const scheduler = t.deps.schedulers.find((s) => s.name === "digest");
    if (!scheduler) throw new Error("no digest scheduler");
    return scheduler.runOnce();
  };
  return {
    t,
    digest,
    async person(id: string, timezone: string, extra: Record<string, unknown> = {}) {
      const res = await t.call("PUT", `/v1/recipients/${id}`, {
        body: {
          kind: "customer",
          name: "Robin",
          email: `${id}@example.com`,
          emailVerified: true,
          timezone,
          ...extra,
        },
        key: t.portalKey,
      });
      expect(res.status).toBeLessThan(300);
    },
    async low(recipientId: string, title: string, body: Record<string, unknown> = {}) {
      const res = await t.call("POST", "/v1/notifications", {
        body: {
          recipientId,
          template: "repair-approved",
          priority: "LOW",
          context: { repair: { id: title, title } },
          ...body,
        },
        key: t.portalKey,
      });
      expect(res.status).toBe(201);
      const created = await res.json();
      expect(created.decisions.find((d: { channel: string }) => d.channel === "email").status).toBe("digest");
      return created.notification.id as string;
    },
  };
}

async function digestsOf(t: TestApp, recipientId: string) {
  return t.deps.db.read
    .select()
    .from(notifications)
    .where(and(eq(notifications.recipientId, recipientId), eq(notifications.template, "daily-digest")));
}

async function emailsTo(t: TestApp, recipientId: string) {
  await t.delivery.runUntilIdle();
  return t.deps.db.read.select().from(outboxMessages).where(eq(outboxMessages.recipientId, recipientId));
}

async function itemStatuses(t: TestApp, recipientId: string) {
  const rows = await t.deps.db.read
    .select({ status: deliveries.status, reason: deliveries.reason, digestId: deliveries.digestId })
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(
      and(
        eq(deliveries.recipientId, recipientId),
        eq(deliveries.channel, "email"),
        eq(notifications.template, "repair-approved"),
      ),
    );
  return rows;
}

describe("digest scheduler", () => {
  test("New York, spring forward: items wait for 09:00 EDT (13:00Z), then go as one email; nothing is sent twice", async () => {
    // Saturday 2026-03-07 10:00 EST (UTC-5); the clocks go forward overnight.
    const { t, digest, person, low } = await digestApp("2026-03-07T15:00:00Z");
    await person("ny", "America/New_York");
    await low("ny", "R-1");
    t.clock.advance(HOUR);
    await low("ny", "R-2");

    t.clock.set(at("2026-03-08T12:59:00Z")); // 08:59 EDT: not yet (13:59 would be 09:00 EST: wrong)
    expect(await digest()).toMatchObject({ digests: 0 });
    expect(await emailsTo(t, "ny")).toHaveLength(0);

    t.clock.set(at("2026-03-08T13:00:00Z")); // 09:00 EDT
    expect(await digest()).toMatchObject({ digests: 1, items: 2 });
    const [sent, ...more] = await emailsTo(t, "ny");
    expect(more).toHaveLength(0);
    expect(sent?.subject).toBe("Your daily summary for Sunday, March 8: 2 updates");
    expect(sent?.text).toContain("R-1");
    expect(sent?.text).toContain("R-2");

    const [stored] = await digestsOf(t, "ny");
    expect(stored?.readAt).toBe(at("2026-03-08T13:00:00Z")); // repeats the inbox: does not count as unread
    const [counter] = await t.deps.db.read
      .select()
      .from(inboxCounters)
      .where(eq(inboxCounters.recipientId, "ny"));
    expect(counter?.unread).toBe(2);
    const items = await itemStatuses(t, "ny");
    expect(items).toEqual([
      { status: "digested", reason: "digest", digestId: stored?.id ?? "" },
      { status: "digested", reason: "digest", digestId: stored?.id ?? "" },
    ]);
    expect(t.deps.metrics.deliveries.get({ channel: "email", outcome: "digested", reason: "" })).toBe(2);

    // A later tick and the next day without new items: no email.
    t.clock.advance(24 * HOUR);
    expect(await digest()).toMatchObject({ digests: 0 });
    expect(await emailsTo(t, "ny")).toHaveLength(1);
  });

  test("New York, fall back: the digest waits for 09:00 EST (14:00Z) on 2026-11-01", async () => {
    const { t, digest, person, low } = await digestApp("2026-10-31T14:00:00Z"); // 10:00 EDT
    await person("ny2", "America/New_York");
    await low("ny2", "R-3");
    t.clock.set(at("2026-11-01T13:00:00Z")); // 08:00 EST
    expect(await digest()).toMatchObject({ digests: 0 });
    t.clock.set(at("2026-11-01T14:00:00Z"));
    expect(await digest()).toMatchObject({ digests: 1, items: 1 });
    expect((await emailsTo(t, "ny2"))[0]?.subject).toBe(
      "Your daily summary for Sunday, November 1: 1 update",
    );
  });

  test("Asia/Kolkata (+5:30) and Pacific/Auckland (DST ends 2026-04-05) get their digest at their own 09:00", async () => {
    const { t, digest, person, low } = await digestApp("2026-04-04T12:00:00Z"); // 17:30 IST; 01:00 NZDT on Apr 5
    await person("in", "Asia/Kolkata");
    await person("nz", "Pacific/Auckland");
    await low("in", "R-4");
    await low("nz", "R-5");

    t.clock.set(at("2026-04-04T20:59:00Z")); // 08:59 NZST (UTC+12 after the change)
    expect(await digest()).toMatchObject({ digests: 0 });
    t.clock.set(at("2026-04-04T21:00:00Z")); // 09:00 NZST, Sunday April 5
    expect(await digest()).toMatchObject({ digests: 1 });
    expect((await emailsTo(t, "nz"))[0]?.subject).toContain("Sunday, April 5");

    t.clock.set(at("2026-04-05T03:29:00Z"));
    expect(await digest()).toMatchObject({ digests: 0 });
    t.clock.set(at("2026-04-05T03:30:00Z")); // 09:00 IST
    expect(await digest()).toMatchObject({ digests: 1 });
    expect((await emailsTo(t, "in"))[0]?.subject).toContain("Sunday, April 5");
  });

  test("a later digest hour holds pending items until the new hour; an earlier one gathers them into one digest", async () => {
    const { t, digest, person, low } = await digestApp("2026-01-15T15:00:00Z"); // 10:00 EST
    await person("later", "America/New_York");
    await person("earlier", "America/New_York");
    expect(
      (
        await t.call("PUT", "/v1/recipients/earlier/preferences", {
          ...prefs({ digestHour: 18 }),
          key: t.portalKey,
        })
      ).status,
    ).toBe(200);
    await low("later", "R-6"); // slot: Jan 16 09:00
    await low("earlier", "R-7"); // slot: Jan 15 18:00

    // Jan 15 16:00 EST: "later" moves to 18:00, "earlier" to 09:00.
    t.clock.set(at("2026-01-15T21:00:00Z"));
    expect(
      (
        await t.call("PUT", "/v1/recipients/later/preferences", {
          ...prefs({ digestHour: 18 }),
          key: t.portalKey,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.call("PUT", "/v1/recipients/earlier/preferences", {
          ...prefs({ digestHour: 9 }),
          key: t.portalKey,
        })
      ).status,
    ).toBe(200);
    await low("earlier", "R-8"); // due Jan 16 09:00 under the new hour

    t.clock.set(at("2026-01-15T23:00:00Z")); // 18:00 EST, the old slot of R-7: it waits for the new hour
    expect(await digest()).toMatchObject({ digests: 0, rescheduled: 1 });

    t.clock.set(at("2026-01-16T14:00:00Z")); // Jan 16 09:00 EST: in one digest; R-6 waits for 18:00
    expect(await digest()).toMatchObject({ digests: 1, items: 2, rescheduled: 1 });
    expect(await emailsTo(t, "earlier")).toHaveLength(1);
    expect(await emailsTo(t, "later")).toHaveLength(0);

    t.clock.set(at("2026-01-16T23:00:00Z")); // Jan 16 18:00 EST
    expect(await digest()).toMatchObject({ digests: 1, items: 1 });
    expect(await emailsTo(t, "later")).toHaveLength(1);
  });

  test("concurrent runs create exactly one digest per recipient", async () => {
    const { t, digest, person, low } = await digestApp("2026-01-15T15:00:00Z");
    for (const id of ["c1", "c2", "c3"]) {
      await person(id, "UTC");
      await low(id, `${id}-a`);
      await low(id, `${id}-b`);
    }
    t.clock.set(at("2026-01-16T09:00:00Z"));
    // Two processes (runDigests directly) and two manual scheduler runs, all at once.
    const results = await Promise.all([
      runDigests(t.deps, t.clock.now()),
      runDigests(t.deps, t.clock.now()),
      digest(),
      digest(),
    ]);
    expect(results.reduce((n, r) => n + Number(r.digests), 0)).toBe(3);
    expect(results.reduce((n, r) => n + Number(r.items), 0)).toBe(6);
    for (const id of ["c1", "c2", "c3"]) {
      expect(await digestsOf(t, id)).toHaveLength(1);
      expect(await emailsTo(t, id)).toHaveLength(1);
      expect((await itemStatuses(t, id)).map((i) => i.status)).toEqual(["digested", "digested"]);
    }
  });

  test("email off, suppressed, unverified or erased by digest time: items are skipped with the reason, no email", async () => {
    const { t, digest, person, low } = await digestApp("2026-01-15T15:00:00Z");
    for (const id of ["off", "supp", "unver", "gone", "optout"]) {
      await person(id, "UTC");
      await low(id, `${id}-1`);
    }
    await t.call("PUT", "/v1/recipients/off/preferences", {
      ...prefs({ emailEnabled: false }),
      key: t.portalKey,
    });
    await t.call("PUT", "/v1/recipients/optout/preferences", {
      ...prefs({ categoryOptOuts: { email: ["repair"], sms: [] } }),
      key: t.portalKey,
    });
    await t.deps.db.write((tx) =>
      tx.insert(suppressions).values({
        channel: "email",
        contact: "supp@example.com",
        reason: "bounce",
        source: "ses",
        createdAt: 0,
      }),
    );
    await t.call("PUT", "/v1/recipients/unver", {
      body: { kind: "customer", emailVerified: false },
      key: t.portalKey,
    });
    expect((await t.call("DELETE", "/v1/recipients/gone")).status).toBe(204);

    t.clock.set(at("2026-01-16T09:00:00Z"));
    expect(await digest()).toMatchObject({ digests: 0 });
    const reasons = Object.fromEntries(
      await Promise.all(
        ["off", "supp", "unver", "gone", "optout"].map(async (id) => [
          id,
          (await itemStatuses(t, id)).map((i) => `${i.status}:${i.reason}`),
        ]),
      ),
    );
    expect(reasons).toEqual({
      off: ["skipped:channel-opt-out"],
      supp: ["skipped:suppressed"],
      unver: ["skipped:unverified-contact"],
      gone: ["cancelled:recipient-erased"], // erasure cancels pending items itself
      optout: ["skipped:category-opt-out"],
    });
    expect(await t.deps.db.read.select().from(outboxMessages)).toHaveLength(0);
    expect(
      t.deps.metrics.deliveries.get({ channel: "email", outcome: "skipped", reason: "suppressed" }),
    ).toBe(1);
  });

  test("a digest lists at most 20 items and says how many more there are", async () => {
    const { t, digest, person, low } = await digestApp("2026-01-15T10:00:00Z");
    await person("many", "UTC");
    for (let i = 1; i <= 23; i++) {
      await low("many", `M-${i}`);
      t.clock.advance(15 * 60_000); // stays under the loop guard (5 of one template per hour)
    }
    t.clock.set(at("2026-01-16T09:00:00Z"));
    expect(await digest()).toMatchObject({ digests: 1, items: 23 });
    const [email] = await emailsTo(t, "many");
    expect(email?.subject).toContain("23 updates");
    expect(email?.text).toContain("M-20");
    expect(email?.text).not.toContain("M-21");
    expect(email?.text).toContain("3 more");
  });
});
