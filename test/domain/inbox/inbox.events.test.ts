import { describe, expect, test } from "bun:test";
import { createInboxEvents, type InboxChange } from "../../../src/domain/inbox/inbox.events.ts";

const change = (recipientId: string, version: number): InboxChange => ({ recipientId, unread: 1, version });

describe("createInboxEvents", () => {
  test("delivers a change only to that recipient's listeners until they unsubscribe", () => {
    const events = createInboxEvents();
    const seen: string[] = [];
    const stopA = events.subscribe("a", (c) => seen.push(`a${c.version}`));
    events.subscribe("b", (c) => seen.push(`b${c.version}`));
    events.publish(change("a", 1));
    events.publish(change("b", 2));
    stopA();
    events.publish(change("a", 3));
    expect(seen).toEqual(["a1", "b2"]);
    expect(events.size()).toBe(1);
  });

  test("unsubscribing twice neither miscounts nor drops a later subscriber", () => {
    const events = createInboxEvents();
    const stop = events.subscribe("a", () => {});
    stop();
    const seen: number[] = [];
    events.subscribe("a", (c) => seen.push(c.version));
    stop();
    events.publish(change("a", 7));
    expect(seen).toEqual([7]);
    expect(events.size()).toBe(1);
  });
});
