/**
 * The sandboxed Liquid engines and what is done with them at save time and before rendering: parse, locate
 * errors, and check that a template only reads variables a render is guaranteed to have.
 *
 * Sandbox: stored templates are written by admins but render portal-supplied data, so they get no file system
 * (`include`/`render`/`layout` are refused when parsing, and the engines resolve files from an empty in-memory
 * map anyway), no prototype or method access (`ownPropertyOnly`), no writes to Herald's globals
 * (`increment`/`decrement` are refused), strict variables and filters, and bounded work (parse size, render
 * time, allocated memory).
 */
import { Liquid, Tag, type TagToken, type Template, type TopLevelToken } from "liquidjs";
import { AppError, type FieldIssue } from "../../errors.ts";
import { RENDER_LIMITS } from "./templates.budget.ts";
import { GLOBAL_PATHS, isGuaranteedPath, LIQUID_FIELDS, requiredRoots } from "./templates.rules.ts";
import type { LiquidField, TemplateFields } from "./templates.types.ts";

/**
 * Work limits per parse and per render: far above any real notification, far below a denial of service.
 * Notification renders pass their shared render budget (templates.budget.ts) instead of the render limits
 * here; these stay as the engines' own ceiling for any render that does not.
 */
export const LIQUID_LIMITS = {
  /** Characters parsed in one call (the API caps each field well below this). */
  parseLimit: 250_000,
  /** Milliseconds one render may take: the per-notification budget's time. */
  renderLimit: RENDER_LIMITS.ms,
  /** Characters and array elements a render may allocate (filters such as `append`, `join`, ranges). */
  memoryLimit: RENDER_LIMITS.memory,
} as const;

/** Tags stored templates may not use, and why: parsing a template that uses one fails with its position. */
const REFUSED_TAGS: Readonly<Record<string, string>> = {
  include: "templates cannot read files",
  render: "templates cannot read files",
  layout: "templates cannot read files (emails get the branded layout automatically)",
  // Both write into the render's top scope, which holds Herald's globals.
  increment: "templates cannot change variables Herald provides; use assign",
  decrement: "templates cannot change variables Herald provides; use assign",
};

class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`{% ${token.name} %} is not allowed: ${REFUSED_TAGS[token.name]}`);
  }
  /** Never reached: the constructor refuses every use. */
  render(): void {}
}

function sandboxedEngine(escapeOutput: boolean): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // `{% if repair.notes %}` and `| default:` work on absent values instead of failing the render.
    lenientIf: true,
    templates: {},
    cache: false,
    outputEscape: escapeOutput ? "escape" : undefined,
    ...LIQUID_LIMITS,
  });
  for (const tag of Object.keys(REFUSED_TAGS)) engine.registerTag(tag, RefusedTag);
  return engine;
}

/** The engine for plain-text fields (no escaping) and for email HTML (every output HTML-escaped). */
export const engines = { text: sandboxedEngine(false), html: sandboxedEngine(true) } as const;

/** The engine a field renders with: only email HTML is escaped. */
export function engineFor(field: LiquidField): Liquid {
  return field === "emailHtml" ? engines.html : engines.text;
}

/** A template problem in one field, with its position when Liquid knows it. */
export interface TemplateIssue extends FieldIssue {
  line?: number;
  column?: number;
}

/** Liquid's error without the `, line:1, col:2` suffix (the position is reported separately). */
function issueOf(field: string, error: unknown): TemplateIssue {
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /, line:\d+, col:\d+$/,
    "",
  );
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = token?.getPosition?.();
  if (!position) return { path: field, message };
  const [line, column] = position;
  return { path: field, message: `line ${line}, column ${column}: ${message}`, line, column };
}

/** Parses one field's source, throwing the located issue on a syntax error. */
export function parseField(engine: Liquid, field: string, source: string): Template[] {
  try {
    return engine.parse(source);
  } catch (error) {
    throw new TemplateSourceError(issueOf(field, error));
  }
}

/** A field that does not parse. */
export class TemplateSourceError extends Error {
  constructor(readonly issue: TemplateIssue) {
    super(`${issue.path}: ${issue.message}`);
    this.name = "TemplateSourceError";
  }
}

/** The static path of a variable up to its first dynamic part (`repair.photos[i].url` → `repair.photos`). */
function staticPath(segments: unknown[]): string {
  const parts: string[] = [];
  for (const s of segments) {
    if (typeof s !== "string" && typeof s !== "number") break;
    parts.push(String(s));
  }
  return parts.join(".");
}

/**
 * Variables in `parsed` that a render is not guaranteed to have: each is neither a global nor covered by
 * `guaranteed` or `roots` (see {@link isGuaranteedPath}). Variables set inside the template (`assign`, `for`)
 * are fine.
 */
export function unguardedVariables(
  engine: Liquid,
  field: string,
  parsed: Template[],
  guaranteed: readonly string[],
  roots: readonly string[] = [],
): TemplateIssue[] {
  const { globals } = engine.analyzeSync(parsed, { partials: false });
  const issues: TemplateIssue[] = [];
  for (const occurrences of Object.values(globals)) {
    for (const variable of occurrences) {
      const path = staticPath(variable.toArray());
      if (isGuaranteedPath(path, guaranteed, roots)) continue;
      const { row: line, col: column } = variable.location;
      issues.push({
        path: field,
        message: `line ${line}, column ${column}: '${path}' is neither in requiredContext nor a global; add it to requiredContext`,
        line,
        column,
      });
    }
  }
  return issues;
}

/**
 * Every problem with a template's Liquid fields: syntax errors (field, line, column) and variables a render
 * with the required context present could lack. Empty when the template is safe to store.
 */
export function templateSourceIssues(
  t: Pick<TemplateFields, LiquidField | "requiredContext">,
): TemplateIssue[] {
  const guaranteed = [...t.requiredContext, ...GLOBAL_PATHS];
  const roots = requiredRoots(t.requiredContext);
  const issues: TemplateIssue[] = [];
  for (const field of LIQUID_FIELDS) {
    const source = t[field];
    if (source == null) continue;
    const engine = engineFor(field);
    try {
      issues.push(...unguardedVariables(engine, field, parseField(engine, field, source), guaranteed, roots));
    } catch (error) {
      if (!(error instanceof TemplateSourceError)) throw error;
      issues.push(error.issue);
    }
  }
  return issues;
}

/** The 400 for a template that cannot be stored, naming each field with its line and column. */
export function invalidTemplate(issues: TemplateIssue[]): AppError {
  const where = issues.map((i) => (i.line ? `${i.path} (line ${i.line}, column ${i.column})` : i.path));
  return new AppError("invalid-template", `The template has errors in ${[...new Set(where)].join(", ")}`, {
    errors: issues,
  });
}
