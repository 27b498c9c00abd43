import { afterAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { MAX_BODY_BYTES } from "../../src/app.ts";
import { createApiKey, revokeApiKey } from "../../src/domain/api-keys/api-keys.service.ts";
import { makeTestApp, type TestResponse } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });
// A route that fails the way a bug would: registered before the first request, like any other route.
t.app.get("/v1/test-only/crash", () => {
  throw new TypeError(
    "cannot read properties of undefined (reading 'secretInternals') at /srv/herald/x.ts:12",
  );
});

const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
afterAll(() => server.stop(true));

/** Asserts the RFC 9457 shape every error shares and returns the body. */
async function expectProblem(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body).toMatchObject({ status, code, type: `urn:herald:problem:${code}` });
  expect(body.title).toBeString();
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail).toBeString();
  expect(body.requestId).toBeString();
  expect(res.headers.get("x-request-id")).toBe(body.requestId);
  expect(body.instance).toBeString();
  return body;
}

/** Every row of every table, so "changed nothing" can be asserted exactly. */
async function snapshot() {
  const tables = await t.deps.db.read.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables)
    dump[name] = await t.deps.db.read.all(sql.raw(`SELECT * FROM "${name}" ORDER BY rowid`));
  return dump;
}

const valid = { kind: "technician", name: "Val Id", email: "val@example.com", phone: "+15550001111" };

