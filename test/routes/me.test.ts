import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { inboxCounters, notifications } from "../../db/schema.ts";
import { issueRecipientToken } from "../../src/domain/recipient-tokens/recipient-tokens.ts";
import { addNotifications } from "../helpers/inbox-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const TTL_SECONDS = 900;
const t = await makeTestApp({ seed: false, env: { HERALD_TOKEN_TTL_SECONDS: String(TTL_SECONDS) } });

const person = async (id: string) => {
  const res = await t.call("PUT", `/v1/recipients/${id}`, { body: { kind: "customer" }, key: t.portalKey });
  expect(res.status).toBeOneOf([200, 201]);
};

async function tokenFor(recipientId: string, body?: unknown): Promise<string> {
  const res = await t.call("POST", `/v1/recipients/${recipientId}/tokens`, { key: t.portalKey, body });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

const counterOf = async (recipientId: string) =>
  (await t.deps.db.read.select().from(inboxCounters).where(eq(inboxCounters.recipientId, recipientId)))[0];

interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads server-sent events off a response body one at a time, awaiting the stream (never sleeping). */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const parse = (block: string): SseMessage => {
    const message: SseMessage = {};
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) message.comment = line.slice(1).trim();
      const match = line.match(/^(event|id|data): ?(.*)$/);
      if (match) message[match[1] as "event" | "id" | "data"] = match[2];
    }
    return message;
  };
  return {
    async next(): Promise<SseMessage> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return parse(block);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe("POST /v1/recipients/{id}/tokens", () => {
  test("issues a token living HERALD_TOKEN_TTL_SECONDS, or a shorter ttlSeconds", async () => {
    await person("tok-1");
    const res = await t.call("POST", "/v1/recipients/tok-1/tokens", { key: t.portalKey });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.token).toStartWith("rt_");
    expect(body.expiresAt).toBe(t.clock.now() + TTL_SECONDS * 1000);

    const short = await (
      await t.call("POST", "/v1/recipients/tok-1/tokens", { body: { ttlSeconds: 60 } })
    ).json();
    expect(short.expiresAt).toBe(t.clock.now() + 60_000);
    const empty = await (await t.call("POST", "/v1/recipients/tok-1/tokens", { body: {} })).json();
    expect(empty.expiresAt).toBe(t.clock.now() + TTL_SECONDS * 1000);
  });

  test("a longer, non-positive or fractional ttlSeconds, or an unknown field, is a 400", async () => {
    await person("tok-2");
    for (const body of [
      { ttlSeconds: TTL_SECONDS + 1 },
      { ttlSeconds: 0 },
      { ttlSeconds: 1.5 },
      { ttl: 60 },
    ]) {
      const res = await t.call("POST", "/v1/recipients/tok-2/tokens", { body });
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe("validation-failed");
    }
    const tooLong = await (
      await t.call("POST", "/v1/recipients/tok-2/tokens", { body: { ttlSeconds: 901 } })
    ).json();
    expect(tooLong.errors[0].path).toBe("ttlSeconds");
  });

  test("unknown and erased recipients are 404", async () => {
    expect((await t.call("POST", "/v1/recipients/nobody/tokens")).status).toBe(404);
    await person("tok-erased");
    await t.call("DELETE", "/v1/recipients/tok-erased");
    expect((await t.call("POST", "/v1/recipients/tok-erased/tokens")).status).toBe(404);
  });

  test("needs a portal key: none is 401, a recipient token is 403", async () => {
    await person("tok-3");
    expect((await t.call("POST", "/v1/recipients/tok-3/tokens", { key: null })).status).toBe(401);
    const token = await tokenFor("tok-3");
    expect((await t.call("POST", "/v1/recipients/tok-3/tokens", { key: token })).status).toBe(403);
  });
});

