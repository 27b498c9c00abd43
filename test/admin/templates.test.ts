import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { templates } from "../../db/schema.ts";
import { PAGE_SIZE } from "../../src/admin/list-filters.rules.ts";
import { estimateSmsCostUsd } from "../../src/domain/sms/sms.rules.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false });
const browser = await signIn(t);

/** The form fields of a valid template, as a browser posts them (textareas with CRLF line breaks). */
const jobForm = {
  name: "job-update",
  description: "A repair changed status",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Repair {{ repair.id }} is {{ status }}",
  message: "{{ repair.title }}\r\nis now {{ status }}.",
  emailSubject: "Repair {{ repair.id }}: {{ status }}",
  emailHtml: "<p>Hi {{ recipient.name }},</p>\r\n<p><b>{{ repair.title }}</b> is now {{ status }}.</p>",
  emailText: "",
  sms: "Repair {{ repair.id }} is {{ status }}.",
  requiredContext: "repair.id\r\nrepair.title\r\n\r\nstatus",
  active: "on",
  context: "{}",
  phone: "",
};
const context = JSON.stringify({ repair: { id: "R-7", title: "Leaking valve" }, status: "approved" });

const templateCount = async () => (await t.deps.db.read.select({ n: count() }).from(templates))[0]?.n;
const storedRow = async (name: string) =>
  (await t.deps.db.read.select().from(templates).where(eq(templates.name, name)))[0];

/** Text as the page shows it, after hono/jsx escaped & < > " '. */
const unescaped = (html: string) =>
  html
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");

/** The refusals shown beside a field (the list its control's aria-describedby names). */
function fieldIssues(html: string, field: string): string[] {
  const list = new RegExp(`<ul class="field-error" id="err-${field}">(.*?)</ul>`).exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>(.*?)<\/li>/g)].map((m) => unescaped(m[1] ?? ""));
}

/** The text a textarea shows (after the newline the page writes right after the opening tag). */
function textareaValue(html: string, field: string): string {
  const match = new RegExp(`<textarea id="f-${field}"[^>]*>\\n([\\s\\S]*?)</textarea>`).exec(html);
  if (!match) throw new Error(`no textarea ${field}`);
  return unescaped(match[1] ?? "");
}

