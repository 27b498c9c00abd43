import { describe, expect, test } from "bun:test";
import { channelPauses } from "../../db/schema.ts";
import { inlineStyleSources } from "../../src/admin/inline-styles.rules.ts";
import { ADMIN_CSP } from "../../src/admin/security.ts";
import { savePause } from "../../src/delivery/channel-pauses.repo.ts";
import { getBranding, putBranding } from "../../src/domain/branding/branding.service.ts";
import { readOpsSettings } from "../../src/domain/ops-settings/ops-settings.service.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false });
const browser = await signIn(t);

/** The settings as stored now, read past every cache. */
const stored = () => readOpsSettings(t.deps.db.read, t.deps.config);

async function page(path: string, status = 200): Promise<string> {
  const res = await browser.get(path);
  expect(res.status).toBe(status);
  return res.text();
}

/** Posts a form whose fields may repeat (checkboxes), with the session's CSRF token. */
async function postPairs(path: string, pairs: [string, string][]): Promise<Response> {
  const body = new URLSearchParams([["_csrf", await browser.csrf()], ...pairs]);
  return t.app.request(path, {
    method: "POST",
    headers: { cookie: browser.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  });
}

const rolloutForm = (sms: { mode: string; percent: string; kinds: string[] }): [string, string][] => [
  ["rollout.email.mode", "all"],
  ["rollout.email.percent", "100"],
  ["rollout.sms.mode", sms.mode],
  ["rollout.sms.percent", sms.percent],
  ...sms.kinds.map((kind): [string, string] => ["rollout.sms.kinds", kind]),
];

describe("admin settings page", () => {
  test("shows every operator setting in force, each field labelled, and both channels' states", async () => {
    const html = await page("/admin/settings");
    const settings = await stored();
    for (const [name, value] of [
      ["smsBudget.dailyUsd", settings.smsBudget.dailyUsd],
      ["smsBudget.monthlyUsd", settings.smsBudget.monthlyUsd],
      ["loopGuard.max", settings.loopGuard.max],
      ["loopGuard.windowMinutes", settings.loopGuard.windowMinutes],
      ["rollout.sms.percent", settings.rollout.sms.percent],
    ] as const) {
      expect(html).toContain(`<label for="f-${name}">`);
      expect(html).toMatch(
        new RegExp(`id="f-${name.replace(".", "\\.")}" name="${name}" type="number" value="${value}"`),
      );
    }
    expect(html).toContain('<label for="f-maintenance.reason">');
    expect(html).toContain("Turn maintenance on");
    expect(html).toMatch(/<th scope="row">Email<\/th><td>Sending<\/td>/);
    expect(html).toMatch(/<th scope="row">SMS<\/th><td>Sending<\/td>/);
    expect(html).toContain('href="/admin/settings/branding"');
  });

  test("maintenance on with a note changes the stored settings and shows the banner; off clears both", async () => {
    const on = await browser.post("/admin/settings/maintenance", {
      "maintenance.enabled": "on",
      "maintenance.reason": "  database upgrade  ",
    });
    expect(on.status).toBe(303);
    expect(on.headers.get("location")).toBe("/admin/settings?done=maintenance-on");
    expect((await stored()).maintenance).toEqual({
      enabled: true,
      reason: "database upgrade",
      since: t.clock.now(),
    });
    const html = await page("/admin/settings?done=maintenance-on");
    expect(html).toContain("Maintenance mode is on");
    expect(html).toContain("Note: database upgrade");
    expect(html).toContain("Turn maintenance off");
    // The change log says where the change came from, and never the free-text note.
    const logged = t.logs.filter((l) => l.msg === "operator settings changed").at(-1);
    expect(logged).toMatchObject({
      source: "admin",
      changed: expect.arrayContaining(["maintenance.reason"]),
    });
    expect(JSON.stringify(logged)).not.toContain("database upgrade");

    const off = await browser.post("/admin/settings/maintenance", { "maintenance.enabled": "off" });
    expect(off.headers.get("location")).toBe("/admin/settings?done=maintenance-off");
    expect((await stored()).maintenance).toEqual({ enabled: false, reason: null, since: null });
    expect(await page("/admin/settings")).not.toContain("Maintenance mode is on");
  });

  test("an invalid SMS budget is refused with 422, the field's message beside it, the typed value kept; nothing changes", async () => {
    const before = await stored();
    const res = await browser.post("/admin/settings/sms-budget", {
      "smsBudget.dailyUsd": "-5",
      "smsBudget.monthlyUsd": "900",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Not saved; nothing was changed");
    expect(html).toMatch(
      /id="f-smsBudget\.dailyUsd" name="smsBudget\.dailyUsd" type="number" value="-5"[^>]*aria-describedby="err-smsBudget\.dailyUsd" aria-invalid="true"/,
    );
    expect(html).toMatch(
      /<ul class="field-error" id="err-smsBudget\.dailyUsd"><li>Too small[^<]*0<\/li><\/ul>/,
    );
    // What was typed in the other field of the form is kept too.
    expect(html).toContain('value="900"');
    expect(await stored()).toEqual(before);
  });

  test("a daily budget above the monthly one is refused by the settings rules, as the API refuses it", async () => {
    const before = await stored();
    const res = await browser.post("/admin/settings/sms-budget", {
      "smsBudget.dailyUsd": "80",
      "smsBudget.monthlyUsd": "50",
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("must not exceed smsBudget.monthlyUsd");
    expect(await stored()).toEqual(before);
    const empty = await browser.post("/admin/settings/sms-budget", {
      "smsBudget.dailyUsd": "",
      "smsBudget.monthlyUsd": "50",
    });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('id="err-smsBudget.dailyUsd"><li>required</li>');
    expect(await stored()).toEqual(before);
  });

  test("a valid budget and loop guard are saved", async () => {
    const budget = await browser.post("/admin/settings/sms-budget", {
      "smsBudget.dailyUsd": "12.5",
      "smsBudget.monthlyUsd": "300",
    });
    expect(budget.headers.get("location")).toBe("/admin/settings?done=sms-budget");
    const loop = await browser.post("/admin/settings/loop-guard", {
      "loopGuard.max": "4",
      "loopGuard.windowMinutes": "30",
    });
    expect(loop.status).toBe(303);
    const settings = await stored();
    expect(settings.smsBudget).toEqual({ dailyUsd: 12.5, monthlyUsd: 300 });
    expect(settings.loopGuard).toEqual({ max: 4, windowMinutes: 30 });
    expect(await page("/admin/settings?done=sms-budget")).toContain("The SMS budget was saved.");
  });

  test("rollout per channel: chosen kinds are saved; a 'kinds' rollout with none ticked is refused", async () => {
    const saved = await postPairs(
      "/admin/settings/rollout",
      rolloutForm({ mode: "kinds", percent: "100", kinds: ["staff", "technician"] }),
    );
    expect(saved.status).toBe(303);
    expect((await stored()).rollout.sms).toEqual({
      mode: "kinds",
      percent: 100,
      kinds: ["staff", "technician"],
    });
    expect(await page("/admin/settings")).toMatch(/name="rollout\.sms\.kinds" value="staff" checked=""/);

    const before = await stored();
    const refused = await postPairs(
      "/admin/settings/rollout",
      rolloutForm({ mode: "kinds", percent: "100", kinds: [] }),
    );
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain("a &#39;kinds&#39; rollout needs at least one recipient kind");
    expect(html).not.toMatch(/name="rollout\.sms\.kinds" value="staff" checked/); // as sent: none ticked
    const percent = await postPairs(
      "/admin/settings/rollout",
      rolloutForm({ mode: "percent", percent: "140", kinds: [] }),
    );
    expect(percent.status).toBe(422);
    expect(await percent.text()).toMatch(/id="err-rollout\.sms\.percent"><li>Too big[^<]*100<\/li>/);
    expect(await stored()).toEqual(before);
  });

  test("a form without the CSRF token changes nothing", async () => {
    const before = await stored();
    const res = await browser.post("/admin/settings/maintenance", { _csrf: "", "maintenance.enabled": "on" });
    expect(res.status).toBe(403);
    expect(await stored()).toEqual(before);
  });

  test("a paused channel shows why and until when, and Resume ends the pause", async () => {
    const now = t.clock.now();
    await t.deps.db.write((tx) =>
      savePause(tx, {
        channel: "email",
        code: "account-sending-paused",
        message: "Account sending paused.",
        pausedAt: now,
        until: now + 300_000,
      }),
    );
    const html = await page("/admin/settings");
    expect(html).toContain("account-sending-paused, Account sending paused.");
    expect(html).toContain('action="/admin/settings/channels/email/resume"');
    const res = await browser.post("/admin/settings/channels/email/resume");
    expect(res.headers.get("location")).toBe("/admin/settings?done=resumed");
    expect(await t.deps.db.read.select().from(channelPauses)).toEqual([]);
    expect((await browser.post("/admin/settings/channels/sms/resume")).headers.get("location")).toBe(
      "/admin/settings?done=not-paused",
    );
    expect((await browser.post("/admin/settings/channels/fax/resume")).status).toBe(404);
  });
});

describe("admin branding page", () => {
  const form = {
    companyName: "Acme <Repairs> & Sons",
    fromName: "Acme Repairs",
    logoUrl: "",
    primaryColor: "#0A3D62",
    accentColor: "#e58e26",
    supportEmail: "help@acme.example",
    footerText: "Acme Repairs\r\n1 Main St",
  };

  test("saving stores every field through the branding service and the preview shows it in a sandboxed iframe", async () => {
    const invalidName = await browser.post("/admin/settings/branding", form);
    // The company name's angle brackets are refused by the API's schema (they end up in HTML and headers).
    expect(invalidName.status).toBe(422);

    const res = await browser.post("/admin/settings/branding", { ...form, companyName: "Acme & Sons" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/settings/branding?done=branding");
    expect(await getBranding(t.deps)).toEqual({
      companyName: "Acme & Sons",
      fromName: "Acme Repairs",
      logoUrl: null,
      primaryColor: "#0a3d62",
      accentColor: "#e58e26",
      supportEmail: "help@acme.example",
      footerText: "Acme Repairs\n1 Main St",
    });

    const shown = await browser.get("/admin/settings/branding?done=branding");
    expect(shown.status).toBe(200);
    const html = await shown.text();
    expect(html).toContain("The branding was saved");
    const iframe = /<iframe class="email-preview" sandbox="" srcdoc="([^"]*)" title="[^"]+"><\/iframe>/.exec(
      html,
    );
    expect(iframe).not.toBeNull();
    // The email is escaped into the attribute: it cannot close the iframe or reach the console's page.
    const srcdoc = (iframe?.[1] ?? "")
      .replaceAll("&quot;", '"')
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
    expect(srcdoc).toContain("<!DOCTYPE html>");
    expect(srcdoc).toContain("background:#0a3d62");
    expect(srcdoc).toContain("background:#e58e26");
    expect(srcdoc).toContain("Acme &amp;amp; Sons");
    expect(srcdoc).toContain("mailto:help@acme.example");
    expect(html).toContain("From: <strong>Acme Repairs</strong>");
  });

  test("the branding page allows exactly its preview's inline styles and logo origin; scripts stay forbidden", async () => {
    const res = await browser.get("/admin/settings/branding");
    const policy = res.headers.get("content-security-policy") ?? "";
    const html = await res.text();
    const srcdoc = (/srcdoc="([^"]*)"/.exec(html)?.[1] ?? "")
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&");
    expect(policy).toContain("style-src 'self' 'unsafe-hashes' 'sha256-");
    for (const source of inlineStyleSources(srcdoc)) expect(policy).toContain(source);
    expect(policy).not.toContain("'unsafe-inline'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("img-src 'self' data:;");
    expect((await browser.get("/admin/settings")).headers.get("content-security-policy")).toBe(ADMIN_CSP);
    // With a logo, its origin (and only it) may serve the preview's images.
    const before = await getBranding(t.deps);
    await putBranding(t.deps, { ...before, logoUrl: "https://cdn.acme.example/brand/logo.png" });
    try {
      const withLogo = await browser.get("/admin/settings/branding");
      expect(withLogo.headers.get("content-security-policy")).toContain(
        "img-src 'self' data: https://cdn.acme.example;",
      );
    } finally {
      await putBranding(t.deps, before);
    }
  });

  test("invalid fields are refused with 422 and each field's message, the input kept; nothing changes", async () => {
    const before = await getBranding(t.deps);
    const res = await browser.post("/admin/settings/branding", {
      ...form,
      companyName: "Acme",
      logoUrl: "javascript:alert(1)",
      supportEmail: "not-an-email",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="err-logoUrl">');
    expect(html).toContain('id="err-supportEmail"><li>must be a valid email address</li>');
    expect(html).toContain('value="javascript:alert(1)"');
    expect(html).toContain('value="not-an-email"');
    expect(await getBranding(t.deps)).toEqual(before);
  });
});
