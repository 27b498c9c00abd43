/**
 * A fast path for the Liquid that notification templates actually use. LiquidJS renders through generators,
 * which cost about 3 µs per output on Bun; a branded email has dozens of outputs, and Herald renders thousands
 * of notifications a second. This module turns a parsed LiquidJS template into plain closures when every node
 * is in a small, common subset:
 *
 * - text, comments, `{{ path }}` / `{{ 'literal' }}` with the filters `default`, `escape`, `raw`,
 *   `newline_to_br`, `upcase`, `downcase`, `plus`, `minus` (and the engine's output escaping);
 * - `if` / `elsif` / `else` / `unless` on one value or comparisons (`== != > < >= <=`) joined by `and` / `or`;
 * - `for item in path` (no `forloop`, `break`, `limit`… ) with `else`.
 *
 * Anything else compiles to null and LiquidJS renders it. At render time the fast path never decides an
 * outcome it is unsure of: on anything unusual (an undefined variable, a non-plain object, an array printed,
 * the render budget spent) it bails out and the caller renders with LiquidJS, which then produces the exact
 * output or the exact error. The differential tests in test/domain/templates hold the two paths together.
 *
 * Work is charged to the notification's {@link RenderBudget}, shared with LiquidJS and with the other parts:
 * one step per node and one per loop iteration (an empty loop body costs its iterations too).
 */
import {
  CommentTag,
  ForTag,
  IfTag,
  InlineCommentTag,
  isFalsy,
  type Liquid,
  Output,
  type Template,
  type Token,
  TokenKind,
  TypeGuards,
  UnlessTag,
} from "liquidjs";
import { RenderBudget } from "./templates.budget.ts";

/** Thrown (one shared instance, so no stack is captured) when the fast path cannot be sure of the result. */
export class FastPathBailout extends Error {
  constructor() {
    super("fast path bailed out");
    this.name = "FastPathBailout";
  }
}
const BAILOUT = new FastPathBailout();

/** Output characters per template at most before handing over to LiquidJS. */
const MAX_OUTPUT = 5_000_000;

/** One render's state. */
interface Frame {
  env: object;
  context: object;
  locals: Map<string, unknown>;
  budget: RenderBudget;
}

type Node = (f: Frame) => string;
type Operand = (f: Frame, lenient: boolean) => unknown;

/**
 * A compiled template: renders `scope` over `context` (Herald's globals over the caller's data), charging its
 * work to `budget` (a fresh default budget when none is given).
 */
export type FastRender = (scope: object, context: object, budget?: RenderBudget) => string;

/** Structural views of LiquidJS internals this module reads (not all are in its public typings). */
interface FilterView {
  name: string;
  args: unknown[];
  handler: unknown;
}
interface ValueView {
  filters: FilterView[];
  initial: { postfix: Token[] };
}
interface OperatorTokenView extends Token {
  operator: string;
}

const bail = (): never => {
  throw BAILOUT;
};

/** A plain data object: what JSON and object literals make. Drops and class instances go to LiquidJS. */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null || Array.isArray(value)) &&
    typeof (value as { toLiquid?: unknown }).toLiquid !== "function"
  );
}

/** LiquidJS's `readProperty` with `ownPropertyOnly`, for plain data. */
function readProperty(obj: unknown, key: string | number): unknown {
  if (obj === null || obj === undefined) return obj;
  if (typeof obj !== "object" || !isPlainObject(obj)) return bail();
  if (Array.isArray(obj)) {
    if (typeof key === "number")
      return key >= 0 && Object.hasOwn(obj, key) ? obj[key] : key >= 0 ? undefined : bail();
    if (key === "size") return obj.length;
    if (key === "first" || key === "last") return bail();
  }
  const value = Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
  if (typeof value === "function") return bail();
  if (key === "size" && !Object.hasOwn(obj, "size")) return Object.keys(obj).length;
  return value;
}

/** Looks a variable up as LiquidJS does: loop variables, then the scope (`in`, like LiquidJS), then the context. */
function lookup(f: Frame, root: string, props: readonly (string | number)[], lenient: boolean): unknown {
  let value: unknown;
  if (f.locals.has(root)) value = f.locals.get(root);
  else value = readProperty(root in f.env ? f.env : f.context, root);
  for (const key of props) {
    if (value === undefined) break;
    value = readProperty(value, key);
  }
  if (value === undefined) return lenient ? null : bail();
  return value;
}

/** LiquidJS's `stringify` for the values the fast path lets through. */
function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return bail();
}

const isTruthy = (value: unknown) => value !== false && value !== undefined && value !== null;

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** Charges string work against the render's memory budget, as LiquidJS's filters do. */
function charge(f: Frame, text: string): string {
  if (!f.budget.allocate(text.length)) bail();
  return text;
}

