import { describe, expect, test } from "bun:test";
import type { Database } from "../../src/db/database.ts";
import { createReadCache } from "../../src/db/read-cache.ts";

// The cache only uses the database as an identity key.
const dbA = {} as Database;
const dbB = {} as Database;

describe("read cache", () => {
  test("serves a value for the TTL, then loads again", async () => {
    const cache = createReadCache<string>(1000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get(dbA, "k", load, 0)).toBe("v1");
    expect(await cache.get(dbA, "k", load, 999)).toBe("v1");
    expect(await cache.get(dbA, "k", load, 1000)).toBe("v2");
  });

  test("does not cache misses, and keeps databases apart", async () => {
    const cache = createReadCache<string>(1000);
    let value: string | null = null;
    expect(await cache.get(dbA, "k", async () => value, 0)).toBeNull();
    value = "now there";
    expect(await cache.get(dbA, "k", async () => value, 1)).toBe("now there");
    expect(await cache.get(dbB, "k", async () => "other", 1)).toBe("other");
  });

  test("clear forgets at once, and a read that raced the clear is not cached over it", async () => {
    const cache = createReadCache<string>(1000);
    await cache.get(dbA, "k", async () => "old", 0);
    cache.clear(dbA);
    expect(await cache.get(dbA, "k", async () => "new", 1)).toBe("new");

    let release: (v: string) => void = () => {};
    const slow = cache.get(dbA, "j", () => new Promise<string>((r) => (release = r)), 2);
    cache.clear(dbA); // a change committed while the read was in flight
    release("stale");
    expect(await slow).toBe("stale");
    expect(await cache.get(dbA, "j", async () => "fresh", 3)).toBe("fresh");
  });
});
