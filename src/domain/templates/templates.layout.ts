/**
 * The branded email layouts: `templates/layouts/email.html.liquid` and `email.txt.liquid`, files the operator
 * edits (restart to apply). They are the only templates read from disk; they render with the same sandboxed
 * engines as stored templates (HTML output escaped), and are checked when loaded so a typo fails loudly once
 * instead of failing every email.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Template } from "liquidjs";
import { engines, parseField, TemplateSourceError, unguardedVariables } from "./templates.compiler.ts";
import { GLOBAL_PATHS } from "./templates.rules.ts";

/** Where the layouts live by default: the repository's templates/layouts directory. */
export const LAYOUT_DIR = join(import.meta.dir, "../../../templates/layouts");

/**
 * What a layout sees besides the render globals: `content` (the rendered body: HTML already escaped, so the
 * HTML layout outputs it with `| raw`), `subject`, and `preheader` (the message, for inbox previews).
 */
export const LAYOUT_VARIABLES = ["content", "subject", "preheader"] as const;

/** The parsed layouts. */
export interface EmailLayouts {
  html: Template[];
  text: Template[];
}

function loadLayout(dir: string, file: string, kind: keyof typeof engines): Template[] {
  const path = join(dir, file);
  const engine = engines[kind];
  try {
    const parsed = parseField(engine, file, readFileSync(path, "utf8"));
    const unknown = unguardedVariables(engine, file, parsed, [...LAYOUT_VARIABLES, ...GLOBAL_PATHS]);
    if (unknown[0]) throw new TemplateSourceError(unknown[0]);
    return parsed;
  } catch (error) {
    const detail = error instanceof TemplateSourceError ? error.issue.message : String(error);
    throw new Error(`Email layout ${path} is invalid: ${detail}`, { cause: error });
  }
}

/** Reads, parses and checks the layouts in `dir`; throws naming the file, line and column on a problem. */
export function loadEmailLayouts(dir: string = LAYOUT_DIR): EmailLayouts {
  return {
    html: loadLayout(dir, "email.html.liquid", "html"),
    text: loadLayout(dir, "email.txt.liquid", "text"),
  };
}

let loaded: EmailLayouts | undefined;

/** The layouts, read from disk on first use and kept for the life of the process. */
export function emailLayouts(): EmailLayouts {
  loaded ??= loadEmailLayouts();
  return loaded;
}
