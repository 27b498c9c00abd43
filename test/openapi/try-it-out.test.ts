/**
 * What Swagger UI's "Try it out" does with /openapi.json: which server it calls, and the request it builds from
 * the document's examples. Sent as they are, in the order a newcomer would try them, the examples must work.
 */
import { describe, expect, test } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import { makeTestApp } from "../helpers/test-app.ts";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked generically
type Json = any;

async function documentOf(env: Record<string, string>) {
  const t = await makeTestApp({ env });
  return { t, doc: (await (await t.call("GET", "/openapi.json", { key: null })).json()) as Json };
}

/** Where Swagger UI sends a request: the first server, resolved against the URL the document was read from. */
function tryItOutBase(doc: Json, documentUrl: string): string {
  return new URL(doc.servers[0].url, documentUrl).href;
}

/** The sample Swagger UI fills in for `schema`: its example, else one built from its parts. */
function sampleOf(doc: Json, schema: Json): unknown {
  if (schema.$ref) return sampleOf(doc, doc.components.schemas[schema.$ref.split("/").pop()]);
  if (schema.example !== undefined) return schema.example;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf || schema.oneOf) return sampleOf(doc, (schema.anyOf ?? schema.oneOf)[0]);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Json) => sampleOf(doc, s)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "object" || schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sampleOf(doc, s)]));
  }
  if (type === "array") return [sampleOf(doc, schema.items ?? {})];
  return { string: "string", integer: 0, number: 0, boolean: true }[type as string] ?? null;
}

/** The request Swagger UI builds for one operation from the document alone. */
function exampleRequest(doc: Json, method: string, path: string) {
  const op = doc.paths[path][method];
  const url = path.replace(/\{(\w+)\}/g, (_, name) => {
    const param = op.parameters.find((p: Json) => p.name === name && p.in === "path");
    return encodeURIComponent(String(param.example ?? sampleOf(doc, param.schema)));
  });
  const media = op.requestBody?.content?.["application/json"];
  return { url, body: media ? (media.example ?? sampleOf(doc, media.schema)) : undefined };
}

describe("the OpenAPI document's server", () => {
  test("without HERALD_PUBLIC_URL, Try it out calls the port Herald serves (PORT=43101), not 3000", async () => {
    const { doc } = await documentOf({ PORT: "43101" });
    expect(tryItOutBase(doc, "http://localhost:43101/openapi.json")).toBe("http://localhost:43101/");
    expect(tryItOutBase(doc, "http://10.0.0.5:8080/openapi.json")).toBe("http://10.0.0.5:8080/");
  });

  test("with HERALD_PUBLIC_URL set, Try it out calls the public URL", async () => {
    const { doc } = await documentOf({ PORT: "43101", HERALD_PUBLIC_URL: "https://herald.example.com/" });
    expect(tryItOutBase(doc, "http://localhost:43101/openapi.json")).toBe("https://herald.example.com/");
  });

  test("the API version is package.json's version", async () => {
    const { doc } = await documentOf({});
    expect(doc.info.version).toBe(packageJson.version);
  });
});

describe("the request examples, sent as they are", () => {
  test("create a recipient, notify them, post an event and edit a rule, against the seeded defaults", async () => {
    const { t, doc } = await documentOf({});
    for (const [method, path] of [
      ["put", "/v1/recipients/{id}"],
      ["post", "/v1/notifications"],
      ["post", "/v1/events"],
      ["patch", "/v1/recipients/{id}/preferences"],
      ["put", "/v1/rules/{eventType}"],
    ] as const) {
      const { url, body } = exampleRequest(doc, method, path);
      const res = await t.call(method.toUpperCase(), url, { body });
      const problem = res.status >= 300 ? await res.json() : null;
      expect({ operation: `${method} ${path}`, ok: res.ok, problem }).toEqual({
        operation: `${method} ${path}`,
        ok: true,
        problem: null,
      });
    }
  });
});
