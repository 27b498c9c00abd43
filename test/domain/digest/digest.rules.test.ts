import { describe, expect, test } from "bun:test";
import {
  type DigestItem,
  digestBlocker,
  digestContext,
  digestSlot,
  digestWindow,
  planDigest,
} from "../../../src/domain/digest/digest.rules.ts";
import { nextLocalTime } from "../../../src/domain/notifications/local-time.rules.ts";

const at = (iso: string) => Date.parse(iso);
const item = (id: string, runAt: number, createdAt = runAt - 3_600_000): DigestItem => ({
  deliveryId: id,
  runAt,
  createdAt,
  category: "repair",
  title: `Title ${id}`,
  message: `Message ${id}`,
  actionUrl: null,
});

describe("digest slots", () => {
  test("an unchanged schedule keeps the slot the channel decision stored, across DST changes", () => {
    for (const [zone, created] of [
      ["America/New_York", "2026-03-07T15:00:00Z"],
      ["America/New_York", "2026-10-31T14:00:00Z"],
      ["Asia/Kolkata", "2026-01-15T12:00:00Z"],
      ["Pacific/Auckland", "2026-04-04T12:00:00Z"],
    ] as const) {
      const stored = nextLocalTime(at(created), zone, 9 * 60);
      expect(digestSlot(stored, { zone, digestHour: 9 })).toBe(stored);
    }
    expect(nextLocalTime(at("2026-03-07T15:00:00Z"), "America/New_York", 540)).toBe(
      at("2026-03-08T13:00:00Z"),
    );
    expect(nextLocalTime(at("2026-10-31T14:00:00Z"), "America/New_York", 540)).toBe(
      at("2026-11-01T14:00:00Z"),
    );
    expect(nextLocalTime(at("2026-01-15T12:00:00Z"), "Asia/Kolkata", 540)).toBe(at("2026-01-16T03:30:00Z"));
    expect(nextLocalTime(at("2026-04-04T12:00:00Z"), "Pacific/Auckland", 540)).toBe(
      at("2026-04-04T21:00:00Z"),
    );
  });

  test("after a change of digest hour the slot is the first new hour at or after the stored one", () => {
    const stored = at("2026-01-16T14:00:00Z"); // 09:00 EST
    expect(digestSlot(stored, { zone: "America/New_York", digestHour: 18 })).toBe(at("2026-01-16T23:00:00Z"));
    expect(digestSlot(stored, { zone: "America/New_York", digestHour: 7 })).toBe(at("2026-01-17T12:00:00Z"));
    // A move to another zone: 09:00 EST is 14:00 UTC, so 09:00 UTC comes the next day.
    expect(digestSlot(stored, { zone: "UTC", digestHour: 9 })).toBe(at("2026-01-17T09:00:00Z"));
  });

  test("the window is the slot's local date", () => {
    expect(digestWindow(at("2026-04-04T21:00:00Z"), "Pacific/Auckland")).toBe("2026-04-05");
    expect(digestWindow(at("2026-11-01T14:00:00Z"), "America/New_York")).toBe("2026-11-01");
  });
});

describe("digest plan", () => {
  test("ready items are oldest first; items whose slot moved past now are rescheduled", () => {
    const now = at("2026-01-16T14:00:00Z");
    const schedule = { zone: "America/New_York", digestHour: 9 };
    const plan = planDigest(
      [item("b", now, 2), item("a", now, 1), item("late", at("2026-01-16T13:00:00Z"))], // 08:00 EST: next 09:00 is now
      schedule,
      now,
    );
    expect(plan.ready.map((i) => i.deliveryId)).toEqual(["a", "b", "late"]);
    expect(plan.slot).toBe(now);
    const moved = planDigest([item("x", now)], { ...schedule, digestHour: 18 }, now);
    expect(moved).toEqual({
      ready: [],
      reschedule: [{ deliveryId: "x", runAt: at("2026-01-16T23:00:00Z") }],
      slot: null,
    });
  });

  test("the digest may not be emailed to an erased, opted-out, unreachable or suppressed recipient", () => {
    const ok = { email: "a@example.com", emailVerified: true };
    expect(digestBlocker(ok, { emailEnabled: true }, false)).toBeNull();
    expect(digestBlocker(null, { emailEnabled: true }, false)).toBe("recipient-erased");
    expect(digestBlocker(ok, { emailEnabled: false }, false)).toBe("channel-opt-out");
    expect(digestBlocker({ email: null, emailVerified: false }, { emailEnabled: true }, false)).toBe(
      "no-contact",
    );
    expect(digestBlocker({ ...ok, emailVerified: false }, { emailEnabled: true }, false)).toBe(
      "unverified-contact",
    );
    expect(digestBlocker(ok, { emailEnabled: true }, true)).toBe("suppressed");
  });

  test("the context counts every item, lists the first 20 and carries action links and local dates", () => {
    const items = Array.from({ length: 23 }, (_, i) => ({
      ...item(`d${i}`, 0, at("2026-01-15T10:00:00Z") + i),
      actionUrl: i === 0 ? "https://portal.test/r/1" : null,
    }));
    const { digest } = digestContext(items, at("2026-01-16T14:00:00Z"), {
      timezone: "America/New_York",
      locale: "en-US",
    });
    expect(digest.count).toBe(23);
    expect(digest.items).toHaveLength(20);
    expect(digest.items[0]).toEqual({
      title: "Title d0",
      message: "Message d0",
      actionUrl: "https://portal.test/r/1",
      createdAt: "2026-01-15T10:00:00.000Z",
    });
    expect(digest.items[1]).not.toHaveProperty("actionUrl");
    // A link stored before web links were enforced is not turned into one.
    const risky = digestContext(
      [{ ...item("x", 0, at("2026-01-15T10:00:00Z")), actionUrl: "javascript:alert(1)" }],
      at("2026-01-16T14:00:00Z"),
      { timezone: "UTC", locale: "en" },
    );
    expect(risky.digest.items[0]).not.toHaveProperty("actionUrl");
    expect(digest.date).toBe("Friday, January 16");
    expect(digest.window).toBe("2026-01-16");
    const german = digestContext(items, at("2026-01-16T14:00:00Z"), {
      timezone: "Europe/Berlin",
      locale: "de-DE",
    });
    expect(german.digest.date).toBe("Freitag, 16. Januar");
  });
});
