import { describe, expect, test } from "bun:test";
import { BRANDING_CACHE_MS } from "../../src/caches.ts";
import { DEFAULT_BRANDING, getBranding } from "../../src/domain/branding/branding.service.ts";
import { putSetting } from "../../src/domain/settings/settings.repo.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });

const acme = {
  companyName: "Acme Repairs",
  logoUrl: "https://cdn.acme.example/logo.png",
  primaryColor: "#0A3D62",
  accentColor: "#e58e26",
  footerText: "Acme Repairs · 1 Main St, Springfield",
  supportEmail: "help@acme.example",
  fromName: "Acme Repairs",
};

describe("branding", () => {
  test("GET returns the defaults until branding is set", async () => {
    const res = await t.call("GET", "/v1/branding");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...DEFAULT_BRANDING });
  });

  test("PUT stores branding (colours lower-cased) and GET returns it", async () => {
    const res = await t.call("PUT", "/v1/branding", { body: acme });
    expect(res.status).toBe(200);
    const expected = { ...acme, primaryColor: "#0a3d62" };
    expect(await res.json()).toEqual(expected);
    expect(await (await t.call("GET", "/v1/branding")).json()).toEqual(expected);
  });

  test("PUT merges: fields left out keep their value, null clears an optional one", async () => {
    const res = await t.call("PUT", "/v1/branding", { body: { footerText: "New footer", logoUrl: null } });
    expect(await res.json()).toMatchObject({
      companyName: "Acme Repairs",
      footerText: "New footer",
      logoUrl: null,
    });
  });

  test("invalid values are a 400 naming each field, and change nothing", async () => {
    const before = await (await t.call("GET", "/v1/branding")).json();
    const res = await t.call("PUT", "/v1/branding", {
      body: {
        primaryColor: "blue",
        accentColor: "#12345",
        logoUrl: "javascript:alert(1)",
        supportEmail: "not-an-email",
        fromName: 'Evil" <x@example.com>',
        companyName: "",
        unknown: 1,
      },
    });
    expect(res.status).toBe(400);
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "primaryColor",
        "accentColor",
        "logoUrl",
        "supportEmail",
        "fromName",
        "companyName",
      ]),
    );
    expect(await (await t.call("GET", "/v1/branding")).json()).toEqual(before);
  });

  test("emails use the new branding as soon as it is saved", async () => {
    await t.call("POST", "/v1/templates", {
      body: {
        name: "hello",
        category: "system",
        defaultPriority: "MEDIUM",
        title: "Hello",
        message: "Hello",
        emailSubject: "Hello from {{ branding.companyName }}",
        emailText: "Hello",
      },
    });
    const preview = async () =>
      (await (await t.call("POST", "/v1/templates/hello/preview", { body: {} })).json()).email;
    expect((await preview()).subject).toBe("Hello from Acme Repairs");
    await t.call("PUT", "/v1/branding", {
      body: { companyName: "Acme & Sons", footerText: "<b>Bold</b> claims" },
    });
    const email = await preview();
    expect(email.subject).toBe("Hello from Acme & Sons");
    expect(email.html).toContain("Acme &amp; Sons");
    expect(email.html).toContain("&lt;b&gt;Bold&lt;/b&gt; claims");
    expect(email.text).toContain("<b>Bold</b> claims");
  });

  test("a change made by another process is picked up after the cache expires", async () => {
    const seen = await getBranding(t.deps);
    // Another process writing the same database: the setting changes without this process's PUT.
    await t.deps.db.write((tx) =>
      putSetting(tx, "branding", { ...seen, companyName: "Changed Elsewhere" }, t.clock.now()),
    );
    expect((await getBranding(t.deps)).companyName).toBe(seen.companyName);
    const now = performance.now();
    expect((await getBranding(t.deps, now + BRANDING_CACHE_MS - 100)).companyName).toBe(seen.companyName);
    expect((await getBranding(t.deps, now + BRANDING_CACHE_MS + 1)).companyName).toBe("Changed Elsewhere");
  });

  test("no key is 401; a portal key is 403", async () => {
    expect((await t.call("GET", "/v1/branding", { key: null })).status).toBe(401);
    expect((await t.call("GET", "/v1/branding", { key: t.portalKey })).status).toBe(403);
    expect(
      (await t.call("PUT", "/v1/branding", { key: t.portalKey, body: { companyName: "X" } })).status,
    ).toBe(403);
  });
});
