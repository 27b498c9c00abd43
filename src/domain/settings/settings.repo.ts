import { eq } from "drizzle-orm";
import { settings } from "../../../db/schema.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";

/** Reads a JSON setting, or `undefined` when it was never set. */
export async function getSetting<T>(q: Queryable, key: string): Promise<T | undefined> {
  const [row] = await q
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, key))
    .limit(1);
  return row?.value as T | undefined;
}

/** Writes a JSON setting. */
export async function putSetting(tx: Tx, key: string, value: unknown, now: number): Promise<void> {
  await tx
    .insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } });
}

/** Writes a setting only if absent; returns the value that is stored afterwards (first writer wins). */
export async function putSettingIfAbsent<T>(tx: Tx, key: string, value: T, now: number): Promise<T> {
  await tx.insert(settings).values({ key, value, updatedAt: now }).onConflictDoNothing();
  return (await getSetting<T>(tx, key)) as T;
}
