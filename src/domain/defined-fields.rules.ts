/**
 * The fields of a partial update that were actually given: PUT bodies where a left-out field keeps its value
 * (templates, branding) merge only these, while an explicit `null` still clears a field.
 */
export function definedFields<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
