import type { Deps } from "../../deps.ts";

/** Seeds default templates, event rules and branding. (Filled in by the templates work.) */
export async function seedDefaults(_deps: Deps): Promise<void> {}
