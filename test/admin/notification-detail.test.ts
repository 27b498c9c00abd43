import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { deliveryAttempts } from "../../db/schema.ts";
import { setUpJobUpdate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false, now: Date.now() });
await setUpJobUpdate(t, "tech-1");

async function notify(priority: string, context: Record<string, unknown>) {
  const res = await t.call("POST", "/v1/notifications", {
    key: t.portalKey,
    body: { recipientId: "tech-1", template: "job-update", context, priority },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as {
    notification: { id: string };
    decisions: { channel: string; deliveryId: string; status: string; reason: string | null }[];
  };
}

const urgent = await notify("URGENT", { id: "R-100", site: { door: "back" } });
await t.delivery.runUntilIdle();
const low = await notify("LOW", { id: "R-200" });
const browser = await signIn(t);

const unescaped = (text: string) =>
  text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");

describe("a notification's page", () => {
  test("shows the email as sent: subject, HTML in a sandboxed frame with its own styles allowed, text version", async () => {
    const res = await browser.get(`/admin/notifications/${urgent.notification.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<strong>Subject:</strong> Repair R-100");
    const frame = /<iframe class="email-preview" sandbox="" srcdoc="([^"]*)" title="([^"]*)"><\/iframe>/.exec(
      html,
    );
    expect(frame).not.toBeNull();
    const email = unescaped(frame?.[1] ?? "");
    expect(email).toContain("<p>Repair R-100 changed</p>");
    expect(unescaped(frame?.[2] ?? "")).toBe("Email as sent: Repair R-100");
    expect(html).toContain("<summary>Text version</summary><pre>Repair R-100 changed\n");

    // The frame inherits the page's policy, which names exactly the email's own inline styles, nothing more.
    const csp = res.headers.get("content-security-policy") ?? "";
    const styles = [...email.matchAll(/style="([^"]*)"/g)].map((m) => m[1] ?? "");
    expect(styles.length).toBeGreaterThan(0);
    for (const style of styles)
      expect(csp).toContain(`'sha256-${createHash("sha256").update(style).digest("base64")}'`);
    expect(csp).toContain("style-src 'self' 'unsafe-hashes' ");
    expect(csp).not.toContain("unsafe-inline");
    expect(html).not.toContain("<script");
  });

  test("shows the SMS text with its encoding and segments, and the context as pretty JSON", async () => {
    const html = await (await browser.get(`/admin/notifications/${urgent.notification.id}`)).text();
    expect(html).toContain("SMS, GSM-7, 1 segment</p><pre>Repair R-100 changed</pre>");
    expect(unescaped(html)).toContain(
      `<h2>Context</h2><pre>${JSON.stringify({ id: "R-100", site: { door: "back" } }, null, 2)}</pre>`,
    );
  });

  test("shows each delivery's attempts inline: time, outcome, error and the provider's message id", async () => {
    const html = await (await browser.get(`/admin/notifications/${urgent.notification.id}`)).text();
    for (const decision of urgent.decisions) {
      const [attempt] = await t.deps.db.read
        .select()
        .from(deliveryAttempts)
        .where(eq(deliveryAttempts.deliveryId, decision.deliveryId));
      expect(attempt?.providerMessageId).toBeTruthy();
      expect(html).toContain(`<td>${attempt?.status}</td><td></td><td>${attempt?.providerMessageId}</td>`);
      expect(html).toContain(
        `<td>${new Date(attempt?.createdAt ?? 0).toISOString().slice(0, 19).replace("T", " ")} UTC</td>`,
      );
    }
    // Decided queued at creation, sent now.
    expect(html).toMatch(
      /<th scope="row">email<\/th><td>queued<\/td><td><span class="badge status-good">sent<\/span>/,
    );
  });

  test("says so for a channel held for the digest or skipped, with the decision's reason and no frame", async () => {
    const res = await browser.get(`/admin/notifications/${low.notification.id}`);
    const html = await res.text();
    const email = low.decisions.find((d) => d.channel === "email");
    const sms = low.decisions.find((d) => d.channel === "sms");
    expect(email?.status).toBe("digest");
    expect(sms?.status).toBe("skipped");
    expect(unescaped(html)).toContain("Held for the recipient's daily digest");
    expect(html).toContain('<th scope="row">email</th><td>digest</td>');
    expect(html).toContain(`Skipped when the notification was created (${sms?.reason})`);
    expect(html).toContain(`<th scope="row">sms</th><td>skipped (${sms?.reason})</td>`);
    expect(html).not.toContain("<iframe");
    expect(html).not.toContain("No provider attempt yet.");
    expect(res.headers.get("content-security-policy")).not.toContain("sha256");
  });
});
