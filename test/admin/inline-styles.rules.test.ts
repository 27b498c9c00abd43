import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { imageSource, inlineStyleSources } from "../../src/admin/inline-styles.rules.ts";
import { ADMIN_CSP, adminCsp, MAX_PREVIEW_STYLE_HASHES } from "../../src/admin/security.ts";

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

describe("imageSource", () => {
  test("an https logo's origin; nothing for another scheme or a host a header must not carry", () => {
    expect(imageSource("https://cdn.acme.example/brand/logo.png")).toBe("https://cdn.acme.example");
    expect(imageSource("https://cdn.acme.example:8443/logo.png")).toBe("https://cdn.acme.example:8443");
    expect(imageSource("http://cdn.acme.example/logo.png")).toBeNull();
    expect(imageSource("https://x.example;sandbox/logo.png")).toBeNull();
    expect(imageSource("not a url")).toBeNull();
  });
});

describe("adminCsp", () => {
  test("adds a preview's style hashes up to the cap, and none past it (unstyled rather than an oversized header)", () => {
    const hashes = (n: number) =>
      Array.from({ length: n }, (_, i) => `'sha256-${String(i).padStart(43, "A")}='`);
    expect(adminCsp(hashes(MAX_PREVIEW_STYLE_HASHES))).toContain("'unsafe-hashes'");
    expect(adminCsp(hashes(MAX_PREVIEW_STYLE_HASHES + 1))).toBe(ADMIN_CSP);
    expect(adminCsp([], ["https://cdn.acme.example"])).toContain(
      "img-src 'self' data: https://cdn.acme.example;",
    );
  });
});
