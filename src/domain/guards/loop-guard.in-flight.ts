/**
 * Notifications this process has decided but not yet committed, per loop key. The loop guard counts similar
 * notifications on the reader, which cannot see creates still waiting for their group commit: without this,
 * twenty identical requests arriving together would all pass a limit of five. Each create holds its key from
 * before its count until its write settles, and counts the holders that came before it.
 */
import type { Database } from "../../db/database.ts";
import type { LoopKey } from "./guard-facts.repo.ts";

/** A create's place among the in-flight notifications of its key. */
export interface LoopHold {
  /** Holders of the same key that started before this one and have not settled. */
  earlierInFlight(): number;
  /** Ends the hold (after the write committed or failed); safe to call twice. */
  release(): void;
}

interface Holders {
  next: number;
  byKey: Map<string, Set<number>>;
}
const perDatabase = new WeakMap<Database, Holders>();

const keyText = (k: LoopKey) => JSON.stringify([k.recipientId, k.template, k.subject?.type ?? null, k.subject?.id ?? null]);

/** Holds `key` for a create about to be counted (one registry per database, so test apps do not share one). */
export function holdLoopKey(db: Database, key: LoopKey): LoopHold {
  let holders = perDatabase.get(db);
  if (!holders) {
    holders = { next: 0, byKey: new Map() };
    perDatabase.set(db, holders);
  }
  const text = keyText(key);
  const ticket = holders.next++;
  let set = holders.byKey.get(text);
  if (!set) {
    set = new Set();
    holders.byKey.set(text, set);
  }
  set.add(ticket);
  const registry = holders;
  return {
    earlierInFlight() {
      let n = 0;
      for (const t of registry.byKey.get(text) ?? []) if (t < ticket) n++;
      return n;
    },
    release() {
      const current = registry.byKey.get(text);
      if (!current?.delete(ticket)) return;
      if (current.size === 0) registry.byKey.delete(text);
    },
  };
}