describe("error responses are RFC 9457 problem+json", () => {
  test("an unknown route is a 404 route-not-found naming the path", async () => {
    const body = await expectProblem(
      await t.call("GET", "/no/such/route", { key: null }),
      404,
      "route-not-found",
    );
    expect(body.instance).toBe("/no/such/route");
    await expectProblem(await t.call("GET", "/v1/no-such-resource"), 404, "route-not-found");
  });

  test("a wrong method on a known path is a 405 with an Allow header", async () => {
    const res = await t.call("PATCH", "/v1/recipients/tech-1", { body: valid });
    await expectProblem(res, 405, "method-not-allowed");
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "PUT"]);

    const health = await t.call("POST", "/health", { key: null });
    await expectProblem(health, 405, "method-not-allowed");
    expect(health.headers.get("allow")).toBe("GET");
  });

  test("malformed JSON is a 400 invalid-json", async () => {
    await expectProblem(
      await t.call("PUT", "/v1/recipients/tech-1", { body: '{"kind": "technician",' }),
      400,
      "invalid-json",
    );
  });

  test("a body that is not JSON is a 415 unsupported-media-type", async () => {
    const res = await t.call("PUT", "/v1/recipients/tech-1", {
      body: JSON.stringify(valid),
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(res, 415, "unsupported-media-type");
  });

  test("a validation error lists each issue with its field path", async () => {
    const res = await t.call("PUT", "/v1/recipients/tech-1", {
      body: { kind: "robot", email: "nope", phone: "12", timezone: "Nowhere/Land", surprise: 1 },
    });
    const body = await expectProblem(res, 400, "validation-failed");
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["kind", "email", "phone", "timezone"]));
    expect(paths.some((p: string) => p === "(body)" || p.includes("surprise"))).toBe(true);
    for (const issue of body.errors) expect(issue.message).toBeString();

    const badId = await expectProblem(
      await t.call("PUT", "/v1/recipients/bad id!", { body: valid }),
      400,
      "validation-failed",
    );
    expect(badId.errors.map((e: { path: string }) => e.path)).toEqual(["id"]);
  });

  test("a body over 1 MiB is a 413, with or without content-length", async () => {
    const big = JSON.stringify({ kind: "technician", name: "x".repeat(MAX_BODY_BYTES) });
    await expectProblem(await t.call("PUT", "/v1/recipients/big", { body: big }), 413, "payload-too-large");

    // Streamed over real HTTP with chunked transfer encoding: the limit must count bytes as they arrive.
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"kind":"technician","name":"'));
        if (sent > MAX_BODY_BYTES * 2) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/recipients/streamed`, {
      method: "PUT",
      headers: { authorization: `Bearer ${t.adminKey}`, "content-type": "application/json" },
      body: stream,
    });
    await expectProblem(res as TestResponse, 413, "payload-too-large");
    expect((await t.call("GET", "/v1/recipients/streamed")).status).toBe(404);
  });

  test("a missing, unknown or revoked key is a 401", async () => {
    await expectProblem(await t.call("GET", "/v1/recipients/tech-1", { key: null }), 401, "unauthenticated");
    await expectProblem(
      await t.call("GET", "/v1/recipients/tech-1", { key: "hk_not-a-real-key-000000000" }),
      401,
      "unauthenticated",
    );
    await expectProblem(
      await t.call("GET", "/v1/recipients/tech-1", {
        key: null,
        headers: { authorization: "Basic dXNlcjpwYXNz" },
      }),
      401,
      "unauthenticated",
    );
    const { key, info } = await createApiKey(t.deps, { name: "short-lived", scopes: ["portal"] });
    expect((await t.call("GET", "/v1/recipients/nobody", { key })).status).toBe(404);
    await revokeApiKey(t.deps, info.id);
    await expectProblem(await t.call("GET", "/v1/recipients/nobody", { key }), 401, "unauthenticated");
  });

  test("a key without the route's scope is a 403", async () => {
    const body = await expectProblem(
      await t.call("GET", "/v1/templates", { key: t.portalKey }),
      403,
      "forbidden",
    );
    expect(body.detail).toContain("admin");
    expect((await t.call("GET", "/v1/templates", { key: t.adminKey })).status).toBe(200);
  });

  test("the client's X-Request-Id is echoed in the header and the body; a malformed one is replaced", async () => {
    const res = await t.call("GET", "/v1/recipients/missing", {
      headers: { "x-request-id": "portal-req-42" },
    });
    expect((await expectProblem(res, 404, "not-found")).requestId).toBe("portal-req-42");
    const ok = await t.call("GET", "/health", { key: null, headers: { "x-request-id": "portal-req-43" } });
    expect(ok.headers.get("x-request-id")).toBe("portal-req-43");

    const odd = await t.call("GET", "/v1/recipients/missing", {
      headers: { "x-request-id": "bad id\twith spaces" },
    });
    const body = await expectProblem(odd, 404, "not-found");
    expect(body.requestId).not.toContain(" ");
    expect(body.requestId.length).toBeGreaterThan(0);
  });

  test("an unexpected exception is a 500 without stack, message or file paths, and it is logged", async () => {
    const res = await t.call("GET", "/v1/test-only/crash", { headers: { "x-request-id": "crash-1" } });
    const body = await expectProblem(res, 500, "internal");
    const text = JSON.stringify(body);
    expect(text).not.toContain("secretInternals");
    expect(text).not.toContain("/srv/");
    expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+/);
    expect(body.stack).toBeUndefined();
    expect(t.logs.some((l) => l.msg === "unhandled error" && l.requestId === "crash-1")).toBe(true);
  });

  test("rejected requests change nothing in the database", async () => {
    expect((await t.call("PUT", "/v1/recipients/keep", { body: valid })).status).toBe(201);
    const before = await snapshot();
    const rejected = [
      await t.call("PUT", "/v1/recipients/keep", { body: "{oops" }),
      await t.call("PUT", "/v1/recipients/keep", { body: { ...valid, email: "broken" } }),
      await t.call("PUT", "/v1/recipients/keep", {
        body: JSON.stringify(valid),
        headers: { "content-type": "text/plain" },
      }),
      await t.call("PUT", "/v1/recipients/keep", { body: { ...valid, name: "x".repeat(MAX_BODY_BYTES) } }),
      await t.call("PUT", "/v1/recipients/keep", { body: { ...valid, name: "Mallory" }, key: null }),
      await t.call("PUT", "/v1/recipients/keep", {
        body: { ...valid, name: "Mallory" },
        key: "hk_forged-key-1234567890",
      }),
      await t.call("DELETE", "/v1/recipients/keep", { key: null }),
      await t.call("PATCH", "/v1/recipients/keep", { body: { name: "Mallory" } }),
      await t.call("PUT", "/v1/templates/evil", { body: { title: "x" }, key: t.portalKey }),
      await t.call("POST", "/v1/notifications", {
        body: { recipientId: "keep", template: "no-such-template", context: {} },
      }),
    ];
    expect(rejected.map((r) => r.status)).toEqual([400, 400, 415, 413, 401, 401, 401, 405, 403, 404]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("logs", () => {
  test("API keys, tokens, email addresses and phone numbers never appear in the logs", async () => {
    const email = "secret.person@example.org";
    const phone = "+15557654321";
    const wrongKey = "hk_wrong-but-secret-9f8e7d6c5b4a";
    await t.call("PUT", "/v1/recipients/private-1", {
      body: { kind: "customer", email, phone, emailVerified: true },
    });
    await t.call("GET", "/v1/recipients/private-1", { key: t.portalKey });
    await t.call("PUT", "/v1/recipients/private-2", {
      body: { kind: "customer", email: "not-an-email", phone: "555" },
    });
    await t.call("GET", "/v1/recipients/private-1", { key: wrongKey });
    await t.call("GET", `/v1/recipients/private-1?access_token=${wrongKey}`, { key: null });
    await t.call("GET", "/v1/recipients/private-1", {
      key: null,
      headers: { authorization: `Bearer ${wrongKey}x` },
    });
    const tokenRes = await t.call("POST", "/v1/recipients/private-1/tokens", { checkResponse: false });
    const token = tokenRes.status === 201 ? (await tokenRes.json()).token : "rt_never-issued";
    await t.call("GET", "/v1/me/inbox", { key: token, checkResponse: false });
    await t.call("POST", "/v1/notifications", {
      body: { recipientId: "private-1", template: "missing", context: { email, phone } },
    });
    await t.call("GET", "/v1/test-only/crash");

    const logged = JSON.stringify(t.logs);
    expect(t.logs.length).toBeGreaterThan(5); // the run really logged (request lines at debug level)
    for (const secret of [
      t.adminKey,
      t.portalKey,
      wrongKey,
      token,
      email,
      "not-an-email",
      phone,
      "+1555765",
    ]) {
      expect(logged).not.toContain(secret);
    }
    // Not even a prefix long enough to identify a key.
    expect(logged).not.toContain(t.adminKey.slice(0, 12));
  });
});
