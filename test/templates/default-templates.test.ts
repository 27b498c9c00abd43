import { describe, expect, test } from "bun:test";
import { DEFAULT_BRANDING } from "../../src/domain/branding/branding.service.ts";
import { DEFAULT_RULES, DEFAULT_TEMPLATES, loadDefaultTemplate } from "../../src/domain/seed/seed.ts";
import { renderNotification } from "../../src/domain/templates/templates.renderer.ts";
import { missingContext } from "../../src/domain/templates/templates.rules.ts";
import type { RenderGlobals } from "../../src/domain/templates/templates.types.ts";

/**
 * Render tests for the default templates under templates/: each has a fixture context shaped like the
 * portal's events, so renaming a variable in a file (or in the fixture contract) fails here, not for a
 * customer. Names carry markup to prove HTML is escaped in email HTML and nowhere else.
 */
const script = "<script>alert(1)</script>";

interface Fixture {
  context: Record<string, unknown>;
  /** Values that must appear in title or message, in the email (HTML and text) and in the SMS. */
  inbox: string[];
  email: string[];
  sms: string[];
  /** GSM-7 segments the SMS is written to fit in with this (realistic) fixture. */
  smsSegments: number;
}

const repair = {
  id: "R-1042",
  title: "Leaking kitchen faucet",
  address: "1200 W Elm St, Apt 4B, Springfield",
};
const customer = { id: "cust-7", name: `Dana ${script} Reyes` };
const technician = { id: "tech-3", name: "Tess O'Neil" };

const fixtures: Record<string, Fixture> = {
  "repair-requested": {
    context: { repair, customer, staff: [{ id: "staff-1" }] },
    inbox: ["R-1042", "Leaking kitchen faucet", repair.address, customer.name],
    email: ["R-1042", "Leaking kitchen faucet", repair.address, customer.name],
    sms: ["R-1042", "Leaking kitchen faucet", customer.name],
    smsSegments: 1,
  },
  "repair-approved": {
    context: { repair, customer },
    inbox: ["R-1042", "Leaking kitchen faucet"],
    email: ["R-1042", "Leaking kitchen faucet"],
    sms: ["R-1042", "Leaking kitchen faucet"],
    smsSegments: 1,
  },
  "repair-denied": {
    context: { repair, customer, reason: `Outside our service area & <beyond> "range"` },
    inbox: ["R-1042", "Leaking kitchen faucet", `Outside our service area & <beyond> "range"`],
    email: ["R-1042", "Leaking kitchen faucet", `Outside our service area & <beyond> "range"`],
    sms: ["R-1042", `Outside our service area & <beyond> "range"`],
    smsSegments: 1,
  },
  "repair-assigned": {
    context: { repair, customer, technician },
    inbox: ["R-1042", "Leaking kitchen faucet", repair.address, customer.name],
    email: ["R-1042", "Leaking kitchen faucet", repair.address, customer.name],
    sms: ["R-1042", "Leaking kitchen faucet", repair.address, customer.name],
    smsSegments: 1,
  },
  "repair-completed": {
    context: { repair, customer, technician },
    inbox: ["R-1042", "Leaking kitchen faucet", "Tess O'Neil"],
    email: ["R-1042", "Leaking kitchen faucet", "Tess O'Neil"],
    sms: ["R-1042", "Leaking kitchen faucet", "Tess O'Neil"],
    smsSegments: 1,
  },
  "daily-digest": {
    context: {
      digest: {
        date: "Thursday, January 15",
        count: 4,
        items: [
          { title: "Repair R-1042 approved", message: `Good news for ${script}` },
          { title: "Repair R-1043 completed", message: "Tess O'Neil has completed your repair." },
        ],
      },
    },
    inbox: ["4 updates", "Thursday, January 15"],
    email: ["Thursday, January 15", "Repair R-1042 approved", "Repair R-1043 completed", "2 more"],
    sms: ["4 updates", "Thursday, January 15"],
    smsSegments: 1,
  },
  "test-message": {
    context: {},
    inbox: ["Acme Repairs"],
    email: ["Acme Repairs", "test email"],
    sms: ["Acme Repairs", "test message"],
    smsSegments: 1,
  },
};

