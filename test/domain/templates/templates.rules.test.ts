import { describe, expect, test } from "bun:test";
import {
  emailPartIssues,
  GLOBAL_PATHS,
  hasEmail,
  isGuaranteedPath,
  missingContext,
  requiredContextIssues,
} from "../../../src/domain/templates/templates.rules.ts";

describe("missingContext", () => {
  const context = { repair: { id: "R-1", title: null, tags: ["a"] }, reason: "", count: 0 };

  test("reads dotted paths and lists what is absent, in the template's order", () => {
    expect(
      missingContext(["repair.id", "repair.address", "customer.name", "reason", "count"], context),
    ).toEqual(["repair.address", "customer.name"]);
  });

  test("null counts as missing; empty strings and zero do not", () => {
    expect(missingContext(["repair.title", "reason", "count"], context)).toEqual(["repair.title"]);
  });

  test("indexes into arrays", () => {
    expect(missingContext(["repair.tags.0", "repair.tags.1"], context)).toEqual(["repair.tags.1"]);
  });

  test("inherited properties are never found", () => {
    expect(missingContext(["repair.constructor", "toString", "repair.id.length"], context)).toEqual([
      "repair.constructor",
      "toString",
      "repair.id.length",
    ]);
  });
});

describe("isGuaranteedPath", () => {
  const guaranteed = ["repair.id", "digest.items", ...GLOBAL_PATHS];

  test("a required path and every path leading to it are guaranteed", () => {
    expect(isGuaranteedPath("repair.id", guaranteed)).toBe(true);
    expect(isGuaranteedPath("repair", guaranteed)).toBe(true);
  });

  test("siblings and children of a required path are not", () => {
    expect(isGuaranteedPath("repair.title", guaranteed)).toBe(false);
    expect(isGuaranteedPath("repair.id.extra", guaranteed)).toBe(false);
    expect(isGuaranteedPath("rep", guaranteed)).toBe(false);
  });

  test("`.size` only needs its parent", () => {
    expect(isGuaranteedPath("digest.items.size", guaranteed)).toBe(true);
    expect(isGuaranteedPath("digest.other.size", guaranteed)).toBe(false);
  });

  test("a top-level name required whole covers every path under it, except inherited keys", () => {
    const roots = ["repair", "technician"];
    const required = [...roots, ...GLOBAL_PATHS];
    expect(isGuaranteedPath("repair.id", required, roots)).toBe(true);
    expect(isGuaranteedPath("technician.address.street", required, roots)).toBe(true);
    expect(isGuaranteedPath("repair", required, roots)).toBe(true);
    expect(isGuaranteedPath("repairs.id", required, roots)).toBe(false);
    expect(isGuaranteedPath("repair.constructor.name", required, roots)).toBe(false);
    expect(isGuaranteedPath("repair.__proto__", required, roots)).toBe(false);
    expect(isGuaranteedPath("priority.name", required, roots)).toBe(false);
  });

  test("globals are guaranteed property by property", () => {
    expect(isGuaranteedPath("recipient.name", guaranteed)).toBe(true);
    expect(isGuaranteedPath("branding.primaryColor", guaranteed)).toBe(true);
    expect(isGuaranteedPath("preferencesUrl", guaranteed)).toBe(true);
    expect(isGuaranteedPath("recipient.email", guaranteed)).toBe(false);
  });
});

describe("requiredContextIssues", () => {
  test("accepts dotted paths", () => {
    expect(requiredContextIssues(["repair.id", "customer.name", "items.0.title", "with-dash"])).toEqual([]);
  });

  test("names each malformed, duplicated or reserved entry by index", () => {
    const issues = requiredContextIssues([
      "repair..id",
      "repair.id",
      "repair.id",
      "recipient.email",
      "branding",
    ]);
    expect(issues.map((i) => i.path)).toEqual([
      "requiredContext.0",
      "requiredContext.2",
      "requiredContext.3",
      "requiredContext.4",
    ]);
  });
});

describe("email parts", () => {
  test("an email needs a subject and at least one body", () => {
    expect(hasEmail({ emailSubject: "s", emailHtml: null, emailText: "t" })).toBe(true);
    expect(hasEmail({ emailSubject: "s", emailHtml: null, emailText: null })).toBe(false);
    expect(hasEmail({ emailSubject: null, emailHtml: "h", emailText: null })).toBe(false);
  });

  test("half an email is an issue naming the missing field", () => {
    expect(emailPartIssues({ emailSubject: "s", emailHtml: null, emailText: null })[0]?.path).toBe(
      "emailHtml",
    );
    expect(emailPartIssues({ emailSubject: null, emailHtml: "h", emailText: null })[0]?.path).toBe(
      "emailSubject",
    );
    expect(emailPartIssues({ emailSubject: null, emailHtml: null, emailText: null })).toEqual([]);
  });
});
