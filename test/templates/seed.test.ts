import { describe, expect, test } from "bun:test";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { count } from "drizzle-orm";
import { eventRules, templates } from "../../db/schema.ts";
import {
  DEFAULT_RULES,
  DEFAULT_TEMPLATES,
  DEFAULT_TEMPLATES_DIR,
  seedDefaults,
} from "../../src/domain/seed/seed.ts";
import { makeTestApp, tempDir } from "../helpers/test-app.ts";

const counts = async (t: Awaited<ReturnType<typeof makeTestApp>>) => ({
  templates: (await t.deps.db.read.select({ n: count() }).from(templates))[0]?.n,
  rules: (await t.deps.db.read.select({ n: count() }).from(eventRules))[0]?.n,
});

describe("seedDefaults", () => {
  test("start-up seeds every default template and rule; running again changes nothing", async () => {
    const t = await makeTestApp();
    expect(await counts(t)).toEqual({ templates: DEFAULT_TEMPLATES.length, rules: DEFAULT_RULES.length });
    expect(await seedDefaults(t.deps)).toEqual({ templates: [], rules: [] });
    expect(await counts(t)).toEqual({ templates: DEFAULT_TEMPLATES.length, rules: DEFAULT_RULES.length });

    const approved = await (await t.call("GET", "/v1/templates/repair-approved")).json();
    expect(approved).toMatchObject({ category: "repair", defaultPriority: "HIGH", version: 1, active: true });
    expect(approved.requiredContext).toEqual(["repair.id", "repair.title"]);
    const rule = await (await t.call("GET", "/v1/rules/repair.assigned")).json();
    expect(rule).toMatchObject({
      template: "repair-assigned",
      recipients: ["technician"],
      priority: null,
      category: "repair",
    });
  });

  test("default priorities follow the portal's flows", async () => {
    const byName = Object.fromEntries(DEFAULT_TEMPLATES.map((d) => [d.name, d.defaultPriority]));
    expect(byName).toEqual({
      "repair-requested": "MEDIUM",
      "repair-approved": "HIGH",
      "repair-denied": "HIGH",
      "repair-assigned": "HIGH",
      "repair-completed": "MEDIUM",
      "daily-digest": "LOW",
      "test-message": "MEDIUM",
    });
  });

  test("an operator's edits survive, and a default the operator deleted stays deleted", async () => {
    const t = await makeTestApp({ seed: false });
    await t.call("POST", "/v1/templates", {
      body: {
        name: "repair-approved",
        category: "custom",
        defaultPriority: "URGENT",
        title: "Mine",
        message: "Mine",
      },
    });
    expect((await seedDefaults(t.deps)).templates).not.toContain("repair-approved");
    const mine = await (await t.call("GET", "/v1/templates/repair-approved")).json();
    expect(mine).toMatchObject({ title: "Mine", category: "custom" });

    await t.call("PUT", "/v1/templates/repair-denied", { body: { title: "Edited {{ repair.id }}" } });
    expect((await t.call("DELETE", "/v1/rules/repair.completed")).status).toBe(204);
    expect((await t.call("DELETE", "/v1/templates/repair-completed")).status).toBe(204);
    expect(await seedDefaults(t.deps)).toEqual({ templates: [], rules: [] });
    expect((await (await t.call("GET", "/v1/templates/repair-denied")).json()).title).toBe(
      "Edited {{ repair.id }}",
    );
    expect((await t.call("GET", "/v1/templates/repair-completed")).status).toBe(404);
    expect((await t.call("GET", "/v1/rules/repair.completed")).status).toBe(404);
  });

  test("a broken template file fails seeding, naming the template, and writes nothing", async () => {
    const t = await makeTestApp({ seed: false });
    const dir = join(tempDir(), "templates");
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "sms", "repair-approved.liquid"), "Repair {{ repair.number }}\n");
    await expect(seedDefaults(t.deps, { dir })).rejects.toThrow(/repair-approved.*sms.*repair\.number/);
    expect(await counts(t)).toEqual({ templates: 0, rules: 0 });
  });

  test("a seeded rule turns a portal event into a notification rendered from the default template", async () => {
    const t = await makeTestApp({ now: Date.parse("2026-01-15T18:00:00Z") });
    const res = await t.call("POST", "/v1/events", {
      key: t.portalKey,
      body: {
        type: "repair.approved",
        data: {
          repair: { id: "R-1042", title: "Leaking kitchen faucet" },
          customer: { id: "cust-7", name: "Dana", email: "dana@example.com", emailVerified: true },
        },
      },
    });
    expect(res.status).toBe(201);
    const { notification } = (await res.json()).notifications[0];
    expect(notification).toMatchObject({
      recipientId: "cust-7",
      template: "repair-approved",
      priority: "HIGH",
      category: "repair",
      title: "Repair R-1042 approved",
    });
    expect(notification.message).toContain('"Leaking kitchen faucet" has been approved');
  });
});
