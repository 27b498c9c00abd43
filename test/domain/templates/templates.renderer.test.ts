import { describe, expect, test } from "bun:test";
import { DEFAULT_BRANDING } from "../../../src/domain/branding/branding.service.ts";
import { renderNotification } from "../../../src/domain/templates/templates.renderer.ts";
import type { RenderGlobals, TemplateRecord } from "../../../src/domain/templates/templates.types.ts";
import { AppError } from "../../../src/errors.ts";

let counter = 0;
/** A template row as the repository returns it; each call gets its own name so cache entries never collide. */
function template(fields: Partial<TemplateRecord> = {}): TemplateRecord {
  return {
    name: `t-${++counter}`,
    description: "",
    category: "repair",
    defaultPriority: "HIGH",
    title: "Repair {{ repair.id }}: {{ repair.title }}",
    message: "Hi {{ recipient.name }}, {{ repair.title }} is approved.",
    emailSubject: "Repair {{ repair.id }}: {{ repair.title }}",
    emailHtml: "<p>{{ repair.title }} for {{ recipient.name }}</p>",
    emailText: "{{ repair.title }} for {{ recipient.name }}",
    sms: "{{ branding.companyName }}: {{ repair.title }}",
    requiredContext: ["repair.id", "repair.title"],
    active: true,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  };
}

const globals: RenderGlobals = {
  recipient: { id: "c-1", name: "Dana <script>alert(1)</script>", kind: "customer", locale: "en" },
  branding: {
    ...DEFAULT_BRANDING,
    companyName: "Acme & Sons",
    logoUrl: "https://cdn.example.com/logo.png?v=1&s=2",
    primaryColor: "#112233",
    accentColor: "#445566",
    footerText: "Acme <Repairs>\n1 Main St",
    supportEmail: "help@example.com",
  },
  actionUrl: "https://portal.example.com/repairs/R-1",
  priority: "HIGH",
  category: "repair",
  preferencesUrl: "https://portal.example.com/prefs?r=c-1&x=1",
};
const context = { repair: { id: "R-1", title: "Sink & <tap>" } };

