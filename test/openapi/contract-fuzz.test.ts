/**
 * Property-based contract test, generated from the published `/openapi.json`: every operation gets valid and
 * invalid requests (path ids that exist and that do not, declared and undeclared query parameters, bodies from
 * the request schema and arbitrary JSON or text) under every kind of credential, and every response must
 * keep the contract: no 5xx, every 4xx is problem+json, and the body matches both the route's zod schema
 * (test/helpers/response-contract.ts) and the JSON schema the document publishes for that status.
 *
 * CI runs a small sample; a long run: `HERALD_FUZZ_RUNS=2000 bun test test/openapi/contract-fuzz.test.ts`
 * (add `HERALD_FUZZ_SEED=<seed>` to replay the seed a failure reports).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type JsonSchema, SchemaDocument } from "../helpers/json-schema.ts";
import { checkResponse } from "../helpers/response-contract.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const RUNS = Number(process.env.HERALD_FUZZ_RUNS ?? 10);
const SEED = process.env.HERALD_FUZZ_SEED ? Number(process.env.HERALD_FUZZ_SEED) : undefined;

const t = await makeTestApp({
  now: Date.parse("2026-01-15T18:00:00Z"),
  // Forged SNS messages must never leave the machine.
  snsHttp: {
    fetchCertificate: async () => Promise.reject(new Error("no network in tests")),
    confirmSubscription: async () => Promise.reject(new Error("no network in tests")),
  },
});

// Something real to point ids at: a recipient with a notification, its deliveries and a token. Generated
// requests delete and replace things, so each operation starts from fresh ones.
const customer = {
  kind: "customer",
  name: "Dana",
  email: "dana@example.com",
  emailVerified: true,
  phone: "+15555550123",
  phoneVerified: true,
};
const credentials: Record<"none" | "portal" | "admin" | "recipient", string | null> = {
  none: null,
  portal: t.portalKey,
  admin: t.adminKey,
  recipient: null,
};
type Credential = keyof typeof credentials;
const known = ["fz-cust", "repair-approved", "repair.approved", "volume"];

async function freshFixtures() {
  await t.call("PUT", "/v1/recipients/fz-cust", { body: customer, key: t.portalKey });
  const res = await t.call("POST", "/v1/notifications", {
    key: t.portalKey,
    body: { recipientId: "fz-cust", template: "test-message", priority: "URGENT", context: {} },
  });
  if (res.status === 201) {
    const created = await res.json();
    known.push(
      created.notification.id,
      ...created.decisions.map((d: { deliveryId: string }) => d.deliveryId),
    );
  }
  const token = await t.call("POST", "/v1/recipients/fz-cust/tokens", { key: t.portalKey });
  credentials.recipient = token.status === 201 ? (await token.json()).token : null;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

const doc = (await (await t.call("GET", "/openapi.json", { key: null })).json()) as {
  paths: Record<string, Record<string, Operation>>;
};
const schemas = new SchemaDocument(doc as never, {
  recipientId: ["fz-cust"],
  template: ["repair-approved", "test-message"],
  type: ["repair.approved", "repair.assigned"],
  timezone: ["America/Chicago", "Europe/Berlin"],
  locale: ["en", "es-MX"],
  email: ["pat@example.com"],
  phone: ["+15555550100"],
  actionUrl: ["https://portal.example.com/r/1"],
  data: [
    { repair: { id: "R-2", title: "Boiler" }, customer: { id: "fz-cust" } },
    { repair: { id: "R-3", title: "Sink" }, customer: { id: "fz-new", ...customer } },
  ],
  context: [{ repair: { id: "R-4", title: "Tap" } }],
});
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

interface FuzzRequest {
  credential: Credential;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** Header-safe text: visible ASCII. */
const headerText = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.:/ ="), minLength: 1, maxLength: 40 });