/** Compiles an operand token: a variable path or a literal. Null when outside the subset. */
function compileOperand(token: Token, loopVariables: ReadonlySet<string>): Operand | null {
  if (TypeGuards.isPropertyAccessToken(token)) {
    if (token.variable) return null;
    const path: (string | number)[] = [];
    for (const prop of token.props) {
      const content = (prop as { content?: unknown }).content;
      if (typeof content !== "string" && typeof content !== "number") return null;
      path.push(content);
    }
    const [root, ...props] = path;
    // `forloop` only exists inside LiquidJS's own loop rendering.
    if (typeof root !== "string" || (root === "forloop" && loopVariables.size > 0)) return null;
    return (f, lenient) => lookup(f, root, props, lenient);
  }
  if (
    TypeGuards.isQuotedToken(token) ||
    TypeGuards.isNumberToken(token) ||
    TypeGuards.isLiteralToken(token)
  ) {
    const content = (token as { content?: unknown }).content;
    if (typeof content !== "string" && typeof content !== "number" && typeof content !== "boolean")
      return null;
    return () => content;
  }
  return null;
}

type Apply = (f: Frame, value: unknown) => unknown;

/** Compiles one filter of `engine`, recognised by its implementation so an overridden filter is never assumed. */
function compileFilter(engine: Liquid, filter: FilterView, loopVariables: ReadonlySet<string>): Apply | null {
  const is = (name: string) => {
    const impl = engine.filters[name] as unknown;
    return (
      filter.handler ===
      (typeof impl === "function" ? impl : (impl as { handler?: unknown } | undefined)?.handler)
    );
  };
  const args = filter.args;
  if (is("raw") && args.length === 0) return (_f, v) => v;
  if (is("escape") && args.length === 0) {
    return (f, v) => charge(f, stringify(v)).replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
  }
  if (is("newline_to_br") && args.length === 0)
    return (f, v) => charge(f, stringify(v)).replace(/\r?\n/g, "<br />\n");
  if (is("upcase") && args.length === 0) return (f, v) => charge(f, stringify(v)).toUpperCase();
  if (is("downcase") && args.length === 0) return (f, v) => charge(f, stringify(v)).toLowerCase();
  if ((is("plus") || is("minus")) && args.length === 1 && !Array.isArray(args[0])) {
    const operand = compileOperand(args[0] as Token, loopVariables);
    if (!operand) return null;
    // LiquidJS converts both sides with `+value || 0`.
    const sign = is("plus") ? 1 : -1;
    return (f, v) => (+(v as number) || 0) + sign * (+(operand(f, false) as number) || 0);
  }
  if (is("default") && args.length === 1 && !Array.isArray(args[0])) {
    const fallback = compileOperand(args[0] as Token, loopVariables);
    if (!fallback) return null;
    return (f, v) => {
      const d = fallback(f, false);
      if (Array.isArray(v) || typeof v === "string") return v.length > 0 ? v : d;
      return isTruthy(v) ? v : d;
    };
  }
  return null;
}

/** Compiles a filtered value (`path | filter: arg …`). `lenient` is how LiquidJS evaluates it in this place. */
function compileValue(
  engine: Liquid,
  value: ValueView,
  loopVariables: ReadonlySet<string>,
  lenient: boolean,
) {
  if (value.initial.postfix.length !== 1) return null;
  const operand = compileOperand(value.initial.postfix[0] as Token, loopVariables);
  if (!operand) return null;
  const filters: Apply[] = [];
  for (const filter of value.filters) {
    const apply = compileFilter(engine, filter, loopVariables);
    if (!apply) return null;
    filters.push(apply);
  }
  // With `lenientIf`, a value whose first filter is `default` reads undefined variables as nil.
  const lenientHere = lenient || (engine.options.lenientIf && value.filters[0]?.name === "default");
  return (f: Frame) => {
    let v = operand(f, lenientHere);
    for (const apply of filters) v = apply(f, v);
    return v;
  };
}

const COMPARISONS: Readonly<Record<string, (l: never, r: never) => boolean>> = {
  "==": (l, r) => l === r,
  "!=": (l, r) => l !== r,
  ">": (l, r) => l > r,
  "<": (l, r) => l < r,
  ">=": (l, r) => l >= r,
  "<=": (l, r) => l <= r,
};