describe("renderNotification", () => {
  test("renders title, message, email and SMS; only email HTML is escaped", async () => {
    const r = await renderNotification(template(), context, globals);
    expect(r.title).toBe("Repair R-1: Sink & <tap>");
    expect(r.message).toBe("Hi Dana <script>alert(1)</script>, Sink & <tap> is approved.");
    expect(r.email?.subject).toBe("Repair R-1: Sink & <tap>");
    expect(r.email?.html).toContain(
      "<p>Sink &amp; &lt;tap&gt; for Dana &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
    expect(r.email?.html).not.toContain("<script>");
    expect(r.email?.text).toStartWith("Sink & <tap> for Dana <script>alert(1)</script>");
    expect(r.sms).toEqual({
      text: "Acme & Sons: Sink & <tap>",
      encoding: "GSM-7",
      segments: 1,
      characters: 25,
    });
  });

  test("the HTML layout carries the branding, escaped, and the preferences link", async () => {
    const html = (await renderNotification(template(), context, globals)).email?.html ?? "";
    expect(html).toContain('<img src="https://cdn.example.com/logo.png?v=1&amp;s=2" alt="Acme &amp; Sons"');
    expect(html).toContain("background:#112233");
    expect(html).toContain("background:#445566");
    expect(html).toContain("Acme &lt;Repairs&gt;<br />\n1 Main St");
    expect(html).toContain('href="mailto:help@example.com"');
    expect(html).toContain('href="https://portal.example.com/prefs?r=c-1&amp;x=1"');
    expect(html).toContain('href="https://portal.example.com/repairs/R-1"');
    expect(html).toContain("<title>Repair R-1: Sink &amp; &lt;tap&gt;</title>");
  });

  test("the text layout adds the footer, support address and preferences link unescaped", async () => {
    const text = (await renderNotification(template(), context, globals)).email?.text ?? "";
    expect(text).toContain("View details: https://portal.example.com/repairs/R-1");
    expect(text).toContain("Acme <Repairs>\n1 Main St");
    expect(text).toContain("Questions? Write to help@example.com");
    expect(text).toEndWith(
      "Manage your notification preferences: https://portal.example.com/prefs?r=c-1&x=1",
    );
  });

  test("without a logo the company name heads the email; a non-web action URL gets no button", async () => {
    const html =
      (
        await renderNotification(template(), context, {
          ...globals,
          branding: { ...globals.branding, logoUrl: null },
          actionUrl: "javascript:alert(1)",
        })
      ).email?.html ?? "";
    expect(html).not.toContain("<img");
    expect(html).toContain(">Acme &amp; Sons</span>");
    expect(html).not.toContain("javascript:");
  });

  test("a template with only a title and a message emails the title as subject and the message in the layout", async () => {
    const r = await renderNotification(
      template({ emailSubject: null, emailHtml: null, emailText: null, sms: null }),
      context,
      globals,
    );
    expect(r.email.subject).toBe("Repair R-1: Sink & <tap>");
    expect(r.email.html).toContain(
      "<p>Hi Dana &lt;script&gt;alert(1)&lt;/script&gt;, Sink &amp; &lt;tap&gt; is approved.</p>",
    );
    expect(r.email.html).not.toContain("<script>");
    expect(r.email.html).toContain('href="https://portal.example.com/prefs?r=c-1&amp;x=1"');
    expect(r.email.text).toStartWith("Hi Dana <script>alert(1)</script>, Sink & <tap> is approved.");
    expect(r.email.text).toEndWith(
      "Manage your notification preferences: https://portal.example.com/prefs?r=c-1&x=1",
    );
  });

  test("without SMS text the SMS is the title, then the message on the next line", async () => {
    const r = await renderNotification(
      template({ sms: null, message: "“Sink” is approved." }),
      context,
      globals,
    );
    expect(r.sms).toEqual({
      text: 'Repair R-1: Sink & <tap>\n"Sink" is approved.',
      encoding: "GSM-7",
      segments: 1,
      characters: 44,
    });
  });

  test("a missing body is derived from the other", async () => {
    const fromHtml = await renderNotification(
      template({
        emailText: null,
        emailHtml: '<p>Hello <b>{{ repair.title }}</b></p><p><a href="https://x.example">Open</a></p>',
      }),
      context,
      globals,
    );
    expect(fromHtml.email?.text).toStartWith("Hello Sink & <tap>\n\nOpen (https://x.example)");
    const fromText = await renderNotification(
      template({ emailHtml: null, emailText: "Hello {{ repair.title }}\nBye" }),
      context,
      globals,
    );
    expect(fromText.email?.html).toContain("<p>Hello Sink &amp; &lt;tap&gt;<br>Bye</p>");
  });

  test("titles and subjects are one line whatever the context holds", async () => {
    const r = await renderNotification(
      template(),
      { repair: { id: "R-1", title: "Sink\r\nBcc: x@example.com" } },
      globals,
    );
    expect(r.title).toBe("Repair R-1: Sink Bcc: x@example.com");
    expect(r.email?.subject).toBe("Repair R-1: Sink Bcc: x@example.com");
  });

  test("SMS smart punctuation becomes GSM-7 so the message stays cheap", async () => {
    const r = await renderNotification(
      template(),
      { repair: { id: "R-1", title: "Dana’s “sink”" } },
      globals,
    );
    expect(r.sms).toMatchObject({ text: 'Acme & Sons: Dana\'s "sink"', encoding: "GSM-7" });
  });

  test("a changed template is re-parsed: by version, and by source when a name is reused", async () => {
    const v1 = template();
    expect((await renderNotification(v1, context, globals)).title).toBe("Repair R-1: Sink & <tap>");
    const v2 = { ...v1, version: 2, title: "Version two {{ repair.id }}" };
    expect((await renderNotification(v2, context, globals)).title).toBe("Version two R-1");
    const recreated = { ...v1, title: "Recreated {{ repair.id }}" };
    expect((await renderNotification(recreated, context, globals)).title).toBe("Recreated R-1");
  });

  test("a render error is unprocessable and names the field", async () => {
    const t = template({ sms: "{{ repair.address }}" });
    const error = await renderNotification(t, context, globals).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("unprocessable");
    expect((error as AppError).extras.errors?.[0]?.path).toBe("sms");
    expect((error as AppError).message).toContain("undefined variable: repair.address");
  });

  test("prototype members and methods are not reachable", async () => {
    const titles = [
      "{{ repair.constructor }}",
      "{{ repair.title.constructor.name }}",
      "{{ repair.__proto__ }}",
      "{{ repair.title.toUpperCase }}",
      "{{ repair.hasOwnProperty }}",
    ];
    for (const title of titles) {
      const error = await renderNotification(template({ title }), context, globals).catch((e: unknown) => e);
      expect([title, (error as AppError).code]).toEqual([title, "unprocessable"]);
    }
  });

  test("a stored template that no longer parses is unprocessable", async () => {
    const error = await renderNotification(template({ message: "{% if %}" }), context, globals).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe("unprocessable");
    expect((error as AppError).extras.errors?.[0]?.path).toBe("message");
  });

  test("a runaway loop is stopped by the render limits", async () => {
    const t = template({
      message: "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}",
    });
    const error = await renderNotification(t, context, globals).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("unprocessable");
    expect((error as AppError).message).toMatch(/limit exceeded/);
  });
});
