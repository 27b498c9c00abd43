import { describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp();
const spec = await (await t.call("GET", "/openapi.json", { key: null })).json();

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
const methods = ["get", "put", "post", "delete", "patch", "head", "options"];
const operations: { method: string; path: string; op: Operation }[] = Object.entries(
  spec.paths as Record<string, Record<string, Operation>>,
).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => methods.includes(method))
    .map(([method, op]) => ({ method, path, op })),
);
const v1 = operations.filter((o) => o.path.startsWith("/v1/"));
const name = (o: { method: string; path: string }) => `${o.method.toUpperCase()} ${o.path}`;

describe("GET /openapi.json", () => {
  test("is an OpenAPI 3.1 document that passes the schema validator, with every $ref resolvable", async () => {
    expect(spec.openapi).toStartWith("3.1");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(spec));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  test("the validator is real: it rejects a broken copy", async () => {
    const broken = structuredClone(spec);
    broken.paths["/v1/recipients/{id}"].get.responses = { 200: { content: "not an object" } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  test("documents the recipients resource and every mounted /v1 route", () => {
    expect(v1.length).toBeGreaterThan(5);
    expect(v1.map(name)).toEqual(
      expect.arrayContaining([
        "PUT /v1/recipients/{id}",
        "GET /v1/recipients/{id}",
        "DELETE /v1/recipients/{id}",
      ]),
    );
    const documented = new Set(
      operations.map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{([^}]+)\}/g, ":$1")}`),
    );
    const mounted = t.app.routes
      .filter((r) => r.path.startsWith("/v1/") && r.method !== "ALL" && !r.path.startsWith("/v1/test-only"))
      .map((r) => `${r.method} ${r.path}`);
    expect(mounted.filter((r) => !documented.has(r))).toEqual([]);
  });

  test("every /v1 operation declares bearer security, a summary or operationId, and its path parameters", () => {
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const problems: string[] = [];
    for (const o of v1) {
      if (!o.op.security?.some((s) => "bearerAuth" in s)) problems.push(`${name(o)}: no bearerAuth security`);
      if (!o.op.operationId && !o.op.summary) problems.push(`${name(o)}: neither operationId nor summary`);
      for (const [, param] of o.path.matchAll(/\{([^}]+)\}/g)) {
        if (!o.op.parameters?.some((p) => p.in === "path" && p.name === param)) {
          problems.push(`${name(o)}: path parameter '${param}' not declared`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test("every /v1 operation declares its problem responses, and every error response is problem+json", () => {
    const problems: string[] = [];
    for (const o of v1) {
      for (const status of ["400", "401", "403", "500"]) {
        if (!o.op.responses[status]) problems.push(`${name(o)}: no ${status} response`);
      }
    }
    // Readiness is the exception: its 503 carries the component report that monitors read.
    for (const o of operations.filter((op) => op.path !== "/health/ready")) {
      for (const [status, response] of Object.entries(o.op.responses)) {
        if (Number(status) < 400) continue;
        const schema = response.content?.["application/problem+json"]?.schema as
          | { $ref?: string }
          | undefined;
        if (schema?.$ref !== "#/components/schemas/Problem")
          problems.push(`${name(o)} ${status}: not a Problem`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("operationIds, where given, are unique", () => {
    const ids = operations.flatMap((o) => (o.op.operationId ? [o.op.operationId] : []));
    expect(ids.length).toBe(new Set(ids).size);
  });
});

describe("GET /docs", () => {
  test("serves Swagger UI for /openapi.json that loads only local assets, and every asset is served", async () => {
    const res = await t.call("GET", "/docs", { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    // The start-up script is a file (the Content-Security-Policy forbids inline scripts); it loads the document.
    expect(html).toContain('<script src="/docs/init.js">');
    expect(await (await t.call("GET", "/docs/init.js", { key: null })).text()).toContain("/openapi.json");
    const urls = [...html.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThanOrEqual(2); // the bundle script and the stylesheet
    for (const url of urls) {
      expect(url).toMatch(/^\/(?!\/)/); // same origin: no scheme, no host, no protocol-relative //cdn
      const asset = await t.call("GET", url, { key: null });
      expect({ url, status: asset.status }).toEqual({ url, status: 200 });
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(html).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)/);
  });

  test("asset paths cannot escape the Swagger UI directory", async () => {
    for (const path of [
      "/docs/assets/swagger-ui-dist/..%2Fpackage.json",
      "/docs/assets/swagger-ui-dist/../../package.json",
    ]) {
      expect((await t.call("GET", path, { key: null })).status).toBe(404);
    }
  });
});