/** How a parameter value travels: as text, whatever its schema's type. */
const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Requests for one operation: each part is valid (from the document) or invalid, independently. */
function requests(path: string, op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const paramValue = (p: Parameter) => (p.schema ? schemas.arbitrary(p.schema).map(asText) : fc.string());
  const pathParams = params.filter((p) => p.in === "path");
  const pathArb = fc
    .tuple(
      ...pathParams.map((p) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...known) },
          { weight: 2, arbitrary: paramValue(p) },
          { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
        ),
      ),
    )
    .map((values) =>
      pathParams.reduce(
        (p, param, i) => p.replace(`{${param.name}}`, encodeURIComponent(values[i] ?? "")),
        path,
      ),
    );
  const queryArb = fc
    .tuple(
      ...params
        .filter((p) => p.in === "query")
        .map((p) =>
          fc.option(
            fc
              .oneof(
                { weight: 4, arbitrary: paramValue(p) },
                { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
              )
              .map((v) => [p.name, v] as [string, string]),
            { freq: p.required ? 8 : 2 },
          ),
        ),
      fc.option(fc.tuple(fc.constantFrom("recipient", "foo", "limit_", "x"), fc.string({ maxLength: 10 })), {
        freq: 1,
        nil: null,
      }),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== null));
  const headerParams = params.filter((p) => p.in === "header");
  const headersArb = fc
    .tuple(
      ...headerParams.map((p) =>
        fc.option(
          fc.oneof(
            paramValue(p).filter((v) => /^[\x20-\x7e]*$/.test(v)),
            headerText,
          ),
        ),
      ),
    )
    .map((values) =>
      Object.fromEntries(headerParams.flatMap((p, i) => (values[i] == null ? [] : [[p.name, values[i]]]))),
    );
  const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [
    "application/json",
    undefined,
  ];
  const validBody = media?.schema
    ? schemas.arbitrary(media.schema).map((v) => JSON.stringify(v))
    : fc.constant(undefined);
  const bodyArb = fc.oneof(
    { weight: media ? 6 : 0, arbitrary: validBody },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 2, arbitrary: fc.constant(undefined) },
  );
  return fc.record({
    credential: fc.constantFrom(...(Object.keys(credentials) as Credential[])),
    path: pathArb,
    query: queryArb,
    headers: headersArb,
    body: bodyArb,
    contentType: fc.constant(contentType),
  });
}

/** Sends `request` and returns what broke the contract (nothing when it held). */
async function violations(method: string, request: FuzzRequest): Promise<string[]> {
  const search = new URLSearchParams(request.query).toString();
  const url = `${request.path}${search ? `?${search}` : ""}`;
  const res = await t.call(method, url, {
    key: credentials[request.credential],
    body: request.body,
    headers: {
      ...request.headers,
      ...(request.body !== undefined ? { "content-type": request.contentType ?? "application/json" } : {}),
    },
    checkResponse: false,
  });
  const type = (res.headers.get("content-type") ?? "").split(";")[0] ?? "";
  const problems: string[] = [];
  if (type === "text/event-stream") {
    // Endless by design: check the status and type, then hang up.
    await checkResponse(t.app, method, url, res).catch((e: Error) => problems.push(e.message));
    await res.body?.cancel();
    return problems;
  }
  if (res.status >= 500) problems.push(`${res.status}: ${await res.clone().text()}`);
  if (res.status >= 400 && type !== "application/problem+json")
    problems.push(`${res.status} is ${type}, not problem+json`);
  await checkResponse(t.app, method, url, res.clone() as Response).catch((e: Error) =>
    problems.push(e.message),
  );
  const schema = operationAt(method, request.path)?.op.responses[String(res.status)]?.content?.[type]?.schema;
  if (schema && type.endsWith("json"))
    problems.push(...schemas.errors(schema, await res.json()).map((e) => `published schema: ${e}`));
  return problems;
}

const patterns = operations.map((o) => ({
  ...o,
  pattern: new RegExp(`^${o.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  params: (o.path.match(/\{/g) ?? []).length,
}));
/** The documented operation serving `method path` (literal paths win over `{param}` ones). */
function operationAt(method: string, path: string) {
  return patterns
    .filter((o) => o.method === method && o.pattern.test(path))
    .sort((a, b) => a.params - b.params)[0];
}

describe("every operation in /openapi.json keeps its contract under generated requests", () => {
  test("the document lists the operations this test covers", () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
  });

  for (const { method, path, op } of operations) {
    test(
      `${method} ${path}`,
      async () => {
        await freshFixtures();
        await fc.assert(
          fc.asyncProperty(requests(path, op), async (request) => {
            const found = await violations(method, request);
            if (found.length > 0) throw new Error(found.join("\n"));
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      },
      Math.max(5_000, RUNS * 200),
    );
  }
});
