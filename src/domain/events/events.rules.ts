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
