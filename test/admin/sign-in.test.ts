import { describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { createServerDeps } from "../../src/bootstrap.ts";
import { loadConfig } from "../../src/config.ts";
import { createApiKey, revokeApiKey } from "../../src/domain/api-keys/api-keys.service.ts";
import { createLogger } from "../../src/logger.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { browserWith, postSignIn, sessionCookieOf, signIn } from "./admin-session.ts";

const t = await makeTestApp({ seed: false });

describe("signing in to the admin console", () => {
  test("without a session, /admin and its pages send the browser to the sign-in form", async () => {
    for (const path of ["/admin", "/admin/notifications", "/admin/deliveries"]) {
      const res = await t.app.request(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/login");
    }
    const form = await t.app.request("/admin/login");
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="key"');
    expect(html).toContain('<label for="key">');
  });

  test("an admin key signs in and the session opens the overview", async () => {
    const res = await postSignIn(t, t.adminKey);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const browser = browserWith(t, sessionCookieOf(res));
    const overview = await browser.get("/admin");
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("<h1>Overview</h1>");
  });

  test("a portal key, a wrong key, an empty key and a revoked admin key are refused with 401 and a reason", async () => {
    const portal = await postSignIn(t, t.portalKey);
    expect(portal.status).toBe(401);
    expect(portal.headers.get("set-cookie")).toBeNull();
    expect(await portal.text()).toContain("not an admin key");

    const wrong = await postSignIn(t, "hk_not-a-key-at-all-000000000000");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("wrong or has been revoked");
    expect((await postSignIn(t, "")).status).toBe(401);

    const { key, info } = await createApiKey(t.deps, { name: "to revoke", scopes: ["admin"] });
    await revokeApiKey(t.deps, info.id);
    const revoked = await postSignIn(t, key);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("set-cookie")).toBeNull();
  });

  test("the session cookie is HttpOnly, SameSite=Strict, scoped to /admin, expires in 12 h, not Secure over http", async () => {
    const res = await postSignIn(t, t.adminKey);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toStartWith("herald_admin=");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/admin");
    expect(cookie).toContain(`Max-Age=${12 * 60 * 60}`);
    expect(cookie).not.toContain("Secure");
  });

  test("the cookie is Secure when HERALD_PUBLIC_URL is https", async () => {
    const https = await makeTestApp({
      seed: false,
      env: { HERALD_PUBLIC_URL: "https://herald.example.com" },
    });
    const cookie = (await postSignIn(https, https.adminKey)).headers.get("set-cookie") ?? "";
    expect(cookie).toContain("; Secure");
  });

  test("a cookie whose value or signature was altered is no session", async () => {
    const browser = await signIn(t);
    const [name, value] = browser.cookie.split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    const forged = decoded.replace(/\.(\d+)\./, ".$1x.");
    for (const cookie of [`${name}=${encodeURIComponent(forged)}`, `${name}=${value.slice(0, -4)}AAAA`]) {
      const res = await t.app.request("/admin", { headers: { cookie } });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/login");
    }
  });

  test("a session ends after 12 hours", async () => {
    const h = await makeTestApp({ seed: false });
    const browser = await signIn(h);
    h.clock.advance(12 * 60 * 60 * 1000 - 1);
    expect((await browser.get("/admin")).status).toBe(200);
    h.clock.advance(1);
    expect((await browser.get("/admin")).status).toBe(303);
  });

  test("revoking the key ends its sessions at once", async () => {
    const { key, info } = await createApiKey(t.deps, { name: "operator", scopes: ["admin"] });
    const browser = await signIn(t, key);
    expect((await browser.get("/admin")).status).toBe(200);
    await revokeApiKey(t.deps, info.id);
    const after = await browser.get("/admin");
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/admin/login");
  });

  test("signing out ends the session even if the cookie is kept", async () => {
    const browser = await signIn(t);
    const out = await browser.post("/admin/logout");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/admin/login");
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    const after = await browser.get("/admin");
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/admin/login");
  });

  test("a session works in every process on the database, and signing out in one ends it in all", async () => {
    // A second server process on the same database (same token secret, stored there at first start).
    const other = await createServerDeps(loadConfig({ DATABASE_URL: t.databaseUrl }), {
      logger: createLogger("silent"),
      clock: t.clock,
    });
    try {
      const otherApp = createApp(other);
      const browser = await signIn(t);
      const inOther = () => otherApp.request("/admin", { headers: { cookie: browser.cookie } });
      expect((await inOther()).status).toBe(200);
      expect((await browser.post("/admin/logout")).status).toBe(303);
      const after = await inOther();
      expect(after.status).toBe(303);
      expect(after.headers.get("location")).toBe("/admin/login");
    } finally {
      await other.db.close();
    }
  });

  test("behind a proxy the throttle counts each client by the proxy's header, so one guesser cannot lock others out", async () => {
    // On Fly the header defaults to fly-client-ip, which Fly's proxy sets on every request.
    const h = await makeTestApp({ seed: false, env: { FLY_APP_NAME: "herald-test" } });
    expect(h.deps.config.HERALD_CLIENT_IP_HEADER).toBe("fly-client-ip");
    const from = (ip: string) => ({ "fly-client-ip": ip });
    for (let i = 0; i < 5; i++)
      expect((await postSignIn(h, "hk_wrong-key-0000000000000000", from("203.0.113.9"))).status).toBe(401);
    expect((await postSignIn(h, h.adminKey, from("203.0.113.9"))).status).toBe(429);
    expect((await postSignIn(h, h.adminKey, from("198.51.100.7"))).status).toBe(303);
    // x-forwarded-for: the last entry is the one the trusted proxy added; what the client wrote before it is not.
    const x = await makeTestApp({ seed: false, env: { HERALD_CLIENT_IP_HEADER: "X-Forwarded-For" } });
    for (let i = 0; i < 5; i++)
      await postSignIn(x, "hk_wrong-key-0000000000000000", { "x-forwarded-for": `10.0.0.${i}, 203.0.113.9` });
    expect((await postSignIn(x, x.adminKey, { "x-forwarded-for": "10.9.9.9, 203.0.113.9" })).status).toBe(
      429,
    );
    expect((await postSignIn(x, x.adminKey, { "x-forwarded-for": "203.0.113.10" })).status).toBe(303);
  });

  test("failed sign-ins from one client are refused with 429 after five, even with the right key", async () => {
    const h = await makeTestApp({ seed: false });
    for (let i = 0; i < 5; i++)
      expect((await postSignIn(h, "hk_wrong-key-0000000000000000")).status).toBe(401);
    const blocked = await postSignIn(h, h.adminKey);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    h.clock.advance(15 * 60 * 1000);
    expect((await postSignIn(h, h.adminKey)).status).toBe(303);
  });
});