const globals: RenderGlobals = {
  recipient: { id: "r-1", name: `Pat ${script}`, kind: "customer", locale: "en" },
  branding: { ...DEFAULT_BRANDING, companyName: "Acme Repairs", supportEmail: "help@acme.example" },
  actionUrl: "https://portal.example.com/repairs/R-1042",
  priority: "HIGH",
  category: "repair",
  preferencesUrl: "https://portal.example.com/preferences",
};

const escaped = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&#34;")
    .replace(/'/g, "&#39;");

describe("default templates", () => {
  test("every default template has a fixture and every fixture a template", () => {
    expect(Object.keys(fixtures).sort()).toEqual(DEFAULT_TEMPLATES.map((t) => t.name).sort());
  });

  for (const def of DEFAULT_TEMPLATES) {
    describe(def.name, () => {
      const fixture = fixtures[def.name] as Fixture;
      const template = { ...loadDefaultTemplate(def), version: 1, createdAt: 0, updatedAt: 0 };

      test("the fixture carries the required context, and each key is needed", () => {
        expect(missingContext(template.requiredContext, fixture.context)).toEqual([]);
        for (const key of template.requiredContext) {
          const [root] = key.split(".");
          const { [root as string]: _dropped, ...rest } = fixture.context;
          expect(missingContext(template.requiredContext, rest)).toContain(key);
        }
      });

      test("renders title, message, email and SMS with the fixture's values", async () => {
        const r = await renderNotification(template, fixture.context, globals);
        expect(r.title.length).toBeGreaterThan(0);
        expect(r.title).not.toContain("\n");
        const inbox = `${r.title}\n${r.message}`;
        for (const value of fixture.inbox) expect(inbox).toContain(value);
        expect(r.email).not.toBeNull();
        for (const value of fixture.email) {
          expect(`${r.email?.subject}\n${r.email?.text}`).toContain(value);
          expect(r.email?.html).toContain(escaped(value));
        }
        for (const value of fixture.sms) expect(r.sms?.text).toContain(value);
      });

      test("escapes markup in email HTML only", async () => {
        const r = await renderNotification(template, fixture.context, globals);
        expect(r.email?.html).toContain(`Pat ${escaped(script)}`);
        expect(r.email?.html).not.toContain("<script>");
        expect(r.email?.text).toContain(`Pat ${script}`);
        if (JSON.stringify(fixture.context).includes("<script>")) {
          expect(`${r.title}${r.message}${r.email?.text}${r.sms?.text}`).toContain(script);
        }
      });

      test("the email is branded and links to the notification preferences", async () => {
        const r = await renderNotification(template, fixture.context, globals);
        expect(r.email?.html).toContain("Acme Repairs");
        expect(r.email?.html).toContain('href="https://portal.example.com/preferences"');
        expect(r.email?.html).toContain('href="https://portal.example.com/repairs/R-1042"');
        expect(r.email?.text).toContain(
          "Manage your notification preferences: https://portal.example.com/preferences",
        );
        expect(r.email?.text).toContain("help@acme.example");
      });

      test(`the SMS is GSM-7 and fits in ${fixture.smsSegments} segment(s)`, async () => {
        const r = await renderNotification(template, fixture.context, globals);
        expect(r.sms?.encoding).toBe("GSM-7");
        expect(r.sms?.segments).toBeLessThanOrEqual(fixture.smsSegments);
      });
    });
  }

  test("every default rule points at a default template and names where its recipients are", () => {
    const names = DEFAULT_TEMPLATES.map((t) => t.name);
    for (const rule of DEFAULT_RULES) {
      expect(names).toContain(rule.template);
      const fixture = fixtures[rule.template] as Fixture;
      for (const path of rule.recipients) expect(fixture.context).toHaveProperty(path);
    }
  });
});
