import { describe, expect, test } from "bun:test";
import { and, count, eq, isNull } from "drizzle-orm";
import { inboxCounters, notifications } from "../../db/schema.ts";
import { addNotifications } from "../helpers/inbox-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });

const person = async (id: string) => {
  expect(
    (await t.call("PUT", `/v1/recipients/${id}`, { body: { kind: "technician" }, key: t.portalKey })).status,
  ).toBeOneOf([200, 201]);
};

/** The counter row and the truth it must match: unread notifications that are neither erased nor archived. */
async function counterAndTruth(recipientId: string) {
  const [counter] = await t.deps.db.read
    .select()
    .from(inboxCounters)
    .where(eq(inboxCounters.recipientId, recipientId));
  const [truth] = await t.deps.db.read
    .select({ n: count() })
    .from(notifications)
    .where(
      and(
        eq(notifications.recipientId, recipientId),
        isNull(notifications.readAt),
        isNull(notifications.erasedAt),
        isNull(notifications.archivedAt),
      ),
    );
  return { unread: counter?.unread, version: counter?.version, truth: truth?.n };
}

/** Follows `nextCursor` through every page of `path`. */
async function allPages(path: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await t.call("GET", cursor ? `${path}${sep}cursor=${cursor}` : path, { key: t.portalKey });
    expect(res.status).toBe(200);
    const body = await res.json();
    ids.push(...body.items.map((n: { id: string }) => n.id));
    cursor = body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe("GET /v1/recipients/{id}/inbox", () => {
  test("lists newest first, 20 per page by default, with an opaque cursor to the next page", async () => {
    await person("inbox-1");
    const ids = await addNotifications(t, "inbox-1", 25);
    const first = await t.call("GET", "/v1/recipients/inbox-1/inbox", { key: t.portalKey });
    expect(first.status).toBe(200);
    const page1 = await first.json();
    expect(page1.items).toHaveLength(20);
    expect(page1.items.map((n: { id: string }) => n.id)).toEqual(ids.slice(5).reverse());
    expect(page1.items[0]).toMatchObject({
      recipientId: "inbox-1",
      read: false,
      readAt: null,
      category: "repair",
    });
    expect(page1.nextCursor).toBeString();
    expect(page1.nextCursor).not.toContain(page1.items[19].id);

    const page2 = await (
      await t.call("GET", `/v1/recipients/inbox-1/inbox?cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.items.map((n: { id: string }) => n.id)).toEqual(ids.slice(0, 5).reverse());
    expect(page2.nextCursor).toBeNull();
  });

  test("filters by unread and category across several pages", async () => {
    await person("inbox-2");
    const repairs = await addNotifications(t, "inbox-2", 7);
    const billing = await addNotifications(t, "inbox-2", 4, { category: "billing" });
    const readRepairs = await addNotifications(t, "inbox-2", 3, { readAt: t.clock.now() });
    const readBilling = await addNotifications(t, "inbox-2", 2, {
      category: "billing",
      readAt: t.clock.now(),
    });

    const unread = await allPages("/v1/recipients/inbox-2/inbox?unread=true&limit=3");
    expect(unread.pages).toBe(4);
    expect(unread.ids).toEqual([...repairs, ...billing].reverse());

    const unreadRepairs = await allPages("/v1/recipients/inbox-2/inbox?unread=true&category=repair&limit=2");
    expect(unreadRepairs.ids).toEqual([...repairs].reverse());

    const read = await allPages("/v1/recipients/inbox-2/inbox?unread=false&limit=2");
    expect(read.ids).toEqual([...readRepairs, ...readBilling].reverse());

    const allBilling = await allPages("/v1/recipients/inbox-2/inbox?category=billing&limit=5");
    expect(allBilling.ids).toEqual([...billing, ...readBilling].reverse());
    expect(allBilling.pages).toBe(2);

    expect((await allPages("/v1/recipients/inbox-2/inbox?limit=100")).ids).toHaveLength(16);
  });

  test("erased notifications and other recipients' notifications never show", async () => {
    await person("inbox-3");
    await person("inbox-3-other");
    const [kept] = await addNotifications(t, "inbox-3", 1);
    await addNotifications(t, "inbox-3", 2, { erasedAt: t.clock.now(), readAt: t.clock.now(), title: "" });
    await addNotifications(t, "inbox-3-other", 2);
    const body = await (await t.call("GET", "/v1/recipients/inbox-3/inbox")).json();
    expect(body.items.map((n: { id: string }) => n.id)).toEqual([kept]);
  });

  test("an unknown or erased recipient is 404", async () => {
    expect((await t.call("GET", "/v1/recipients/nobody/inbox")).status).toBe(404);
    await person("inbox-erased");
    await addNotifications(t, "inbox-erased", 2);
    expect((await t.call("DELETE", "/v1/recipients/inbox-erased")).status).toBe(204);
    expect((await t.call("GET", "/v1/recipients/inbox-erased/inbox")).status).toBe(404);
  });

  test("a forged cursor, a bad limit and a bad unread flag are 400s naming the field", async () => {
    await person("inbox-4");
    for (const [query, field] of [
      ["cursor=bm90LWEtY3Vyc29y", "cursor"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["unread=yes", "unread"],
      ["category=", "category"],
    ]) {
      const res = await t.call("GET", `/v1/recipients/inbox-4/inbox?${query}`);
      expect(res.status).toBe(400);
      expect((await res.json()).errors.map((e: { path: string }) => e.path)).toEqual([field]);
    }
  });
});

describe("GET /v1/recipients/{id}/inbox/unread-count", () => {
  test("reads the counter: unread and version", async () => {
    await person("count-1");
    expect(await (await t.call("GET", "/v1/recipients/count-1/inbox/unread-count")).json()).toEqual({
      unread: 0,
      version: 0,
    });
    await addNotifications(t, "count-1", 3);
    await addNotifications(t, "count-1", 2, { readAt: t.clock.now() });
    const res = await t.call("GET", "/v1/recipients/count-1/inbox/unread-count", { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unread: 3, version: 2 });
  });

  test("an unknown or erased recipient is 404", async () => {
    expect((await t.call("GET", "/v1/recipients/nobody/inbox/unread-count")).status).toBe(404);
    await person("count-erased");
    await t.call("DELETE", "/v1/recipients/count-erased");
    expect((await t.call("GET", "/v1/recipients/count-erased/inbox/unread-count")).status).toBe(404);
  });
});

describe("POST /v1/notifications/{id}/read", () => {
  test("marks read once: the counter drops by one and the version grows; repeating changes nothing", async () => {
    await person("read-1");
    const [a, b] = await addNotifications(t, "read-1", 2);
    const before = await counterAndTruth("read-1");
    expect(before).toEqual({ unread: 2, version: 1, truth: 2 });

    t.clock.advance(5000);
    const res = await t.call("POST", `/v1/notifications/${a}/read`, { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: a, read: true, readAt: t.clock.now() });
    expect(await counterAndTruth("read-1")).toEqual({ unread: 1, version: 2, truth: 1 });

    const readAt = t.clock.now();
    t.clock.advance(5000);
    const again = await t.call("POST", `/v1/notifications/${a}/read`, { key: t.portalKey });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: a, read: true, readAt });
    expect(await counterAndTruth("read-1")).toEqual({ unread: 1, version: 2, truth: 1 });

    await t.call("POST", `/v1/notifications/${b}/read`);
    expect(await counterAndTruth("read-1")).toEqual({ unread: 0, version: 3, truth: 0 });
    expect(await (await t.call("GET", "/v1/recipients/read-1/inbox/unread-count")).json()).toEqual({
      unread: 0,
      version: 3,
    });
  });

  test("an unknown or erased notification is 404", async () => {
    expect((await t.call("POST", "/v1/notifications/01KF0000000000000000000000/read")).status).toBe(404);
    await person("read-erased");
    const [gone] = await addNotifications(t, "read-erased", 1, { erasedAt: t.clock.now() });
    const res = await t.call("POST", `/v1/notifications/${gone}/read`);
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe("not-found");
  });
});

describe("POST /v1/recipients/{id}/inbox/read-all", () => {
  test("marks every unread notification in one go and says how many; a second call marks none", async () => {
    await person("all-1");
    await person("all-1-other");
    await addNotifications(t, "all-1", 4);
    await addNotifications(t, "all-1", 2, { readAt: t.clock.now() });
    await addNotifications(t, "all-1", 1, { erasedAt: t.clock.now(), title: "erased" });
    await addNotifications(t, "all-1-other", 3);
    const before = await counterAndTruth("all-1");

    const res = await t.call("POST", "/v1/recipients/all-1/inbox/read-all", { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ marked: 4, unread: 0, version: (before.version ?? 0) + 1 });
    expect(await counterAndTruth("all-1")).toEqual({
      unread: 0,
      version: (before.version ?? 0) + 1,
      truth: 0,
    });
    const unread = await (await t.call("GET", "/v1/recipients/all-1/inbox?unread=true")).json();
    expect(unread.items).toEqual([]);
    // The erased notification stays unread-and-hidden, not resurrected as read.
    const [erased] = await t.deps.db.read
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, "all-1"), eq(notifications.title, "erased")));
    expect(erased?.readAt).toBeNull();

    const again = await (await t.call("POST", "/v1/recipients/all-1/inbox/read-all")).json();
    expect(again).toEqual({ marked: 0, unread: 0, version: (before.version ?? 0) + 1 });
    expect(await counterAndTruth("all-1-other")).toMatchObject({ unread: 3, truth: 3 });
  });

  test("an unknown recipient is 404", async () => {
    expect((await t.call("POST", "/v1/recipients/nobody/inbox/read-all")).status).toBe(404);
  });
});

describe("inbox auth", () => {
  test("no key or a wrong key is 401", async () => {
    await person("auth-1");
    const [id] = await addNotifications(t, "auth-1", 1);
    for (const [method, path] of [
      ["GET", "/v1/recipients/auth-1/inbox"],
      ["GET", "/v1/recipients/auth-1/inbox/unread-count"],
      ["POST", "/v1/recipients/auth-1/inbox/read-all"],
      ["POST", `/v1/notifications/${id}/read`],
    ] as const) {
      expect((await t.call(method, path, { key: null })).status).toBe(401);
      expect((await t.call(method, path, { key: "hk_wrong" })).status).toBe(401);
    }
  });

  test("a recipient token is 403 on the portal routes, even for its own inbox, and changes nothing", async () => {
    await person("auth-2");
    const [id] = await addNotifications(t, "auth-2", 1);
    const { token } = await (
      await t.call("POST", "/v1/recipients/auth-2/tokens", { key: t.portalKey })
    ).json();
    for (const [method, path] of [
      ["GET", "/v1/recipients/auth-2/inbox"],
      ["GET", "/v1/recipients/auth-2/inbox/unread-count"],
      ["POST", "/v1/recipients/auth-2/inbox/read-all"],
      ["POST", `/v1/notifications/${id}/read`],
    ] as const) {
      const res = await t.call(method, path, { key: token });
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe("forbidden");
    }
    expect(await counterAndTruth("auth-2")).toMatchObject({ unread: 1, truth: 1 });
  });
});

/** Records the inbox changes published for `recipientId` (what /v1/me/stream would send). */
function published(recipientId: string) {
  const changes: { unread: number; version?: number }[] = [];
  t.deps.inboxEvents.subscribe(recipientId, ({ unread, version }) => changes.push({ unread, version }));
  return changes;
}

describe("POST /v1/notifications/{id}/unread", () => {
  test("marks a read notification unread: the count goes back up in step and the change is published", async () => {
    await person("unread-1");
    const [id] = await addNotifications(t, "unread-1", 2);
    await t.call("POST", `/v1/notifications/${id}/read`, { key: t.portalKey });
    const changes = published("unread-1");
    const res = await t.call("POST", `/v1/notifications/${id}/unread`, { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, read: false, readAt: null });
    const state = await counterAndTruth("unread-1");
    expect(state).toMatchObject({ unread: 2, truth: 2 });
    expect(changes).toEqual([{ unread: 2, version: state.version }]);

    // Again: nothing changes, nothing is published.
    expect((await t.call("POST", `/v1/notifications/${id}/unread`, { key: t.portalKey })).status).toBe(200);
    expect(await counterAndTruth("unread-1")).toEqual(state);
    expect(changes).toHaveLength(1);
  });

  test("an unknown notification is 404", async () => {
    const res = await t.call("POST", "/v1/notifications/01KF0Z3W5X6Y7Z8A9B0C1D2E3F/unread", {
      key: t.portalKey,
    });
    expect(res.status).toBe(404);
  });
});

describe("POST /v1/notifications/{id}/archive", () => {
  test("hides a notification from the inbox and the unread count without deleting it", async () => {
    await person("archive-1");
    const [older, newer] = await addNotifications(t, "archive-1", 2);
    const changes = published("archive-1");
    const res = await t.call("POST", `/v1/notifications/${newer}/archive`, { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: newer, read: true, archivedAt: t.clock.now() });

    const page = await (await t.call("GET", "/v1/recipients/archive-1/inbox", { key: t.portalKey })).json();
    expect(page.items.map((n: { id: string }) => n.id)).toEqual([older]);
    const unreadOnly = await (
      await t.call("GET", "/v1/recipients/archive-1/inbox?unread=true", { key: t.portalKey })
    ).json();
    expect(unreadOnly.items.map((n: { id: string }) => n.id)).toEqual([older]);
    const state = await counterAndTruth("archive-1");
    expect(state).toMatchObject({ unread: 1, truth: 1 });
    expect(changes).toEqual([{ unread: 1, version: state.version }]);
    // Kept: the portal still finds it.
    expect((await t.call("GET", `/v1/notifications/${newer}`)).status).toBe(200);
  });

  test("an archived notification is read: archiving again or marking it read changes nothing", async () => {
    await person("archive-2");
    const [, archived] = await addNotifications(t, "archive-2", 2);
    const first = await (
      await t.call("POST", `/v1/notifications/${archived}/archive`, { key: t.portalKey })
    ).json();
    expect(first).toMatchObject({ read: true, readAt: t.clock.now(), archivedAt: t.clock.now() });
    const before = await counterAndTruth("archive-2");
    expect(before).toMatchObject({ unread: 1, truth: 1 });
    t.clock.advance(1000);
    const again = await (
      await t.call("POST", `/v1/notifications/${archived}/archive`, { key: t.portalKey })
    ).json();
    expect(again.archivedAt).toBe(first.archivedAt);
    expect((await t.call("POST", `/v1/notifications/${archived}/read`, { key: t.portalKey })).status).toBe(
      200,
    );
    expect(await counterAndTruth("archive-2")).toEqual(before);
  });

  test("marking an archived notification unread brings it back to the inbox, counted", async () => {
    await person("archive-4");
    const [id] = await addNotifications(t, "archive-4", 1);
    await t.call("POST", `/v1/notifications/${id}/archive`, { key: t.portalKey });
    expect(await counterAndTruth("archive-4")).toMatchObject({ unread: 0, truth: 0 });
    const res = await t.call("POST", `/v1/notifications/${id}/unread`, { key: t.portalKey });
    expect(await res.json()).toMatchObject({ id, read: false });
    expect(await counterAndTruth("archive-4")).toMatchObject({ unread: 1, truth: 1 });
    const page = await (
      await t.call("GET", "/v1/recipients/archive-4/inbox?unread=true", { key: t.portalKey })
    ).json();
    expect(page.items.map((n: { id: string }) => n.id)).toEqual([id]);
  });

  test("archiving a read notification leaves the count alone", async () => {
    await person("archive-3");
    const [id] = await addNotifications(t, "archive-3", 1, { readAt: t.clock.now() });
    const before = await counterAndTruth("archive-3");
    expect((await t.call("POST", `/v1/notifications/${id}/archive`, { key: t.portalKey })).status).toBe(200);
    expect(await counterAndTruth("archive-3")).toEqual(before);
  });
});