describe("/v1/me inbox", () => {
  test("lists, counts and marks the token holder's own notifications", async () => {
    await person("me-1");
    await person("me-1-other");
    const ids = await addNotifications(t, "me-1", 3);
    await addNotifications(t, "me-1-other", 2);
    const token = await tokenFor("me-1");

    const list = await t.call("GET", "/v1/me/inbox?limit=2", { key: token });
    expect(list.status).toBe(200);
    const page = await list.json();
    expect(page.items.map((n: { id: string }) => n.id)).toEqual([ids[2], ids[1]]);
    const rest = await (
      await t.call("GET", `/v1/me/inbox?limit=2&cursor=${page.nextCursor}`, { key: token })
    ).json();
    expect(rest).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    expect(await (await t.call("GET", "/v1/me/inbox/unread-count", { key: token })).json()).toEqual({
      unread: 3,
      version: 1,
    });
    const read = await t.call("POST", `/v1/me/notifications/${ids[0]}/read`, { key: token });
    expect(read.status).toBe(200);
    expect((await read.json()).read).toBe(true);
    expect((await t.call("POST", `/v1/me/notifications/${ids[0]}/read`, { key: token })).status).toBe(200);
    expect(await (await t.call("GET", "/v1/me/inbox/unread-count", { key: token })).json()).toEqual({
      unread: 2,
      version: 2,
    });

    const all = await t.call("POST", "/v1/me/inbox/read-all", { key: token });
    expect(await all.json()).toEqual({ marked: 2, unread: 0, version: 3 });
    expect(
      (await t.call("GET", "/v1/me/inbox?unread=true", { key: token }).then((r) => r.json())).items,
    ).toEqual([]);
    expect((await counterOf("me-1-other"))?.unread).toBe(2);
  });

  test("a token for A cannot see or mark B's notifications: 404, and B's inbox is untouched", async () => {
    await person("me-a");
    await person("me-b");
    const [aId] = await addNotifications(t, "me-a", 1);
    const [bId = ""] = await addNotifications(t, "me-b", 1);
    const tokenA = await tokenFor("me-a");

    const listed = await (await t.call("GET", "/v1/me/inbox", { key: tokenA })).json();
    expect(listed.items.map((n: { id: string }) => n.id)).toEqual([aId]);

    const res = await t.call("POST", `/v1/me/notifications/${bId}/read`, { key: tokenA });
    expect(res.status).toBe(404);
    const missing = await t.call("POST", "/v1/me/notifications/01KF0000000000000000000000/read", {
      key: tokenA,
    });
    const [leak, absent] = [await res.json(), await missing.json()];
    expect(leak.code).toBe(absent.code);
    expect(leak.title).toBe(absent.title);

    const [b] = await t.deps.db.read.select().from(notifications).where(eq(notifications.id, bId));
    expect(b?.readAt).toBeNull();
    expect(await counterOf("me-b")).toMatchObject({ unread: 1, version: 1 });
  });

  test("a token whose recipient was erased finds nothing: 404", async () => {
    await person("me-erased");
    const token = await tokenFor("me-erased");
    await t.call("DELETE", "/v1/recipients/me-erased");
    for (const [method, path] of [
      ["GET", "/v1/me/inbox"],
      ["GET", "/v1/me/inbox/unread-count"],
      ["POST", "/v1/me/inbox/read-all"],
      ["GET", "/v1/me/preferences"],
      ["GET", "/v1/me/stream"],
    ] as const) {
      expect((await t.call(method, path, { key: token })).status).toBe(404);
    }
    expect(t.deps.inboxEvents.size()).toBe(0);
  });
});

describe("/v1/me/preferences", () => {
  test("reads the defaults, replaces the document, and the portal sees the same preferences", async () => {
    await person("me-pref");
    const token = await tokenFor("me-pref");
    const defaults = await (await t.call("GET", "/v1/me/preferences", { key: token })).json();
    expect(defaults).toMatchObject({ emailEnabled: true, smsEnabled: true, digestHour: 9 });

    const next = {
      ...defaults,
      smsEnabled: false,
      quietHours: { enabled: true, start: "21:00", end: "08:00" },
    };
    const put = await t.call("PUT", "/v1/me/preferences", { key: token, body: next });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(next);
    expect(
      await (await t.call("GET", "/v1/recipients/me-pref/preferences", { key: t.portalKey })).json(),
    ).toEqual(next);

    const bad = await t.call("PUT", "/v1/me/preferences", { key: token, body: { ...next, digestHour: -1 } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { path: string }) => e.path)).toEqual(["digestHour"]);
    expect(await (await t.call("GET", "/v1/me/preferences", { key: token })).json()).toEqual(next);
  });
});

describe("/v1/me/notifications/{id}/unread and /archive", () => {
  test("a recipient marks their own notification unread and archives it; someone else's is a 404", async () => {
    await person("me-arch");
    await person("me-other");
    const token = await tokenFor("me-arch");
    const [mine] = await addNotifications(t, "me-arch", 1, { readAt: t.clock.now() });
    const [theirs] = await addNotifications(t, "me-other", 1);

    const unread = await t.call("POST", `/v1/me/notifications/${mine}/unread`, { key: token });
    expect(unread.status).toBe(200);
    expect(await unread.json()).toMatchObject({ id: mine, read: false });
    expect((await counterOf("me-arch"))?.unread).toBe(1);

    const archived = await t.call("POST", `/v1/me/notifications/${mine}/archive`, { key: token });
    expect(archived.status).toBe(200);
    expect((await archived.json()).archivedAt).toBe(t.clock.now());
    expect((await counterOf("me-arch"))?.unread).toBe(0);
    expect((await (await t.call("GET", "/v1/me/inbox", { key: token })).json()).items).toEqual([]);

    for (const action of ["unread", "archive"]) {
      expect((await t.call("POST", `/v1/me/notifications/${theirs}/${action}`, { key: token })).status).toBe(
        404,
      );
    }
    expect((await counterOf("me-other"))?.unread).toBe(1);
  });
});

