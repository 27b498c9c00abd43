import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });

const person = async (id: string) =>
  expect(
    (await t.call("PUT", `/v1/recipients/${id}`, { body: { kind: "customer" }, key: t.portalKey })).status,
  ).toBeOneOf([200, 201]);

await person("cust-7");
await person("cust-8");
const recipientToken = (
  await (await t.call("POST", "/v1/recipients/cust-7/tokens", { key: t.portalKey })).json()
).token as string;

interface Operation {
  parameters?: { in: string; name: string }[];
}

/** Every operation in the published document that declares query parameters. */
async function operationsWithQuery() {
  const doc = (await (await t.app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.parameters?.some((p) => p.in === "query"))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

describe("unknown query parameters", () => {
  test("a typo of a filter is a 400 naming it, not every recipient's notifications", async () => {
    const res = await t.call("GET", "/v1/notifications?recipient=cust-7", { key: t.portalKey });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect(body.code).toBe("validation-failed");
    expect(body.detail).toContain("recipient");
    expect(body.errors).toEqual([
      { path: "recipient", message: expect.stringContaining("Unknown query parameter") },
    ]);
  });

  test("every unknown name is listed, and the known ones still filter", async () => {
    const res = await t.call("GET", "/v1/notifications?recipientId=cust-7&recipient=x&foo=1", {
      key: t.portalKey,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors.map((e: { path: string }) => e.path)).toEqual(["recipient", "foo"]);
    const ok = await t.call("GET", "/v1/notifications?recipientId=cust-7&limit=10", { key: t.portalKey });
    expect(ok.status).toBe(200);
  });

  test("authorization still answers first: no key is a 401, whatever the query", async () => {
    expect((await t.call("GET", "/v1/notifications?recipient=cust-7", { key: null })).status).toBe(401);
  });

  test("the recipient token in ?access_token= is known under /v1/me only, where authentication reads it", async () => {
    expect(
      (await t.call("GET", `/v1/me/inbox?access_token=${recipientToken}&limit=5`, { key: null })).status,
    ).toBe(200);
    const elsewhere = await t.call("GET", `/v1/notifications?access_token=${recipientToken}`, {
      key: t.portalKey,
    });
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).errors.map((e: { path: string }) => e.path)).toEqual(["access_token"]);
  });

  test("every operation with a query schema rejects a parameter it does not declare", async () => {
    const operations = await operationsWithQuery();
    expect(operations.length).toBeGreaterThanOrEqual(9);
    for (const { method, path } of operations) {
      const concrete = path
        .replace("{recipientId}", "cust-7")
        .replace("{report}", "volume")
        .replace(/\{[^}]+\}/g, "x");
      const key = path.startsWith("/v1/me") ? recipientToken : path.startsWith("/v1") ? t.adminKey : null;
      const res = await t.call(method, `${concrete}?definitelyNotAParameter=1`, {
        key,
        checkResponse: false,
      });
      const body = await res.json();
      expect({ operation: `${method} ${path}`, status: res.status, errors: body.errors }).toEqual({
        operation: `${method} ${path}`,
        status: 400,
        errors: [{ path: "definitelyNotAParameter", message: expect.any(String) }],
      });
    }
  });
});
