/**
 * A stream open in one process follows unread-count changes written by another process on the same database
 * (a file, or one sqld in the sqld pass): the feed reads the watched counters and publishes newer versions.
 */
import { describe, expect, test } from "bun:test";
import { createDeps } from "../../../src/bootstrap.ts";
import { loadConfig } from "../../../src/config.ts";
import { markRead } from "../../../src/domain/inbox/inbox.service.ts";
import { watchUnread } from "../../../src/domain/inbox/inbox.stream.ts";
import { createLogger } from "../../../src/logger.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

const t = await makeTestApp();
await t.call("PUT", "/v1/recipients/watched", { body: { kind: "staff" } });
/** Another process on the same database: its own deps, no engine, no event streams of its own. */
const other = await createDeps(loadConfig({ DATABASE_URL: t.databaseUrl }), {
  logger: createLogger("silent"),
});

describe("inbox feed", () => {
  test("a change another process commits reaches this process's stream on the next poll, once", async () => {
    const created = await (
      await t.call("POST", "/v1/notifications", {
        body: { recipientId: "watched", template: "test-message", priority: "LOW" },
      })
    ).json();
    const closed = new AbortController();
    const events = await watchUnread(t.deps, "watched", { signal: closed.signal, keepAliveMs: 60_000 });
    const first = (await events.next()).value;
    expect(first).toMatchObject({ kind: "unread", count: { unread: 1 } });

    // Read in the other process: nothing tells this one, until the feed looks.
    await markRead(other, created.notification.id);
    const next = events.next();
    expect(await t.deps.inboxFeed.poll()).toBe(1);
    expect((await next).value).toMatchObject({ kind: "unread", count: { unread: 0 } });
    // Nothing newer: the next poll publishes nothing.
    expect(await t.deps.inboxFeed.poll()).toBe(0);
    closed.abort();
    await other.db.close();
  });

  test("reads nothing while no stream is open", async () => {
    expect(t.deps.inboxEvents.size()).toBe(0);
    expect(await t.deps.inboxFeed.poll()).toBe(0);
  });
});
