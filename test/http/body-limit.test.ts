import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { MAX_JSON_DEPTH } from "../../src/http/json-depth.ts";
import {
  detailedJobUpdateContext,
  detailedJobUpdateTemplate,
  technician,
} from "../helpers/notification-fixtures.ts";
import { makeTestApp, type TestResponse } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false, now: Date.parse("2026-01-15T18:00:00Z") });
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
afterAll(() => server.stop(true));

/** `depth` arrays inside one another. */
const arrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** A notification body whose `context.deep` holds `inner` (raw JSON): the body is 2 levels deeper than `inner`. */
const notificationWith = (inner: string) =>
  `{"recipientId":"tech-1","template":"job-update","context":{"repair":{"id":"R-1","title":"Valve"},"status":"ok","deep":${inner}}}`;
/** The hostile body from the issue: 200 KB, nested 100,000 deep. */
const hostile = notificationWith(arrays(99_998));

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

/** Asserts a 400 problem+json naming the body's depth. */
async function expectTooDeep(res: TestResponse | Response) {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body).toMatchObject({ status: 400, code: "validation-failed" });
  expect(body.errors).toEqual([
    { path: "(body)", message: `nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays` },
  ]);
}

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
  expect((await t.call("PUT", "/v1/recipients/tech-1", { body: technician() })).status).toBe(201);
});

describe("JSON nesting depth", () => {
  test("a 200 KB body nested 100,000 deep is a 400 problem, with or without an Idempotency-Key, and writes nothing", async () => {
    expect(hostile.length).toBeGreaterThan(200_000);
    const before = await snapshot();
    await expectTooDeep(await t.call("POST", "/v1/notifications", { body: hostile, key: t.portalKey }));
    await expectTooDeep(
      await t.call("POST", "/v1/notifications", {
        body: hostile,
        key: t.portalKey,
        headers: { "idempotency-key": "deep-1" },
      }),
    );
    expect(await snapshot()).toEqual(before);

    // The refused request did not claim its key: the first real request with it goes through.
    const ok = await t.call("POST", "/v1/notifications", {
      body: { recipientId: "tech-1", template: "job-update", context: detailedJobUpdateContext },
      key: t.portalKey,
      headers: { "idempotency-key": "deep-1" },
    });
    expect(ok.status).toBe(201);
  });

  test(`a body exactly ${MAX_JSON_DEPTH} levels deep is accepted; one more level is not`, async () => {
    const atLimit = notificationWith(arrays(MAX_JSON_DEPTH - 2));
    expect((await t.call("POST", "/v1/notifications", { body: atLimit, key: t.portalKey })).status).toBe(201);
    await expectTooDeep(
      await t.call("POST", "/v1/notifications", {
        body: notificationWith(arrays(MAX_JSON_DEPTH - 1)),
        key: t.portalKey,
      }),
    );
  });

  test("brackets inside a JSON string are text, not nesting", async () => {
    const note = JSON.stringify(`quote " and backslash \\ then ${"[{".repeat(50_000)}`);
    const res = await t.call("POST", "/v1/notifications", { body: notificationWith(note), key: t.portalKey });
    expect(res.status).toBe(201);
  });

  test("every JSON route is guarded: /v1/events, other /v1 routes and the SNS webhook", async () => {
    const before = await snapshot();
    const deep = arrays(100_000);
    await expectTooDeep(
      await t.call("POST", "/v1/events", {
        body: `{"type":"repair.approved","data":${deep}}`,
        key: t.portalKey,
      }),
    );
    await expectTooDeep(
      await t.call("PUT", "/v1/recipients/deep", { body: `{"kind":"technician","name":${deep}}` }),
    );
    await expectTooDeep(
      await t.call("POST", "/webhooks/sns", {
        body: `{"Type":"Notification","Message":${deep}}`,
        key: null,
        headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" },
      }),
    );
    expect(await snapshot()).toEqual(before);
  });

  test("the content type is no way around the limit", async () => {
    await expectTooDeep(
      await t.call("POST", "/v1/notifications", {
        body: hostile,
        key: t.portalKey,
        headers: { "content-type": "text/plain" },
      }),
    );
  });

  test("a chunked body is checked as it arrives over real HTTP", async () => {
    const bytes = new TextEncoder().encode(hostile);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + 16 * 1024));
        offset += 16 * 1024;
      },
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/notifications`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.portalKey}`, "content-type": "application/json" },
      body: stream,
    });
    await expectTooDeep(res);
  });

  test("a caller without a key gets its 401 before the body is read", async () => {
    const res = await t.call("POST", "/v1/notifications", { body: hostile, key: null });
    expect(res.status).toBe(401);
  });
});
