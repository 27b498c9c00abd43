import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { notifications } from "../../../db/schema.ts";
import { OPERATOR_RECIPIENT_ID as ALERT_EMAIL_RECIPIENT } from "../../../src/alerts/alert-email.ts";
import { OPERATOR_RECIPIENT_ID } from "../../../src/alerts/operator-recipient.ts";
import { runReport } from "../../../src/domain/reports/reports.service.ts";
import { seedDeliveries } from "../../delivery/seed-deliveries.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

const MINUTE = 60_000;
const t = await makeTestApp({ seed: false, env: { HERALD_ALERT_EMAIL: "oncall@example.test" } });

describe("operator alert emails are not product notifications", () => {
  test("the alert emails go to the recipient the reports leave out", () => {
    expect(ALERT_EMAIL_RECIPIENT).toBe(OPERATOR_RECIPIENT_ID);
  });

  test("report volume and /v1/stats count the product's notifications, not the alert emails", async () => {
    await seedDeliveries(t.deps.db, { count: 501, channel: "email", now: t.clock.now() });
    const alerts = t.deps.schedulers.find((s) => s.name === "alerts");
    await alerts?.runOnce();
    t.clock.advance(10 * MINUTE);
    expect(await alerts?.runOnce()).toMatchObject({ emailsQueued: 2 });
    const operator = await t.deps.db.read
      .select()
      .from(notifications)
      .where(eq(notifications.recipientId, OPERATOR_RECIPIENT_ID));
    expect(operator).toHaveLength(2);

    const volume = await runReport(t.deps, "volume", { window: "24h" });
    expect(volume).toMatchObject({ total: 501, byPriority: { URGENT: 0, HIGH: 501, MEDIUM: 0, LOW: 0 } });
    if (volume.report !== "volume") throw new Error("wrong report");
    expect(volume.byCategory.map((c) => c.category)).toEqual(["repairs"]);

    const stats = await (await t.call("GET", "/v1/stats")).json();
    expect(stats.total).toBe(501);
    expect(stats.byCategory).toEqual({ repairs: 501 });
    expect(stats.byPriority).toEqual({ HIGH: 501 });
    expect(stats.email.byStatus).toEqual({ queued: 501 });
    expect(stats.unread).toBe(0);
  });
});
