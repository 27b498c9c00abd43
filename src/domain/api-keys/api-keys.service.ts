import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import { apiKeys } from "../../../db/schema.ts";
import type { Caches } from "../../caches.ts";
import type { Clock } from "../../clock.ts";
import type { Database } from "../../db/database.ts";
import { prepared } from "../../db/prepared.ts";
import { AppError, notFound } from "../../errors.ts";
import { newId } from "../../ids.ts";
import type { Scope } from "./scopes.rules.ts";

/** An API key as listed (never the secret). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  revokedAt: number | null;
}

interface Deps {
  db: Database;
  clock: Clock;
  /** Verified keys, briefly (`KEY_CACHE_MS`, caches.ts): every request is authenticated. */
  caches: Caches;
}

const KEY_PREFIX = "hk_";

/** SHA-256 of a key: the only form in which keys are stored. */
export function hashKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A new random key: `hk_` + 32 bytes, base64url. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

const toInfo = (row: typeof apiKeys.$inferSelect): ApiKeyInfo => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes as Scope[],
  createdAt: row.createdAt,

  revokedAt: row.revokedAt,
});

/** Creates a key and returns its secret, which is shown this once and never stored. */
export async function createApiKey(
  { db, clock }: Deps,
  input: { name: string; scopes: Scope[]; secret?: string; id?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  if (input.scopes.length === 0) throw new AppError("validation-failed", "a key needs at least one scope");
  const key = input.secret ?? generateKey();
  const row = {
    id: input.id ?? newId(clock.now()),
    name: input.name,
    prefix: key.slice(0, 10),
    hash: hashKey(key),
    scopes: input.scopes,
    createdAt: clock.now(),
  };
  await db.write((tx) => tx.insert(apiKeys).values(row));
  return { key, info: toInfo({ ...row, revokedAt: null }) };
}

/** All keys, newest first, revoked ones included. */
export async function listApiKeys({ db }: Deps): Promise<ApiKeyInfo[]> {
  return (await db.read.select().from(apiKeys).orderBy(desc(apiKeys.id))).map(toInfo);
}

/** Revokes a key by id or by its unique prefix; it stops working on the next request. */
export async function revokeApiKey({ db, clock, caches }: Deps, idOrPrefix: string): Promise<ApiKeyInfo> {
  const now = clock.now();
  const row = await db.write(async (tx) => {
    const matches = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(or(eq(apiKeys.id, idOrPrefix), eq(apiKeys.prefix, idOrPrefix)));
    // Refuse before changing anything when a prefix is ambiguous.
    if (matches.length > 1) {
      throw new AppError("conflict", `'${idOrPrefix}' matches ${matches.length} keys; revoke by id instead`);
    }
    const [match] = matches;
    if (!match) throw notFound("API key", idOrPrefix);
    const [updated] = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(eq(apiKeys.id, match.id))
      .returning();
    return updated;
  });
  caches.apiKeys.clear();
  // biome-ignore lint/style/noNonNullAssertion: the row was just matched inside the same transaction
  return toInfo(row!);
}

/**
 * The key's id and scopes if `secret` is a live key, else null. Verified keys are cached briefly: a revocation
 * through this process clears the cache at once; one made by another process (`herald keys revoke`) takes
 * effect within `KEY_CACHE_MS` (caches.ts).
 */
export async function verifyApiKey(
  { db, caches }: Deps,
  secret: string,
): Promise<{ id: string; scopes: Scope[] } | null> {
  if (!secret.startsWith(KEY_PREFIX) && secret.length < 16) return null;
  const hash = hashKey(secret);
  return caches.apiKeys.get(hash, async () => {
    const row = await liveKeyByHash(db.read).get({ hash });
    return row ? { id: row.id, scopes: row.scopes as Scope[] } : null;
  });
}

/** Prepared once per connection: every request of a key not verified within the last second runs it. */
const liveKeyByHash = prepared((q) =>
  q
    .select({ id: apiKeys.id, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare(),
);

/** The condition a live (not revoked) key with the admin scope meets: in SQL, as the console's sessions use it. */
export const liveAdminKey = and(
  isNull(apiKeys.revokedAt),
  sql`EXISTS (SELECT 1 FROM json_each(${apiKeys.scopes}) WHERE value = 'admin')`,
);

/**
 * Makes sure the service can be administered: registers `HERALD_ADMIN_KEY` when set, or, when no live admin
 * key exists at all, creates one and returns its secret so the caller can print it once.
 */
export async function ensureAdminKey(deps: Deps, configuredKey: string | undefined): Promise<string | null> {
  if (configuredKey) {
    // One statement, so processes starting together on one database cannot both insert it: the configured key
    // exists and is live afterwards, whoever wrote it.
    const now = deps.clock.now();
    await deps.db.write((tx) =>
      tx
        .insert(apiKeys)
        .values({
          id: newId(now),
          name: "HERALD_ADMIN_KEY",
          prefix: configuredKey.slice(0, 10),
          hash: hashKey(configuredKey),
          scopes: ["admin"],
          createdAt: now,
        })
        .onConflictDoUpdate({ target: apiKeys.hash, set: { revokedAt: null } }),
    );
    deps.caches.apiKeys.clear();
    return null;
  }
  // The check and the insert share one write transaction: of processes starting together on an empty
  // database, the first to write creates the key and the others then find it, so only one key is generated
  // (and printed).
  const key = generateKey();
  const now = deps.clock.now();
  const created = await deps.db.write(async (tx) => {
    const [live] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(liveAdminKey).limit(1);
    if (live) return false;
    await tx.insert(apiKeys).values({
      id: newId(now),
      name: "generated admin key",
      prefix: key.slice(0, 10),
      hash: hashKey(key),
      scopes: ["admin"],
      createdAt: now,
    });
    return true;
  });
  return created ? key : null;
}