describe("admin console: templates", () => {
  test("creating a template through the form stores what the API then returns, with LF line breaks", async () => {
    const res = await browser.post("/admin/templates", jobForm);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/templates/job-update?done=created");

    const api = await (await t.call("GET", "/v1/templates/job-update")).json();
    expect(api).toMatchObject({
      name: "job-update",
      description: "A repair changed status",
      category: "repair",
      defaultPriority: "HIGH",
      message: "{{ repair.title }}\nis now {{ status }}.",
      emailHtml: "<p>Hi {{ recipient.name }},</p>\n<p><b>{{ repair.title }}</b> is now {{ status }}.</p>",
      emailText: null,
      requiredContext: ["repair.id", "repair.title", "status"],
      active: true,
      version: 1,
      fallbackChannels: [],
    });

    const page = await (await browser.get("/admin/templates/job-update?done=created")).text();
    expect(page).toContain("The template was created.");
    expect(textareaValue(page, "message")).toBe("{{ repair.title }}\nis now {{ status }}.");
    expect(textareaValue(page, "requiredContext")).toBe("repair.id\nrepair.title\nstatus");
  });

  test("the list shows each template's name, channels, state and update time, a page at a time", async () => {
    await t.call("POST", "/v1/templates", {
      body: { name: "a-plain", category: "system", defaultPriority: "LOW", title: "Hi", message: "There" },
    });
    await t.call("PUT", "/v1/templates/a-plain", { body: { active: false } });
    const res = await browser.get("/admin/templates");
    expect(res.status).toBe(200);
    const html = await res.text();
    const row = (name: string) =>
      new RegExp(`<tr><td><a href="/admin/templates/${name}">${name}</a></td>(.*?)</tr>`).exec(html)?.[1] ??
      "";
    expect(row("a-plain")).toContain("<td>in-app, email (title and message), SMS (title and message)</td>");
    expect(row("a-plain")).toContain('<span class="badge status-muted">inactive</span>');
    expect(row("job-update")).toContain("<td>in-app, email, SMS</td>");
    expect(row("job-update")).toContain('<span class="badge status-good">active</span>');
    expect(row("job-update")).toContain(new Date(t.clock.now()).toISOString().slice(0, 10));

    for (let i = 0; i < PAGE_SIZE; i++) {
      const name = `bulk-${String(i).padStart(2, "0")}`;
      await t.call("POST", "/v1/templates", {
        body: { name, category: "system", defaultPriority: "LOW", title: "Hi", message: "There" },
      });
    }
    const names = (page: string) =>
      [...page.matchAll(/<tr><td><a href="\/admin\/templates\/([^"]+)">/g)].map((m) => m[1]);
    const first = await (await browser.get("/admin/templates")).text();
    expect(names(first)).toHaveLength(PAGE_SIZE);
    expect(names(first)[0]).toBe("a-plain");
    const next = /href="(\/admin\/templates\?cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await browser.get(unescaped(next ?? ""))).text();
    expect(names(second)).toEqual(["bulk-24", "job-update"]);
    expect(second).toContain("End of the list.");
    expect((await browser.get("/admin/templates?cursor=not-ours")).status).toBe(400);
  });

  test("a Liquid syntax error is refused with 422 at its field, line and column; the text stays and nothing is stored", async () => {
    const before = await templateCount();
    const broken = "<p>Hello</p>\r\n<p>\r\n  {% if repair.id %}open";
    const res = await browser.post("/admin/templates", { ...jobForm, name: "broken", emailHtml: broken });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldIssues(html, "emailHtml")).toEqual(["line 3, column 3: tag {% if repair.id %} not closed"]);
    expect(html).toContain('aria-describedby="hint-emailHtml err-emailHtml" aria-invalid="true"');
    expect(textareaValue(html, "emailHtml")).toBe("<p>Hello</p>\n<p>\n  {% if repair.id %}open");
    expect(html).toContain(`value="broken"`);
    expect(textareaValue(html, "title")).toBe(jobForm.title);
    expect(await templateCount()).toBe(before);
    expect(await storedRow("broken")).toBeUndefined();
  });

  test("a variable outside requiredContext, a bad requiredContext line and a bad field are each shown where they are", async () => {
    const res = await browser.post("/admin/templates", {
      ...jobForm,
      name: "unguarded",
      sms: "Hi\r\nrepair {{ repair.customer }} now",
      requiredContext: "repair.id\r\n\r\nnot a path",
      category: "Has Caps",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldIssues(html, "requiredContext")).toEqual(["line 3: a dotted path such as repair.id"]);
    expect(fieldIssues(html, "category")).toEqual(["lowercase letters, digits and . _ -"]);
    expect(await storedRow("unguarded")).toBeUndefined();

    const fixed = await browser.post("/admin/templates", {
      ...jobForm,
      name: "unguarded",
      sms: "Hi\r\nrepair {{ repair.customer }} now",
    });
    expect(fixed.status).toBe(422);
    expect(fieldIssues(await fixed.text(), "sms")).toEqual([
      "line 2, column 11: 'repair.customer' is neither in requiredContext nor a global; add it to requiredContext",
    ]);
    expect(await storedRow("unguarded")).toBeUndefined();
  });

  test("a taken name is refused beside the name field with the text kept", async () => {
    const res = await browser.post("/admin/templates", { ...jobForm, title: "Another title" });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(fieldIssues(html, "name")).toEqual(["'job-update' is taken by another template"]);
    expect(textareaValue(html, "title")).toBe("Another title");
    expect((await storedRow("job-update"))?.title).toBe(jobForm.title);
  });

  test("editing saves through the API's update (version grows); a refused edit keeps the text and changes nothing", async () => {
    const { name: _name, active: _active, ...fields } = jobForm;
    const saved = await browser.post("/admin/templates/job-update", {
      ...fields,
      emailText: "Plain {{ status }}",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/admin/templates/job-update?done=saved");
    expect(await storedRow("job-update")).toMatchObject({ emailText: "Plain {{ status }}", version: 2 });

    const refused = await browser.post("/admin/templates/job-update", {
      ...fields,
      title: "Repair {{ repair.id",
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(fieldIssues(html, "title")[0]).toStartWith("line 1, column 8: ");
    expect(textareaValue(html, "title")).toBe("Repair {{ repair.id");
    expect(await storedRow("job-update")).toMatchObject({ title: jobForm.title, version: 2 });
  });

  test("preview renders the unsaved form: the email in a sandboxed frame, the SMS with encoding, segments and cost", async () => {
    const before = await templateCount();
    const res = await browser.post("/admin/templates/_new/preview", {
      ...jobForm,
      name: "draft",
      sms: "Repair {{ repair.id }} is {{ status }} ✅",
      context,
      phone: "+447700900123",
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const frame = /<iframe class="email-preview" sandbox="" srcdoc="([^"]*)" title="([^"]*)"><\/iframe>/.exec(
      html,
    );
    expect(frame).not.toBeNull();
    const email = unescaped(frame?.[1] ?? "");
    expect(email).toContain("<p>Hi Alex Example,</p>\n<p><b>Leaking valve</b> is now approved.</p>");
    expect(unescaped(frame?.[2] ?? "")).toBe("Email preview: Repair R-7: approved");
    expect(html).toContain("<strong>Subject:</strong> Repair R-7: approved");
    // "✅" is outside GSM-7: UCS-2, one segment of 70 units, priced for the UK number.
    const cost = estimateSmsCostUsd(1, "+447700900123").toFixed(4);
    expect(html).toContain(`UCS-2, 1 segment, 24 UTF-16 units; estimated $${cost} per send to +447700900123`);
    expect(html).toContain("<pre>Repair R-7 is approved ✅</pre>");
    // The form is shown again as posted, and nothing was stored.
    expect(textareaValue(html, "context")).toBe(context);
    expect(await templateCount()).toBe(before);

    // The frame inherits the console's policy, which names exactly the email's own inline styles.
    const csp = res.headers.get("content-security-policy") ?? "";
    const bodyStyle = /<body style="([^"]*)"/.exec(email)?.[1] ?? "";
    const hash = createHash("sha256").update(bodyStyle).digest("base64");
    expect(csp).toContain(`style-src 'self' 'unsafe-hashes' `);
    expect(csp).toContain(`'sha256-${hash}'`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect((await browser.get("/admin/templates")).headers.get("content-security-policy")).not.toContain(
      "sha256",
    );
  });

  test("preview of a stored template's edited text prices a long GSM-7 SMS by segments", async () => {
    const { name: _name, active: _active, ...fields } = jobForm;
    const res = await browser.post("/admin/templates/job-update/preview", {
      ...fields,
      sms: `{{ repair.title }} ${"x".repeat(150)}`,
      context,
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`GSM-7, 2 segments, 164 septets; estimated $${estimateSmsCostUsd(2).toFixed(4)}`);
    expect(html).toContain("(US/CA price)");
    expect((await storedRow("job-update"))?.sms).toBe(jobForm.sms);
  });

  test("a preview without the required context, or with context that is not JSON, is refused at the context box", async () => {
    const missing = await browser.post("/admin/templates/_new/preview", {
      ...jobForm,
      context: JSON.stringify({ repair: { id: "R-7" } }),
    });
    expect(missing.status).toBe(422);
    const html = await missing.text();
    expect(fieldIssues(html, "context")).toEqual([
      "repair.title: required by the template",
      "status: required by the template",
    ]);
    expect(html).not.toContain("<iframe");

    const notJson = await browser.post("/admin/templates/_new/preview", {
      ...jobForm,
      context: "{ repair: 1 }",
    });
    expect(notJson.status).toBe(422);
    expect(fieldIssues(await notJson.text(), "context")[0]).toStartWith("is not valid JSON");
  });

  test("deactivate and activate change the stored template through the API's update", async () => {
    const off = await browser.post("/admin/templates/job-update/deactivate");
    expect(off.status).toBe(303);
    expect(off.headers.get("location")).toBe("/admin/templates/job-update?done=deactivated");
    expect((await storedRow("job-update"))?.active).toBe(false);
    const page = await (await browser.get("/admin/templates/job-update")).text();
    expect(page).toContain('action="/admin/templates/job-update/activate"');

    const on = await browser.post("/admin/templates/job-update/activate");
    expect(on.status).toBe(303);
    expect((await storedRow("job-update"))?.active).toBe(true);
    expect((await browser.post("/admin/templates/ghost/activate")).status).toBe(404);
  });

  test("a form without the CSRF token is refused with 403 and stores nothing", async () => {
    const before = await storedRow("job-update");
    const res = await browser.post("/admin/templates/job-update/deactivate", { _csrf: "" });
    expect(res.status).toBe(403);
    const create = await browser.post("/admin/templates", { ...jobForm, name: "no-token", _csrf: "" });
    expect(create.status).toBe(403);
    expect(await storedRow("job-update")).toEqual(before);
    expect(await storedRow("no-token")).toBeUndefined();
  });

  test("an unknown template's page is a 404 page", async () => {
    expect((await browser.get("/admin/templates/ghost")).status).toBe(404);
    expect((await browser.get("/admin/templates/_new")).status).toBe(200);
  });

  test("a template form of realistic size is accepted (the small-form limit is for the other pages)", async () => {
    const big = `<p>{{ repair.title }}</p>\n${"<p>Filler paragraph with some text in it.</p>\n".repeat(1000)}`;
    const res = await browser.post("/admin/templates", { ...jobForm, name: "big-one", emailHtml: big });
    expect(res.status).toBe(303);
    expect((await storedRow("big-one"))?.emailHtml).toBe(big);
  });
});