describe("PATCH /v1/me/preferences", () => {
  test("changes only what the patch names, for the token's recipient; null means the default", async () => {
    await person("me-patch");
    const token = await tokenFor("me-patch");
    const first = await t.call("PATCH", "/v1/me/preferences", {
      key: token,
      headers: { "content-type": "application/merge-patch+json" },
      body: { smsEnabled: false, digestHour: 18 },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ emailEnabled: true, smsEnabled: false, digestHour: 18 });

    const second = await t.call("PATCH", "/v1/me/preferences", { key: token, body: { digestHour: null } });
    expect(second.status).toBe(200);
    const stored = await (
      await t.call("GET", "/v1/recipients/me-patch/preferences", { key: t.portalKey })
    ).json();
    expect(stored).toMatchObject({ smsEnabled: false, digestHour: 9 });
  });

  test("API keys are 403", async () => {
    const res = await t.call("PATCH", "/v1/me/preferences", {
      key: t.portalKey,
      body: { smsEnabled: false },
    });
    expect(res.status).toBe(403);
  });
});

describe("/v1/me auth", () => {
  test("API keys (admin or portal) are 403 on /v1/me routes", async () => {
    for (const key of [t.adminKey, t.portalKey]) {
      for (const [method, path] of [
        ["GET", "/v1/me/inbox"],
        ["GET", "/v1/me/inbox/unread-count"],
        ["POST", "/v1/me/inbox/read-all"],
        ["GET", "/v1/me/preferences"],
        ["GET", "/v1/me/stream"],
      ] as const) {
        const res = await t.call(method, path, { key });
        expect(res.status).toBe(403);
      }
    }
  });

  test("recipient tokens are 403 outside /v1/me, and ?access_token= is only read under /v1/me", async () => {
    await person("me-scope");
    const token = await tokenFor("me-scope");
    expect((await t.call("GET", "/v1/recipients/me-scope", { key: token })).status).toBe(403);
    expect((await t.call("GET", "/v1/notifications", { key: token })).status).toBe(403);
    expect(
      (await t.call("GET", `/v1/recipients/me-scope/inbox?access_token=${token}`, { key: null })).status,
    ).toBe(401);
    expect((await t.call("GET", `/v1/me/inbox?access_token=${token}`, { key: null })).status).toBe(200);
  });

  test("a token stops working when it expires (401), and a tampered or missing token is 401", async () => {
    await person("me-exp");
    const token = await tokenFor("me-exp", { ttlSeconds: 60 });
    t.clock.advance(59_999);
    expect((await t.call("GET", "/v1/me/inbox/unread-count", { key: token })).status).toBe(200);
    t.clock.advance(1);
    const expired = await t.call("GET", "/v1/me/inbox/unread-count", { key: token });
    expect(expired.status).toBe(401);
    expect((await expired.json()).code).toBe("unauthenticated");

    const fresh = await tokenFor("me-exp");
    const [payload, signature] = fresh.slice(3).split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "me-1", exp: t.clock.now() + 60_000 })).toString(
      "base64url",
    );
    expect((await t.call("GET", "/v1/me/inbox", { key: `rt_${forged}.${signature}` })).status).toBe(401);
    expect((await t.call("GET", "/v1/me/inbox", { key: `rt_${payload}.x${signature}` })).status).toBe(401);
    expect((await t.call("GET", "/v1/me/inbox", { key: null })).status).toBe(401);
  });
});

