/** Pure helpers for turning an event's data into recipients. */

/** The value at a dotted `path` in `data` (`"repair.technician"`), or undefined. */
export function valueAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const kinds = ["technician", "customer", "staff"] as const;

/** The recipient kind implied by a rule's path (`technician`, `repair.customer` …), if its last part names one. */
export function kindFromPath(path: string): (typeof kinds)[number] | undefined {
  const last = path.split(".").at(-1)?.replace(/s$/, "");
  return kinds.find((k) => k === last);
}

/** What a notification is about, as notifications store it (`subject_type`, `subject_id`). */
export interface EventSubject {
  type: string;
  id: string;
}

/** The subject path a rule without its own uses: `<namespace>.id`, e.g. `repair.id` for `repair.approved`. */
export function defaultSubjectPath(eventType: string): string {
  return `${eventType.split(".")[0]}.id`;
}

/**
 * The subject an event's notifications are about, read from its data at the rule's `subjectPath` (default
 * {@link defaultSubjectPath}): the id is the string or number found there, the type the path's parent (`repair`
 * for `repair.id`, `order` for `order.number`; the event's namespace for a one-part path such as `repairId`).
 * Null when the data holds no usable id there. The loop guard counts per subject, so six events about six
 * repairs are six subjects, not a loop.
 */
export function subjectFromEvent(
  eventType: string,
  data: Record<string, unknown>,
  subjectPath: string | null,
): EventSubject | null {
  const path = subjectPath ?? defaultSubjectPath(eventType);
  const value = valueAt(data, path);
  const id = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== "string" || id.length === 0 || id.length > 128) return null;
  const parts = path.split(".");
  const type = parts.length > 1 ? parts.slice(0, -1).join(".") : (eventType.split(".")[0] ?? eventType);
  return { type: type.slice(0, 64), id };
}
