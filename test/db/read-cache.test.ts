import { describe, expect, test } from "bun:test";
import { createDeps } from "../../src/bootstrap.ts";
import { BRANDING_CACHE_MS } from "../../src/caches.ts";
import { loadConfig } from "../../src/config.ts";
import { createReadCache } from "../../src/db/read-cache.ts";
import { getBranding, putBranding } from "../../src/domain/branding/branding.service.ts";
import { createLogger } from "../../src/logger.ts";
import { makeTestApp } from "../helpers/test-app.ts";

describe("read cache", () => {
  test("serves a value for the TTL, then loads again", async () => {
    const cache = createReadCache<string>(1000);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get("k", load, 0)).toBe("v1");
    expect(await cache.get("k", load, 999)).toBe("v1");
    expect(await cache.get("k", load, 1000)).toBe("v2");
  });

  test("does not cache misses", async () => {
    const cache = createReadCache<string>(1000);
    let value: string | null = null;
    expect(await cache.get("k", async () => value, 0)).toBeNull();
    value = "now there";
    expect(await cache.get("k", async () => value, 1)).toBe("now there");
  });

  test("clear forgets at once, and a read that raced the clear is not cached over it", async () => {
    const cache = createReadCache<string>(1000);
    await cache.get("k", async () => "old", 0);
    cache.clear();
    expect(await cache.get("k", async () => "new", 1)).toBe("new");

    let release: (v: string) => void = () => {};
    const slow = cache.get("j", () => new Promise<string>((r) => (release = r)), 2);
    cache.clear(); // a change committed while the read was in flight
    release("stale");
    expect(await slow).toBe("stale");
    expect(await cache.get("j", async () => "fresh", 3)).toBe("fresh");
  });
});

describe("caches belong to their composition root", () => {
  test("two apps on one database: a change through one is seen there at once, by the other within the TTL", async () => {
    const t = await makeTestApp({ seed: false });
    const other = await createDeps(loadConfig({ DATABASE_URL: t.databaseUrl }), {
      logger: createLogger("silent"),
    });
    try {
      const now = performance.now();
      expect((await getBranding(other, now)).companyName).toBe("Herald");
      await putBranding(t.deps, { companyName: "Acme Repairs" });
      expect((await getBranding(t.deps, now)).companyName).toBe("Acme Repairs");
      // The other app's cache is its own: it still serves what it read, until its entry ages out.
      expect((await getBranding(other, now + 1)).companyName).toBe("Herald");
      expect((await getBranding(other, now + BRANDING_CACHE_MS + 1)).companyName).toBe("Acme Repairs");
      expect(other.caches).not.toBe(t.deps.caches);
    } finally {
      await other.db.close();
    }
  });
});
