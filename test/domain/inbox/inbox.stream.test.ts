import { describe, expect, test } from "bun:test";
import { watchUnread } from "../../../src/domain/inbox/inbox.stream.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });
await t.call("PUT", "/v1/recipients/watcher", { body: { kind: "staff" } });
const change = (unread: number, version: number) => ({ recipientId: "watcher", unread, version });

describe("watchUnread", () => {
  test("yields the current count first, then only newer versions, collapsing a burst into its latest", async () => {
    const closed = new AbortController();
    const events = await watchUnread(t.deps, "watcher", { signal: closed.signal, keepAliveMs: 60_000 });
    // Published after the subscription but before the first pull: still seen.
    t.deps.inboxEvents.publish(change(4, 7));
    expect((await events.next()).value).toEqual({ kind: "unread", count: { unread: 0, version: 0 } });
    expect((await events.next()).value).toEqual({ kind: "unread", count: { unread: 4, version: 7 } });

    t.deps.inboxEvents.publish(change(3, 8));
    t.deps.inboxEvents.publish(change(9, 6)); // late and stale: dropped
    t.deps.inboxEvents.publish(change(2, 9));
    t.deps.inboxEvents.publish(change(2, 9)); // a duplicate: dropped
    t.deps.inboxEvents.publish(change(5, 1)); // stale again
    t.deps.inboxEvents.publish({ recipientId: "someone-else", unread: 1, version: 100 });
    expect((await events.next()).value).toEqual({ kind: "unread", count: { unread: 2, version: 9 } });

    const pending = events.next();
    t.deps.inboxEvents.publish(change(1, 10));
    expect((await pending).value).toEqual({ kind: "unread", count: { unread: 1, version: 10 } });
    closed.abort();
  });

  test("sends a keep-alive after each quiet interval", async () => {
    const closed = new AbortController();
    const events = await watchUnread(t.deps, "watcher", { signal: closed.signal, keepAliveMs: 5 });
    expect((await events.next()).value).toMatchObject({ kind: "unread" });
    expect((await events.next()).value).toEqual({ kind: "keep-alive" });
    expect((await events.next()).value).toEqual({ kind: "keep-alive" });
    closed.abort();
  });

  test("aborting unsubscribes at once and ends a waiting stream", async () => {
    const closed = new AbortController();
    const before = t.deps.inboxEvents.size();
    const events = await watchUnread(t.deps, "watcher", { signal: closed.signal, keepAliveMs: 60_000 });
    expect(t.deps.inboxEvents.size()).toBe(before + 1);
    await events.next();
    const waiting = events.next();
    closed.abort();
    expect(t.deps.inboxEvents.size()).toBe(before);
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  test("an unknown recipient throws not-found and leaves no subscription behind", async () => {
    const before = t.deps.inboxEvents.size();
    const watching = watchUnread(t.deps, "nobody", { signal: new AbortController().signal });
    await expect(watching).rejects.toMatchObject({ code: "not-found" });
    expect(t.deps.inboxEvents.size()).toBe(before);
  });
});
