import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { linkToken } from "../../src/domain/recipient-tokens/recipient-links.ts";
import { makeTestApp, type TestApp } from "../helpers/test-app.ts";

const PORTAL = "https://portal.example.com";

async function withCustomer(t: TestApp) {
  const res = await t.call("PUT", "/v1/recipients/cust-1", {
    body: { kind: "customer", name: "Dana", email: "dana@example.com", emailVerified: true },
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
  const token = await t.call("POST", "/v1/recipients/cust-1/tokens", { key: t.portalKey });
  return (await token.json()).token as string;
}

const t = await makeTestApp({ seed: false });
const recipientToken = await withCustomer(t);

const cors = await makeTestApp({
  seed: false,
  env: { HERALD_CORS_ORIGINS: ` ${PORTAL}, http://localhost:5173 ` },
});
const corsToken = await withCustomer(cors);

describe("headers for browsers", () => {
  test("every response says nosniff and may not be framed: JSON, problems, text, HTML, assets", async () => {
    const responses = await Promise.all([
      t.call("GET", "/health", { key: null }),
      t.call("GET", "/v1/notifications", { key: null }),
      t.call("GET", "/no/such/route", { key: null }),
      t.call("GET", "/metrics", { key: null }),
      t.call("GET", "/openapi.json", { key: null }),
      t.call("GET", "/docs", { key: null }),
      t.call("GET", "/docs/init.js", { key: null }),
      t.call("GET", `/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1")}`, {
        key: null,
      }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 200, 200, 200, 200, 200]);
    for (const res of responses) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  test("the HTML pages carry a Content-Security-Policy with frame-ancestors 'none' and no inline script", async () => {
    const pages = [
      await t.call("GET", "/docs", { key: null }),
      await t.call("GET", `/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1")}`, {
        key: null,
      }),
      await t.call("POST", `/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1")}`, {
        key: null,
      }),
    ];
    for (const page of pages) {
      expect(page.headers.get("content-type")).toStartWith("text/html");
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"));
      expect(scriptSrc?.trim()).toBe("script-src 'self'");
      expect(csp).toContain("form-action 'self'");
    }
    const docs = await (await t.call("GET", "/docs", { key: null })).text();
    const scripts = docs.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain("src=");
  });

  test("responses with personal data are never stored: recipients, inbox, /v1/me, outbox, their errors too", async () => {
    const responses = [
      await t.call("GET", "/v1/recipients/cust-1", { key: t.portalKey }),
      await t.call("GET", "/v1/recipients/cust-1/inbox", { key: t.portalKey }),
      await t.call("GET", "/v1/me/inbox", { key: recipientToken }),
      await t.call("GET", "/v1/me/preferences", { key: recipientToken }),
      await t.call("GET", "/v1/outbox", { key: t.adminKey }),
      await t.call("GET", "/v1/recipients/nobody", { key: t.portalKey }),
      await t.call("GET", "/v1/me/inbox", { key: null }),
      await t.call("GET", `/unsubscribe?token=${linkToken(t.deps.tokenSecret, "unsubscribe", "cust-1")}`, {
        key: null,
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 401, 200]);
    for (const res of responses) expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("CORS for the recipient-facing API (HERALD_CORS_ORIGINS)", () => {
  const preflight = (app: TestApp, path: string, origin: string) =>
    app.call("OPTIONS", path, {
      key: null,
      checkResponse: false,
      headers: {
        origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });

  test("a preflight from a listed origin is answered before authentication, with no credentials", async () => {
    for (const path of ["/v1/me/inbox", "/v1/me/stream", "/v1/me/preferences"]) {
      const res = await preflight(cors, path, PORTAL);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(PORTAL);
      expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
      expect(res.headers.get("access-control-allow-methods")).toContain("GET");
      // PATCH /v1/me/preferences (merge patch) must be callable from the portal's origin too.
      expect(res.headers.get("access-control-allow-methods")).toContain("PATCH");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  test("a listed origin may read the inbox and the SSE stream; other origins get no CORS header", async () => {
    const inbox = await cors.call("GET", "/v1/me/inbox", {
      key: corsToken,
      headers: { origin: "http://localhost:5173" },
    });
    expect(inbox.status).toBe(200);
    expect(inbox.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(inbox.headers.get("vary")).toContain("Origin");

    const stream = await cors.call("GET", `/v1/me/stream?access_token=${corsToken}`, {
      key: null,
      headers: { origin: PORTAL },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toStartWith("text/event-stream");
    expect(stream.headers.get("access-control-allow-origin")).toBe(PORTAL);
    await stream.body?.cancel();

    const foreign = await cors.call("GET", "/v1/me/inbox", {
      key: corsToken,
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(
      (await preflight(cors, "/v1/me/inbox", "https://evil.example")).headers.get(
        "access-control-allow-origin",
      ),
    ).toBeNull();
  });

  test("only /v1/me is open to browsers: the API-key routes send no CORS header", async () => {
    const res = await preflight(cors, "/v1/recipients/cust-1", PORTAL);
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("by default no origin is allowed", async () => {
    const res = await preflight(t, "/v1/me/inbox", PORTAL);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const inbox = await t.call("GET", "/v1/me/inbox", { key: recipientToken, headers: { origin: PORTAL } });
    expect(inbox.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("HERALD_CORS_ORIGINS takes origins only, normalised as browsers send them", () => {
    expect(
      loadConfig({ HERALD_CORS_ORIGINS: "https://Portal.Example.com:443,http://localhost:5173" })
        .HERALD_CORS_ORIGINS,
    ).toEqual(["https://portal.example.com", "http://localhost:5173"]);
    expect(loadConfig({}).HERALD_CORS_ORIGINS).toEqual([]);
    for (const bad of ["*", "portal.example.com", "https://portal.example.com/app"]) {
      expect(() => loadConfig({ HERALD_CORS_ORIGINS: bad })).toThrow(ConfigError);
    }
  });
});
