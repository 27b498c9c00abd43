import { beforeAll, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import { templates } from "../../db/schema.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({
  seed: false,
  env: { HERALD_PREFERENCES_URL: "https://portal.example.com/prefs/{recipientId}" },
});

const jobUpdate = {
  name: "job-update",
  description: "A repair changed status",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Repair {{ repair.id }} is {{ status }}",
  message: "{{ repair.title }} is now {{ status }}.",
  emailSubject: "Repair {{ repair.id }}: {{ status }}",
  emailHtml: "<p>Hi {{ recipient.name }}, <b>{{ repair.title }}</b> is now {{ status }}.</p>",
  emailText: "Hi {{ recipient.name }}, {{ repair.title }} is now {{ status }}.",
  sms: "{{ branding.companyName }}: repair {{ repair.id }} is {{ status }}.",
  requiredContext: ["repair.id", "repair.title", "status"],
};
const context = { repair: { id: "R-1", title: "Leaking valve" }, status: "approved" };

const templateCount = async () => (await t.deps.db.read.select({ n: count() }).from(templates))[0]?.n;

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: jobUpdate })).status).toBe(201);
});

describe("templates: happy paths", () => {
  test("POST creates version 1 with defaults for what was left out; GET returns it", async () => {
    const res = await t.call("POST", "/v1/templates", {
      body: { name: "minimal", category: "system", defaultPriority: "LOW", title: "Hello", message: "World" },
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toEqual({
      name: "minimal",
      description: "",
      category: "system",
      defaultPriority: "LOW",
      title: "Hello",
      message: "World",
      emailSubject: null,
      emailHtml: null,
      emailText: null,
      sms: null,
      requiredContext: [],
      active: true,
      fallbackChannels: ["email", "sms"],
      version: 1,
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    });
    expect(await (await t.call("GET", "/v1/templates/minimal")).json()).toEqual(created);
  });

  test("GET lists templates by name", async () => {
    const body = await (await t.call("GET", "/v1/templates")).json();
    const names = body.items.map((i: { name: string }) => i.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("job-update");
  });

  test("PUT changes only the fields sent and bumps version and updatedAt; a no-op PUT changes nothing", async () => {
    await t.call("POST", "/v1/templates", { body: { ...jobUpdate, name: "editable" } });
    t.clock.advance(60_000);
    const res = await t.call("PUT", "/v1/templates/editable", {
      body: { title: "Repair {{ repair.id }} changed", sms: null },
    });
    expect(res.status).toBe(200);
    const updated = await res.json();
    expect(updated).toMatchObject({
      title: "Repair {{ repair.id }} changed",
      sms: null,
      message: jobUpdate.message,
      version: 2,
    });
    expect(updated.updatedAt).toBe(t.clock.now());
    expect(updated.createdAt).toBe(t.clock.now() - 60_000);

    t.clock.advance(1000);
    const same = await (
      await t.call("PUT", "/v1/templates/editable", { body: { title: "Repair {{ repair.id }} changed" } })
    ).json();
    expect(same).toEqual(updated);
  });

  test("DELETE removes a template", async () => {
    await t.call("POST", "/v1/templates", { body: { ...jobUpdate, name: "doomed" } });
    expect((await t.call("DELETE", "/v1/templates/doomed")).status).toBe(204);
    expect((await t.call("GET", "/v1/templates/doomed")).status).toBe(404);
  });

  test("preview renders every part with the sample context, plus SMS encoding, segments and cost", async () => {
    const res = await t.call("POST", "/v1/templates/job-update/preview", {
      body: { context, recipient: { name: "Dana <b>" }, actionUrl: "https://portal.example.com/repairs/R-1" },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.title).toBe("Repair R-1 is approved");
    expect(body.message).toBe("Leaking valve is now approved.");
    expect(body.email.subject).toBe("Repair R-1: approved");
    expect(body.email.html).toContain("<p>Hi Dana &lt;b&gt;, <b>Leaking valve</b> is now approved.</p>");
    expect(body.email.html).toContain('href="https://portal.example.com/prefs/preview"');
    expect(body.email.text).toStartWith("Hi Dana <b>, Leaking valve is now approved.");
    expect(body.sms).toEqual({
      text: "Herald: repair R-1 is approved.",
      encoding: "GSM-7",
      segments: 1,
      characters: 31,
      costUsd: 0.00645,
    });
  });

  test("preview prices the SMS for the sample phone's country and reports UCS-2", async () => {
    const res = await t.call("POST", "/v1/templates/job-update/preview", {
      body: { context: { ...context, status: "approuvé ✅".repeat(8) }, phone: "+447700900123" },
    });
    const { sms } = await res.json();
    expect(sms.encoding).toBe("UCS-2");
    expect(sms.segments).toBe(2);
    expect(sms.costUsd).toBeGreaterThan(2 * 0.00645);
  });
});

describe("templates: errors", () => {
  test("a syntax error is a 400 naming the field, line and column, and nothing is stored", async () => {
    const before = await templateCount();
    const res = await t.call("POST", "/v1/templates", {
      body: { ...jobUpdate, name: "broken", emailHtml: "<p>ok</p>\n<p>{{ repair.id </p>" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = await res.json();
    expect(problem.code).toBe("invalid-template");
    expect(problem.errors).toEqual([expect.objectContaining({ path: "emailHtml", line: 2, column: 4 })]);
    expect(problem.detail).toContain("emailHtml (line 2, column 4)");
    expect(await templateCount()).toBe(before);
  });

  test("PUT with a syntax error is refused and the template keeps its version", async () => {
    const res = await t.call("PUT", "/v1/templates/job-update", { body: { sms: "{% if status %}open" } });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe("sms");
    expect((await (await t.call("GET", "/v1/templates/job-update")).json()).version).toBe(1);
  });

  test("a variable outside requiredContext is refused with its position", async () => {
    const res = await t.call("POST", "/v1/templates", {
      body: { ...jobUpdate, name: "unguarded", sms: "{{ repair.id }} at {{ repair.address }}" },
    });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.code).toBe("invalid-template");
    expect(problem.errors[0]).toMatchObject({ path: "sms", line: 1, column: 23 });
    expect(problem.errors[0].message).toContain("repair.address");
  });

  test("requiredContext may not claim a global's name; an email needs subject and body together", async () => {
    const reserved = await t.call("POST", "/v1/templates", {
      body: {
        ...jobUpdate,
        name: "reserved",
        requiredContext: [...jobUpdate.requiredContext, "recipient.email"],
      },
    });
    expect(reserved.status).toBe(400);
    expect((await reserved.json()).errors[0].path).toBe("requiredContext.3");
    const halfEmail = await t.call("POST", "/v1/templates", {
      body: { ...jobUpdate, name: "half", emailHtml: null, emailText: null },
    });
    expect(halfEmail.status).toBe(400);
    expect((await halfEmail.json()).errors[0].path).toBe("emailHtml");
  });

  test("a malformed body is a 400 listing each field", async () => {
    const res = await t.call("POST", "/v1/templates", {
      body: {
        name: "bad name!",
        category: "Repair",
        defaultPriority: "SOON",
        title: "",
        message: "m",
        extra: 1,
      },
    });
    expect(res.status).toBe(400);
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "category", "defaultPriority", "title"]));
  });

  test("creating a duplicate name is a 409 conflict", async () => {
    const res = await t.call("POST", "/v1/templates", { body: jobUpdate });
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("conflict");
  });

  test("unknown templates are 404 on every route", async () => {
    expect((await t.call("GET", "/v1/templates/ghost")).status).toBe(404);
    expect((await t.call("PUT", "/v1/templates/ghost", { body: { title: "x" } })).status).toBe(404);
    expect((await t.call("DELETE", "/v1/templates/ghost")).status).toBe(404);
    const preview = await t.call("POST", "/v1/templates/ghost/preview", { body: { context } });
    expect(preview.status).toBe(404);
    expect((await preview.json()).code).toBe("not-found");
  });

  test("preview without the required context is a 422 naming each missing key", async () => {
    const res = await t.call("POST", "/v1/templates/job-update/preview", {
      body: { context: { repair: { id: "R-1" } } },
    });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.code).toBe("missing-context");
    expect(problem.missing).toEqual(["repair.title", "status"]);
  });

  test("a template used by an event rule cannot be deleted", async () => {
    await t.call("POST", "/v1/templates", { body: { ...jobUpdate, name: "in-use" } });
    await t.call("PUT", "/v1/rules/repair.in-use", {
      body: { template: "in-use", recipients: ["customer"] },
    });
    const res = await t.call("DELETE", "/v1/templates/in-use");
    expect(res.status).toBe(409);
    expect((await res.json()).rules).toEqual(["repair.in-use"]);
    expect((await t.call("GET", "/v1/templates/in-use")).status).toBe(200);
  });
});

describe("templates: sandbox", () => {
  test("include, render and layout are refused at save: stored templates cannot read files", async () => {
    for (const tag of [
      "{% include 'package.json' %}",
      "{% render '../../etc/passwd' %}",
      "{% layout 'x' %}",
    ]) {
      const res = await t.call("POST", "/v1/templates", {
        body: { ...jobUpdate, name: "sneaky", message: tag },
      });
      expect(res.status).toBe(400);
      const problem = await res.json();
      expect(problem.code).toBe("invalid-template");
      expect(problem.errors[0].message).toContain("cannot read files");
    }
  });

  test("prototype access is refused at save", async () => {
    const res = await t.call("POST", "/v1/templates", {
      body: { ...jobUpdate, name: "proto", title: "{{ repair.constructor.name }}{{ status.constructor }}" },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toHaveLength(2);
  });

  test("prototype access yields nothing through a required path either", async () => {
    const created = await t.call("POST", "/v1/templates", {
      body: {
        ...jobUpdate,
        name: "proto-required",
        title: "[{{ repair.constructor }}]",
        requiredContext: [...jobUpdate.requiredContext, "repair.constructor"],
      },
    });
    expect(created.status).toBe(201);
    const res = await t.call("POST", "/v1/templates/proto-required/preview", { body: { context } });
    expect(res.status).toBe(422);
    expect((await res.json()).missing).toEqual(["repair.constructor"]);
  });

  test("runaway templates are stopped by the render limits", async () => {
    const created = await t.call("POST", "/v1/templates", {
      body: {
        ...jobUpdate,
        name: "runaway",
        message: "{% for i in (1..100000) %}{% for j in (1..100000) %}{{ status }}{% endfor %}{% endfor %}",
      },
    });
    expect(created.status).toBe(201);
    const res = await t.call("POST", "/v1/templates/runaway/preview", { body: { context } });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe("unprocessable");
  });
});

describe("templates: auth", () => {
  test("no key is 401; a portal key is 403 on every template route", async () => {
    expect((await t.call("GET", "/v1/templates", { key: null })).status).toBe(401);
    const portal = { key: t.portalKey };
    expect((await t.call("GET", "/v1/templates", portal)).status).toBe(403);
    expect(
      (await t.call("POST", "/v1/templates", { ...portal, body: { ...jobUpdate, name: "x" } })).status,
    ).toBe(403);
    expect((await t.call("GET", "/v1/templates/job-update", portal)).status).toBe(403);
    expect(
      (await t.call("PUT", "/v1/templates/job-update", { ...portal, body: { title: "x" } })).status,
    ).toBe(403);
    expect((await t.call("DELETE", "/v1/templates/job-update", portal)).status).toBe(403);
    expect(
      (await t.call("POST", "/v1/templates/job-update/preview", { ...portal, body: { context } })).status,
    ).toBe(403);
    expect((await t.call("GET", "/v1/templates/job-update")).status).toBe(200);
  });
});
