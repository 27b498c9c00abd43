import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../helpers/test-app.ts";
import { postSignIn, signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false });

function expectConsoleHeaders(res: Response) {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("cache-control")).toBe("no-store");
}

describe("admin console security", () => {
  test("every kind of /admin response carries the CSP, nosniff and no-store", async () => {
    const browser = await signIn(t);
    expectConsoleHeaders(await t.app.request("/admin"));
    expectConsoleHeaders(await t.app.request("/admin/login"));
    expectConsoleHeaders(await postSignIn(t, "hk_wrong-key-0000000000000000"));
    expectConsoleHeaders(await browser.get("/admin"));
    expectConsoleHeaders(await browser.get("/admin/assets/admin.css"));
    expectConsoleHeaders(await browser.post("/admin/logout", { _csrf: "" }));
  });

  test("the pages have no inline script or style, and load only Herald's own stylesheet", async () => {
    const browser = await signIn(t);
    for (const page of [await browser.get("/admin"), await t.app.request("/admin/login")]) {
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain("<script");
      expect(html).not.toContain("<style");
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).toContain('<link rel="stylesheet" href="/admin/assets/admin.css"/>');
    }
    const css = await t.app.request("/admin/assets/admin.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toStartWith("text/css");
  });

  test("a form without the CSRF token, or with another session's, is refused with 403 and changes nothing", async () => {
    const browser = await signIn(t);
    const other = await signIn(t);
    const missing = await browser.post("/admin/logout", { _csrf: "" });
    expect(missing.status).toBe(403);
    const foreign = await browser.post("/admin/logout", { _csrf: await other.csrf() });
    expect(foreign.status).toBe(403);
    // Still signed in: neither refused sign-out took effect.
    expect((await browser.get("/admin")).status).toBe(200);
    const own = await browser.post("/admin/logout");
    expect(own.status).toBe(303);
  });

  test("a form posted from another site is refused, the sign-in form included", async () => {
    const crossSite = await postSignIn(t, t.adminKey, { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-cookie")).toBeNull();
    const otherOrigin = await postSignIn(t, t.adminKey, { origin: "https://evil.example" });
    expect(otherOrigin.status).toBe(403);
    expect((await postSignIn(t, t.adminKey, { origin: "null" })).status).toBe(403);
    // The same site, in either header (app.request's host is localhost; the default public URL is localhost:3000).
    expect((await postSignIn(t, t.adminKey, { "sec-fetch-site": "same-origin" })).status).toBe(303);
    expect((await postSignIn(t, t.adminKey, { origin: "http://localhost:3000" })).status).toBe(303);

    const browser = await signIn(t);
    const res = await t.app.request("/admin/logout", {
      method: "POST",
      headers: {
        cookie: browser.cookie,
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "cross-site",
      },
      body: new URLSearchParams({ _csrf: await browser.csrf() }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await browser.get("/admin")).status).toBe(200);
  });

  test("a form body over 16 KiB is refused before it is read", async () => {
    const res = await postSignIn(t, "x".repeat(20_000));
    expect(res.status).toBe(413);
  });

  test("the API's own headers are unchanged outside /admin", async () => {
    const res = await t.app.request("/docs");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
