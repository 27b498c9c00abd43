import type { Database } from "./database.ts";

/**
 * A short-lived cache of reads, per database. For rows every request reads and operators rarely change (API
 * keys, templates, branding): through libSQL each such read costs a few hundred µs. Changes made through this
 * process clear the cache at once ({@link ReadCache.clear}); changes by another process sharing the database
 * (the CLI, a second Herald) are seen within the TTL. Per database, not global, because one process can hold
 * several (tests do).
 */
export interface ReadCache<V> {
  /**
   * The cached value for `key`, or `load()`'s result, which is kept for the TTL unless it is null (misses are
   * not cached, so unknown keys cannot fill memory). `now` is monotonic ms (`performance.now()`): cache
   * freshness is about time passing, not business time, so it is not the injected clock.
   */
  get(db: Database, key: string, load: () => Promise<V | null>, now?: number): Promise<V | null>;
  /** Forgets everything cached for `db`; call after a change committed. */
  clear(db: Database): void;
}

interface Entries<V> {
  values: Map<string, { value: V; until: number }>;
  /** Bumped by `clear`, so a read that raced a change is not cached over it. */
  generation: number;
}

/** A cache whose entries live `ttlMs`, at most `maxEntries` per database. */
export function createReadCache<V>(ttlMs: number, maxEntries = 10_000): ReadCache<V> {
  const byDatabase = new WeakMap<Database, Entries<V>>();
  const entriesOf = (db: Database) => {
    let entries = byDatabase.get(db);
    if (!entries) {
      entries = { values: new Map(), generation: 0 };
      byDatabase.set(db, entries);
    }
    return entries;
  };
  return {
    async get(db, key, load, now = performance.now()) {
      const entries = entriesOf(db);
      const hit = entries.values.get(key);
      if (hit && hit.until > now) return hit.value;
      const generation = entries.generation;
      const value = await load();
      if (value === null) {
        entries.values.delete(key);
      } else if (generation === entries.generation) {
        if (entries.values.size >= maxEntries) entries.values.clear();
        entries.values.set(key, { value, until: now + ttlMs });
      }
      return value;
    },
    clear(db) {
      const entries = entriesOf(db);
      entries.values.clear();
      entries.generation++;
    },
  };
}
