import { describe, expect, test } from "bun:test";
import { templateSourceIssues } from "../../../src/domain/templates/templates.compiler.ts";

const base = {
  title: "Repair {{ repair.id }}",
  message: "{{ repair.title }}",
  emailSubject: null,
  emailHtml: null,
  emailText: null,
  sms: null,
  requiredContext: ["repair.id", "repair.title"],
};

describe("templateSourceIssues", () => {
  test("a template using only required context and globals has no issues", () => {
    expect(
      templateSourceIssues({
        ...base,
        emailHtml:
          "{% for tag in repair.tags %}{{ tag | upcase }}{% endfor %}{% assign n = repair.id %}{{ n }} {{ recipient.name | default: 'there' }} {{ branding.companyName }} {{ preferencesUrl }}",
        requiredContext: [...base.requiredContext, "repair.tags"],
      }),
    ).toEqual([]);
  });

  test("a syntax error names the field, line and column", () => {
    const issues = templateSourceIssues({ ...base, emailText: "Hello\n\n   {% if %}" });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: "emailText", line: 3, column: 9 });
    expect(issues[0]?.message).toStartWith("line 3, column 9:");
  });

  test("unknown filters and unclosed tags are syntax errors", () => {
    const issues = templateSourceIssues({
      ...base,
      title: "{{ repair.id | shout }}",
      sms: "{% if repair.id %}x",
    });
    expect(issues.map((i) => i.path)).toEqual(["title", "sms"]);
    expect(issues[0]?.message).toContain("undefined filter: shout");
  });

  test("include, render and layout are refused: stored templates cannot read files", () => {
    for (const tag of [
      "{% include 'x' %}",
      "{% render 'x' %}",
      "{% layout 'x' %}",
      "{% liquid include 'x' %}",
    ]) {
      const issues = templateSourceIssues({ ...base, message: `ok\n${tag}` });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: "message", line: 2 });
      expect(issues[0]?.message).toContain("cannot read files");
    }
  });

  test("increment and decrement are refused: they would write into Herald's globals", () => {
    const issues = templateSourceIssues({
      ...base,
      title: "{% increment priority %}{% decrement x %}{{ priority }}",
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain("{% increment %} is not allowed");
  });

  test("a variable outside requiredContext and the globals is refused with its position", () => {
    const issues = templateSourceIssues({ ...base, sms: "Repair {{ repair.id }} at\n {{ repair.address }}" });
    expect(issues).toEqual([
      {
        path: "sms",
        line: 2,
        column: 5,
        message:
          "line 2, column 5: 'repair.address' is neither in requiredContext nor a global; add it to requiredContext",
      },
    ]);
  });

  test("prototype paths are not globals or context", () => {
    const issues = templateSourceIssues({ ...base, title: "{{ repair.constructor }}{{ recipient.email }}" });
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining("'repair.constructor'"),
      expect.stringContaining("'recipient.email'"),
    ]);
  });
});
