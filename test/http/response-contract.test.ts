import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../src/http/router.ts";
import { commonErrors, jsonContent } from "../../src/http/schemas.ts";
import { ContractViolation, checkResponse, findDeclaredRoute } from "../helpers/response-contract.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const Widget = z.object({ id: z.string(), size: z.number().int() });

/** A router whose handlers break their own declarations in every way the checker must notice. */
function liarRouter() {
  const route = (path: string, responses: Parameters<typeof createRoute>[0]["responses"]) =>
    createRoute({ method: "get", path, responses });
  return createRouter()
    .openapi(route("/widgets/good", { 200: jsonContent(Widget, "A widget") }), (c) =>
      c.json({ id: "w1", size: 3 }, 200),
    )
    .openapi(route("/widgets/wrong-shape", { 200: jsonContent(Widget, "A widget") }), (c) =>
      c.json({ id: 7, colour: "red" }, 200),
    )
    .openapi(route("/widgets/undeclared-status", { 200: jsonContent(Widget, "A widget") }), (c) =>
      c.json({ id: "w1", size: 3 }, 202),
    )
    .openapi(route("/widgets/wrong-type", { 200: jsonContent(Widget, "A widget") }), (c) => c.text("w1", 200))
    .openapi(route("/widgets/empty", { 200: { description: "Nothing" } }), (c) =>
      c.json({ surprise: true }, 200),
    )
    .openapi(route("/widgets/{id}", { 200: jsonContent(Widget, "A widget"), ...commonErrors }), (c) =>
      c.json({ id: "by-id", size: 1 }, 200),
    );
}

const app = liarRouter();
app.get("/undocumented", (c) => c.json({ error: "plain json" }, 500));
const check = async (path: string) => checkResponse(app, "GET", path, await app.request(path));

describe("the response contract checker", () => {
  test("accepts a response that matches its declaration", async () => {
    await check("/widgets/good");
    await check("/widgets/some-id");
  });

  test("rejects a body that does not match the declared schema, naming the fields", async () => {
    const failure = check("/widgets/wrong-shape");
    await expect(failure).rejects.toBeInstanceOf(ContractViolation);
    await expect(failure).rejects.toThrow(/id:.*\n.*size:/s);
  });

  test("rejects a status the route does not declare", async () => {
    await expect(check("/widgets/undeclared-status")).rejects.toThrow(/status not declared.*declared: 200/);
  });

  test("rejects a content type the status does not declare", async () => {
    await expect(check("/widgets/wrong-type")).rejects.toThrow(/content type 'text\/plain' not declared/);
  });

  test("rejects a body where the declaration has none", async () => {
    await expect(check("/widgets/empty")).rejects.toThrow(/declares no body/);
  });

  test("requires problem+json for errors of undeclared routes", async () => {
    await expect(check("/undocumented")).rejects.toThrow(/not problem\+json/);
  });

  test("prefers a literal path over a parameterised one", () => {
    expect(findDeclaredRoute(app, "GET", "/widgets/good?x=1")?.path).toBe("/widgets/good");
    expect(findDeclaredRoute(app, "GET", "/widgets/other")?.path).toBe("/widgets/{id}");
    expect(findDeclaredRoute(app, "POST", "/widgets/other")).toBeUndefined();
  });
});

const t = await makeTestApp({ seed: false });
t.app.openapi(
  createRoute({
    method: "get",
    path: "/v1/test-only/liar",
    responses: { 200: jsonContent(Widget, "A widget") },
  }),
  // The cast lies to the type checker on purpose: the checker must catch what the types were told to allow.
  (c) => c.json({ id: "w1", size: "big" } as unknown as z.infer<typeof Widget>, 200),
);

describe("makeTestApp().call", () => {
  test("checks every response against the route's declaration and throws on a mismatch", async () => {
    await expect(t.call("GET", "/v1/test-only/liar")).rejects.toThrow(/size: /);
  });

  test("checkResponse: false lets a test look at an undeclared response", async () => {
    const res = await t.call("GET", "/v1/test-only/liar", { checkResponse: false });
    expect(await res.json()).toEqual({ id: "w1", size: "big" });
  });

  test("a checked response can still be read by the test", async () => {
    const res = await t.call("GET", "/health", { key: null });
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
