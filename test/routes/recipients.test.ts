import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });

const alice = {
  kind: "technician",
  name: "Alice Tech",
  email: "alice@example.com",
  emailVerified: true,
  phone: "+15551230001",
  phoneVerified: true,
  timezone: "America/Chicago",
  locale: "en-US",
};

describe("recipients", () => {
  test("PUT creates a recipient with 201, then updates it with 200", async () => {
    const created = await t.call("PUT", "/v1/recipients/tech-1", { body: alice, key: t.portalKey });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "tech-1", ...alice });

    const updated = await t.call("PUT", "/v1/recipients/tech-1", {
      body: { kind: "technician", name: "Alice T." },
    });
    expect(updated.status).toBe(200);
    const body = await updated.json();
    expect(body.name).toBe("Alice T.");
    expect(body.email).toBe("alice@example.com"); // absent fields keep their value
  });

  test("changing an address drops its verified flag unless restated", async () => {
    const res = await t.call("PUT", "/v1/recipients/tech-1", {
      body: { kind: "technician", email: "new@example.com" },
    });
    expect((await res.json()).emailVerified).toBe(false);
  });

  test("invalid E.164, unknown time zone and malformed email are 400s naming each field, changing nothing", async () => {
    const res = await t.call("PUT", "/v1/recipients/tech-bad", {
      body: { kind: "technician", phone: "555-1234", timezone: "Mars/Olympus", email: "not-an-email" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = await res.json();
    expect(problem.code).toBe("validation-failed");
    expect(problem.requestId).toBeString();
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "email",
      "phone",
      "timezone",
    ]);
    expect((await t.call("GET", "/v1/recipients/tech-bad")).status).toBe(404);
  });

  test("a time zone is at most 64 characters and is stored in its canonical spelling", async () => {
    const long = await t.call("PUT", "/v1/recipients/tech-tz", {
      body: { kind: "technician", timezone: `America/${"x".repeat(100)}` },
    });
    expect(long.status).toBe(400);
    const errors: { path: string; message: string }[] = (await long.json()).errors;
    expect(new Set(errors.map((e) => e.path))).toEqual(new Set(["timezone"]));
    expect(errors.map((e) => e.message).join(" ")).toContain("64");
    const lower = await t.call("PUT", "/v1/recipients/tech-tz", {
      body: { kind: "technician", timezone: "america/new_york" },
    });
    expect(lower.status).toBe(201);
    expect((await lower.json()).timezone).toBe("America/New_York");
  });

  test("DELETE erases contact data; the recipient is gone until upserted again", async () => {
    await t.call("PUT", "/v1/recipients/cust-9", { body: { ...alice, kind: "customer" } });
    expect((await t.call("DELETE", "/v1/recipients/cust-9")).status).toBe(204);
    expect((await t.call("GET", "/v1/recipients/cust-9")).status).toBe(404);
    expect((await t.call("DELETE", "/v1/recipients/cust-9")).status).toBe(404);
    const again = await t.call("PUT", "/v1/recipients/cust-9", { body: { kind: "customer" } });
    expect(again.status).toBe(201);
    expect((await again.json()).email).toBeNull();
  });

  test("requests without a key are 401 and keys without the scope are 403", async () => {
    expect((await t.call("GET", "/v1/recipients/tech-1", { key: null })).status).toBe(401);
    expect((await t.call("GET", "/v1/recipients/tech-1", { key: "hk_wrong" })).status).toBe(401);
  });
});

describe("PUT /v1/recipients/{id} without kind", () => {
  test("updates an existing recipient, keeping its kind and every field left out", async () => {
    await t.call("PUT", "/v1/recipients/nokind-1", { body: alice, key: t.portalKey });
    const res = await t.call("PUT", "/v1/recipients/nokind-1", {
      body: { name: "Alice K." },
      key: t.portalKey,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ...alice, name: "Alice K." });
  });

  test("creating a new recipient still requires kind: 400 naming it, and nothing is created", async () => {
    const res = await t.call("PUT", "/v1/recipients/nokind-2", {
      body: { name: "Nobody" },
      key: t.portalKey,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([{ path: "kind", message: "Required to create a recipient" }]);
    expect((await t.call("GET", "/v1/recipients/nokind-2", { key: t.portalKey })).status).toBe(404);
  });
});

describe("GET /v1/recipients", () => {
  test("walks every live recipient once, in id order, a page at a time; erased ones are left out", async () => {
    const ids = ["list:a", "list:b", "list:c", "list:d", "list:e"];
    for (const id of ids)
      await t.call("PUT", `/v1/recipients/${id}`, { body: { kind: "customer" }, key: t.portalKey });
    await t.call("DELETE", "/v1/recipients/list:c", { key: t.portalKey });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.call("GET", `/v1/recipients?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        key: t.portalKey,
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((r: { id: string }) => r.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    const listed = seen.filter((id) => id.startsWith("list:"));
    expect(listed).toEqual(["list:a", "list:b", "list:d", "list:e"]);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  test("a cursor that is not one of ours is a 400; a recipient token is 403", async () => {
    const bad = await t.call("GET", "/v1/recipients?cursor=not-a-cursor!", { key: t.portalKey });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual([{ path: "cursor", message: "not a cursor from this API" }]);
    const token = (await (await t.call("POST", "/v1/recipients/list:a/tokens", { key: t.portalKey })).json())
      .token;
    expect((await t.call("GET", "/v1/recipients", { key: token })).status).toBe(403);
  });
});