/** Compiles an `if`/`unless` condition: operands combined by comparisons and `and`/`or`, evaluated leniently. */
function compileCondition(
  value: ValueView,
  loopVariables: ReadonlySet<string>,
): ((f: Frame) => unknown) | null {
  if (value.filters.length > 0) return null;
  const stack: ((f: Frame) => unknown)[] = [];
  for (const token of value.initial.postfix) {
    if (!TypeGuards.isOperatorToken(token)) {
      const operand = compileOperand(token, loopVariables);
      if (!operand) return null;
      stack.push((f) => operand(f, true));
      continue;
    }
    const op = (token as OperatorTokenView).operator;
    const r = stack.pop();
    const l = stack.pop();
    if (!l || !r) return null;
    const compare = COMPARISONS[op];
    if (compare) {
      stack.push((f) => {
        const a = l(f);
        const b = r(f);
        // Objects and arrays compare by LiquidJS's own rules (drops, array equality): leave those to it.
        if ((typeof a === "object" && a !== null) || (typeof b === "object" && b !== null)) return bail();
        return compare(a as never, b as never);
      });
    } else if (op === "and") {
      stack.push((f) => {
        const a = l(f);
        const b = r(f);
        return isTruthy(a) && isTruthy(b);
      });
    } else if (op === "or") {
      stack.push((f) => {
        const a = l(f);
        const b = r(f);
        return isTruthy(a) || isTruthy(b);
      });
    } else {
      return null;
    }
  }
  return stack.length === 1 ? (stack[0] ?? null) : null;
}

/** Compiles a list of nodes; null when any is outside the subset. */
function compileNodes(
  engine: Liquid,
  templates: Template[],
  loopVariables: ReadonlySet<string>,
): Node | null {
  const nodes: Node[] = [];
  for (const template of templates) {
    const node = compileNode(engine, template, loopVariables);
    if (!node) return null;
    nodes.push(node);
  }
  return (f) => {
    let out = "";
    for (const node of nodes) {
      out += node(f);
      if (out.length > MAX_OUTPUT) bail();
    }
    return out;
  };
}

function compileNode(engine: Liquid, template: Template, loopVariables: ReadonlySet<string>): Node | null {
  const counted =
    (node: Node): Node =>
    (f) => {
      if (!f.budget.step()) bail();
      return node(f);
    };
  if (template.token.kind === TokenKind.HTML) {
    const text = (template as unknown as { str: string }).str;
    return counted(() => text);
  }
  if (template instanceof CommentTag || template instanceof InlineCommentTag) return () => "";
  if (template instanceof Output) {
    const value = compileValue(engine, template.value as unknown as ValueView, loopVariables, false);
    return value && counted((f) => stringify(value(f)));
  }
  if (template instanceof IfTag || template instanceof UnlessTag) {
    const branches: { test: (f: Frame) => boolean; body: Node }[] = [];
    for (const branch of template.branches) {
      const condition = compileCondition(branch.value as unknown as ValueView, loopVariables);
      const body = compileNodes(engine, branch.templates, loopVariables);
      if (!condition || !body) return null;
      const negate = "test" in branch && branch.test === isFalsy;
      branches.push({ test: negate ? (f) => !isTruthy(condition(f)) : (f) => isTruthy(condition(f)), body });
    }
    const otherwise = compileNodes(engine, template.elseTemplates ?? [], loopVariables);
    if (!otherwise) return null;
    return counted((f) => {
      for (const { test, body } of branches) if (test(f)) return body(f);
      return otherwise(f);
    });
  }
  if (template instanceof ForTag) {
    if (Object.keys(template.hash.hash).length > 0) return null;
    const collection = compileOperand(template.collection, loopVariables);
    const inner = new Set([...loopVariables, template.variable]);
    const body = compileNodes(engine, template.templates, inner);
    const otherwise = compileNodes(engine, template.elseTemplates, loopVariables);
    if (!collection || !body || !otherwise) return null;
    const variable = template.variable;
    return counted((f) => {
      const items = collection(f, false);
      if (!Array.isArray(items)) return bail();
      if (items.length === 0) return otherwise(f);
      const had = f.locals.has(variable);
      const saved = f.locals.get(variable);
      let out = "";
      for (const item of items) {
        // Every iteration is a step, so a loop whose body renders nothing is still bounded.
        if (!f.budget.step()) bail();
        f.locals.set(variable, item);
        out += body(f);
        if (out.length > MAX_OUTPUT) bail();
      }
      if (had) f.locals.set(variable, saved);
      else f.locals.delete(variable);
      return out;
    });
  }
  return null;
}

/**
 * Compiles `templates` (parsed by `engine`) to a fast renderer, or null when they use anything outside the
 * subset. The renderer throws {@link FastPathBailout} whenever LiquidJS must decide; it never throws otherwise.
 */
export function compileFastPath(engine: Liquid, templates: Template[]): FastRender | null {
  const root = compileNodes(engine, templates, new Set());
  if (!root) return null;
  return (env, context, budget = new RenderBudget()) => root({ env, context, locals: new Map(), budget });
}
