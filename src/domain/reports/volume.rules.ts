/** Shapes notification counts by category × priority into per-category rows, totals and the URGENT share. */
import { PRIORITIES, type Priority } from "../priorities.ts";
import { ratio } from "./report-window.rules.ts";

/** Notifications of one priority, split by category or in total. */
export type PriorityCounts = Record<Priority, number>;

/** One category's notifications in the window. */
export interface VolumeCategory extends PriorityCounts {
  category: string;
  total: number;
}

/** The shaped volume figures. */
export interface VolumeTotals {
  total: number;
  byPriority: PriorityCounts;
  /** Busiest category first. */
  byCategory: VolumeCategory[];
  /** URGENT / total; null when there were no notifications. */
  urgentShare: number | null;
}

const zero = (): PriorityCounts => ({ URGENT: 0, HIGH: 0, MEDIUM: 0, LOW: 0 });

/** Folds (category, priority, count) rows into the report's figures. */
export function volumeTotals(rows: { category: string; priority: Priority; count: number }[]): VolumeTotals {
  const categories = new Map<string, VolumeCategory>();
  const byPriority = zero();
  for (const r of rows) {
    const c = categories.get(r.category) ?? { category: r.category, total: 0, ...zero() };
    c[r.priority] += r.count;
    c.total += r.count;
    byPriority[r.priority] += r.count;
    categories.set(r.category, c);
  }
  const total = PRIORITIES.reduce((n, p) => n + byPriority[p], 0);
  return {
    total,
    byPriority,
    byCategory: [...categories.values()].sort(
      (a, b) => b.total - a.total || a.category.localeCompare(b.category),
    ),
    urgentShare: ratio(byPriority.URGENT, total),
  };
}
