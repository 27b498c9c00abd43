import { describe, expect, test } from "bun:test";
import { canonical, requestHash } from "../../../src/domain/idempotency/idempotency.ts";
import { MAX_JSON_DEPTH } from "../../../src/http/json-depth.ts";

/** The recursive definition the iterative canonicaliser replaced: stored hashes must not change. */
function recursiveCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(recursiveCanonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recursiveCanonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** `depth` levels of alternating objects and arrays around `leaf`. */
function nested(depth: number, leaf: unknown = "leaf"): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value, i] : { level: i, child: value };
  return value;
}

describe("canonical", () => {
  test("sorts keys at every level and drops undefined members, as the recursive version did", () => {
    const body = {
      template: "job-update",
      recipientId: "tech-1",
      context: { z: 1, a: [3, { y: null, b: "x", skipped: undefined }, []], é: "ü", "": {} },
      list: [undefined, true, 1.5, '"quoted"'],
      empty: {},
    };
    expect(canonical(body)).toBe(recursiveCanonical(body));
    expect(canonical(body)).toBe(
      '{"context":{"":{},"a":[3,{"b":"x","y":null},[]],"z":1,"é":"ü"},"empty":{},"list":[null,true,1.5,"\\"quoted\\""],"recipientId":"tech-1","template":"job-update"}',
    );
    for (const scalar of [null, 0, "s", false, undefined])
      expect(canonical(scalar)).toBe(recursiveCanonical(scalar));
  });

  test("key order does not change the hash; the route and the values do", () => {
    const a = requestHash("POST /v1/notifications", { b: 1, a: { d: [1, 2], c: 2 } });
    expect(requestHash("POST /v1/notifications", { a: { c: 2, d: [1, 2] }, b: 1 })).toBe(a);
    expect(requestHash("POST /v1/events", { b: 1, a: { d: [1, 2], c: 2 } })).not.toBe(a);
    expect(requestHash("POST /v1/notifications", { b: 1, a: { d: [2, 1], c: 2 } })).not.toBe(a);
  });

  test("a body at the HTTP depth limit hashes like the recursive definition", () => {
    const body = nested(MAX_JSON_DEPTH);
    expect(canonical(body)).toBe(recursiveCanonical(body));
  });

  test("uses no call stack per level: 100,000 levels deep is fine", () => {
    const deep = nested(100_000, 1);
    const text = canonical(deep);
    expect(text.startsWith('[{"child":[{"child":[')).toBe(true);
    expect(text.endsWith(',"level":99998},99999]')).toBe(true);
    expect(requestHash("POST /v1/notifications", deep)).toMatch(/^[0-9a-f]{64}$/);
  });
});
