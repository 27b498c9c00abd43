/**
 * A short-lived cache of reads, for rows every request reads and operators rarely change (API keys, templates,
 * branding, settings): each such read costs a few hundred µs. Changes made through this process clear the cache
 * at once ({@link ReadCache.clear}); changes by another process sharing the database (the CLI, a second Herald)
 * are seen within the TTL. Each composition root owns its caches (`src/caches.ts`), so two apps in one process
 * (tests) never share one.
 */
export interface ReadCache<V> {
  /**
   * The cached value for `key`, or `load()`'s result, which is kept for the TTL unless it is null (misses are
   * not cached, so unknown keys cannot fill memory). `now` is monotonic ms (`performance.now()`): cache
   * freshness is about time passing, not business time, so it is not the injected clock.
   */
  get(key: string, load: () => Promise<V | null>, now?: number): Promise<V | null>;
  /** Forgets everything cached; call after a change committed. */
  clear(): void;
}

/** A cache whose entries live `ttlMs`, at most `maxEntries` of them. */
export function createReadCache<V>(ttlMs: number, maxEntries = 10_000): ReadCache<V> {
  const entries = {
    values: new Map<string, { value: V; until: number }>(),
    /** Bumped by `clear`, so a read that raced a change is not cached over it. */
    generation: 0,
  };
  return {
    async get(key, load, now = performance.now()) {
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
    clear() {
      entries.values.clear();
      entries.generation++;
    },
  };
}
