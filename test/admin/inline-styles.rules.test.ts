import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { inlineStyleSources } from "../../src/admin/inline-styles.rules.ts";
import { ADMIN_CSP, adminCsp } from "../../src/admin/security.ts";

const source = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

describe("inline style sources of a previewed email", () => {
  test("hash each distinct style attribute as the DOM holds it, and each <style> element's text", () => {
    const html =
      `<body style="font-family:&#39;Segoe UI&#39;,sans-serif;a&amp;b">` +
      `<p style='color:red'>x</p><p style="color:red">y</p>` +
      "<style>p { margin: 0 }</style><style>a{}</style></body>";
    expect(inlineStyleSources(html)).toEqual([
      source("font-family:'Segoe UI',sans-serif;a&b"),
      source("color:red"),
      source("p { margin: 0 }"),
      source("a{}"),
    ]);
  });

  test("an email without inline styles adds nothing, and the console's policy stays as it is", () => {
    expect(inlineStyleSources("<p>plain</p>")).toEqual([]);
    expect(adminCsp([])).toBe(ADMIN_CSP);
    expect(adminCsp([source("color:red")])).toContain(
      `style-src 'self' 'unsafe-hashes' ${source("color:red")};`,
    );
  });
});
