/**
 * HERALD_ADMIN_KEY at start: processes that start together on one database (an `api` and a `worker`) all come
 * up with the key stored once and live; a key revoked by hand is live again after a restart that configures it.
 */
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { apiKeys } from "../../../db/schema.ts";
import { createDeps } from "../../../src/bootstrap.ts";
import { loadConfig } from "../../../src/config.ts";
import { ensureAdminKey, revokeApiKey, verifyApiKey } from "../../../src/domain/api-keys/api-keys.service.ts";
import { createLogger } from "../../../src/logger.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

const KEY = "hk_configured_admin_key_0123456789abcdef";

describe("ensureAdminKey with a configured key", () => {
  test("several processes at once store it once, live; a later start brings a revoked one back", async () => {
    const t = await makeTestApp({ seed: false });
    const others = await Promise.all(
      [1, 2, 3].map(() =>
        createDeps(loadConfig({ DATABASE_URL: t.databaseUrl }), { logger: createLogger("silent") }),
      ),
    );
    try {
      await Promise.all([t.deps, ...others].map((deps) => ensureAdminKey(deps, KEY)));
      const rows = await t.deps.db.read.select().from(apiKeys).where(eq(apiKeys.name, "HERALD_ADMIN_KEY"));
      expect(rows).toHaveLength(1);
      expect(await verifyApiKey(t.deps, KEY)).toMatchObject({ scopes: ["admin"] });

      await revokeApiKey(t.deps, rows[0]?.id as string);
      expect(await verifyApiKey(t.deps, KEY)).toBeNull();
      await ensureAdminKey(t.deps, KEY);
      expect(await verifyApiKey(t.deps, KEY)).toMatchObject({ scopes: ["admin"] });
    } finally {
      await Promise.all(others.map((deps) => deps.db.close()));
    }
  });
});

describe("ensureAdminKey without a configured key", () => {
  test("several processes starting together on an empty database generate one admin key between them", async () => {
    const t = await makeTestApp({ seed: false });
    const others = await Promise.all(
      [1, 2, 3].map(() =>
        createDeps(loadConfig({ DATABASE_URL: t.databaseUrl }), { logger: createLogger("silent") }),
      ),
    );
    try {
      // The test app's own admin key would count as live: start from none.
      await t.deps.db.write((tx) => tx.delete(apiKeys));
      const printed = await Promise.all([t.deps, ...others].map((deps) => ensureAdminKey(deps, undefined)));
      const generated = printed.filter((key) => key !== null) as string[];
      expect(generated).toHaveLength(1);
      const rows = await t.deps.db.read.select().from(apiKeys);
      expect(rows.map((r) => r.name)).toEqual(["generated admin key"]);
      expect(await verifyApiKey(t.deps, generated[0] as string)).toMatchObject({ scopes: ["admin"] });
      // A later start finds it and generates none.
      expect(await ensureAdminKey(t.deps, undefined)).toBeNull();
    } finally {
      await Promise.all(others.map((deps) => deps.db.close()));
    }
  });
});
