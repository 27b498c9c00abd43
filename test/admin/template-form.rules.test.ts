import { describe, expect, test } from "bun:test";
import {
  createInputOf,
  issuesByField,
  newTemplateForm,
  postedForm,
  previewInputOf,
  sampleContext,
  updateInputOf,
} from "../../src/admin/template-form.rules.ts";

const form = (fields: Record<string, string>) => postedForm({ ...fields });

describe("the template form as the API's inputs", () => {
  test("a posted form uses LF line breaks, drops blank requiredContext lines and reads the active box", () => {
    const posted = form({
      name: " greet ",
      category: "system",
      defaultPriority: "LOW",
      title: "Hi",
      message: "one\r\ntwo",
      requiredContext: "a.b\r\n\r\n c \r\n",
    });
    expect(posted.active).toBe(false);
    expect(createInputOf(posted)).toEqual({
      ok: true,
      input: {
        name: "greet",
        description: "",
        category: "system",
        defaultPriority: "LOW",
        title: "Hi",
        message: "one\ntwo",
        emailSubject: "",
        emailHtml: "",
        emailText: "",
        sms: "",
        requiredContext: ["a.b", "c"],
        active: false,
      },
    });
    const update = updateInputOf(posted);
    expect(update.ok && "active" in update.input).toBe(false);
  });

  test("refusals go beside their field; a requiredContext entry is named by its line in the box", () => {
    const posted = form({
      category: "Bad",
      defaultPriority: "SOON",
      title: "",
      message: "m",
      requiredContext: "ok\n\nnot ok",
    });
    const checked = createInputOf(posted);
    expect(checked.ok).toBe(false);
    const byField = issuesByField(posted, checked.ok ? [] : checked.issues);
    expect(byField.get("requiredContext")).toEqual(["line 3: a dotted path such as repair.id"]);
    expect([...byField.keys()].sort()).toEqual([
      "category",
      "defaultPriority",
      "name",
      "requiredContext",
      "title",
    ]);
    expect(
      issuesByField(posted, [
        { path: "context.repair.id", message: "required by the template" },
        { path: "email layout", message: "render limit exceeded" },
        { path: "form", message: "Something else" },
      ]),
    ).toEqual(
      new Map([
        ["context", ["repair.id: required by the template"]],
        ["form", ["email layout: render limit exceeded", "Something else"]],
      ]),
    );
  });

  test("the sample context must be a JSON object; an empty box is {}", () => {
    const base = newTemplateForm();
    expect(previewInputOf({ ...base, context: "" })).toEqual({ ok: true, input: { context: {} } });
    expect(previewInputOf({ ...base, context: "[1]" })).toEqual({
      ok: false,
      issues: [{ path: "context", message: "must be a JSON object, such as {}" }],
    });
    const badPhone = previewInputOf({ ...base, phone: "0770" });
    expect(badPhone.ok ? [] : badPhone.issues.map((i) => i.path)).toEqual(["phone"]);
  });

  test("a stored template's sample context has a placeholder at every required path", () => {
    expect(JSON.parse(sampleContext(["repair.id", "repair.customer.name", "status", "repair"]))).toEqual({
      repair: { id: "repair.id", customer: { name: "repair.customer.name" } },
      status: "status",
    });
  });
});