describe("GET /v1/me/stream", () => {
  test("sends the current count at once, then each change with a higher version, and unsubscribes on disconnect", async () => {
    await person("sse-1");
    await person("sse-1-other");
    const ids = await addNotifications(t, "sse-1", 3);
    const [otherId] = await addNotifications(t, "sse-1-other", 1);
    const token = await tokenFor("sse-1");
    const tokenOther = await tokenFor("sse-1-other");

    const res = await t.call("GET", "/v1/me/stream", { key: token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const sse = sseReader(res.body as ReadableStream<Uint8Array>);
    const first = await sse.next();
    expect(first).toEqual({ event: "unread", id: "1", data: JSON.stringify({ unread: 3, version: 1 }) });
    expect(t.deps.inboxEvents.size()).toBe(1);

    // Another recipient's change is not this stream's business; the next event is our own read.
    await t.call("POST", `/v1/me/notifications/${otherId}/read`, { key: tokenOther });
    await t.call("POST", `/v1/me/notifications/${ids[0]}/read`, { key: token });
    const second = await sse.next();
    expect(second.event).toBe("unread");
    const count = JSON.parse(second.data ?? "");
    expect(count.unread).toBe(2);
    expect(count.version).toBeGreaterThan(1);
    expect(second.id).toBe(String(count.version));

    // A repeated read changes nothing, so the next event is the read-all.
    await t.call("POST", `/v1/me/notifications/${ids[0]}/read`, { key: token });
    await t.call("POST", "/v1/recipients/sse-1/inbox/read-all", { key: t.portalKey });
    const third = JSON.parse((await sse.next()).data ?? "");
    expect(third).toEqual({ unread: 0, version: count.version + 1 });

    await sse.cancel();
    expect(t.deps.inboxEvents.size()).toBe(0);
  });

  test("EventSource-style ?access_token= opens the stream", async () => {
    await person("sse-2");
    await addNotifications(t, "sse-2", 2);
    const token = await tokenFor("sse-2");
    const res = await t.call("GET", `/v1/me/stream?access_token=${token}`, { key: null });
    expect(res.status).toBe(200);
    const sse = sseReader(res.body as ReadableStream<Uint8Array>);
    expect(await sse.next()).toMatchObject({
      event: "unread",
      data: JSON.stringify({ unread: 2, version: 1 }),
    });
    await sse.cancel();
    expect(t.deps.inboxEvents.size()).toBe(0);
  });
});

describe("a token belongs to one incarnation of its recipient", () => {
  test("after DELETE and a new PUT with the same id, the old token reads nothing of the new person (401)", async () => {
    await person("inc-1");
    await addNotifications(t, "inc-1", 2);
    const old = await tokenFor("inc-1");
    expect((await t.call("GET", "/v1/me/inbox", { key: old })).status).toBe(200);

    // Same millisecond on the fixed clock: the new incarnation is still told apart.
    expect((await t.call("DELETE", "/v1/recipients/inc-1", { key: t.portalKey })).status).toBe(204);
    await person("inc-1");
    await addNotifications(t, "inc-1", 1);
    for (const [method, path] of [
      ["GET", "/v1/me/inbox"],
      ["GET", "/v1/me/inbox/unread-count"],
      ["POST", "/v1/me/inbox/read-all"],
      ["GET", "/v1/me/preferences"],
      ["PUT", "/v1/me/preferences"],
      ["GET", "/v1/me/stream"],
    ] as const) {
      const body =
        method === "PUT"
          ? { emailEnabled: false, smsEnabled: false, categoryOptOuts: { email: [], sms: [] } }
          : undefined;
      const res = await t.call(method, path, { key: old, body });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect((await res.json()).code).toBe("unauthenticated");
    }
    expect(await counterOf("inc-1")).toMatchObject({ unread: 1 });

    const fresh = await tokenFor("inc-1");
    const inbox = await (await t.call("GET", "/v1/me/inbox", { key: fresh })).json();
    expect(inbox.items).toHaveLength(1);
  });

  test("an open stream ends when its recipient is erased, before the next person's counts", async () => {
    await person("inc-sse");
    await addNotifications(t, "inc-sse", 1);
    const token = await tokenFor("inc-sse");
    const res = await t.call("GET", "/v1/me/stream", { key: token });
    const sse = sseReader(res.body as ReadableStream<Uint8Array>);
    expect((await sse.next()).data).toBe(JSON.stringify({ unread: 1, version: 1 }));

    await t.call("DELETE", "/v1/recipients/inc-sse", { key: t.portalKey });
    await person("inc-sse");
    await addNotifications(t, "inc-sse", 4);
    await expect(sse.next()).rejects.toThrow("the stream ended");
    expect(t.deps.inboxEvents.size()).toBe(0);
  });

  test("a token that names no incarnation (issued before they existed) is refused", async () => {
    await person("inc-legacy");
    const legacy = issueRecipientToken(t.deps.tokenSecret, {
      sub: "inc-legacy",
      exp: t.clock.now() + 60_000,
    } as never);
    expect((await t.call("GET", "/v1/me/inbox", { key: legacy })).status).toBe(401);
  });
});
