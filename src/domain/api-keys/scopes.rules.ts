/** What an API key may do. `admin` implies every other scope. */
export const scopes = ["admin", "portal"] as const;
export type Scope = (typeof scopes)[number];

/** True when `granted` allows `needed`. */
export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes("admin") || granted.includes(needed);
}
