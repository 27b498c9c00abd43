/** Pure decisions about templates: which context a render needs and which variables a template may use. */
import type { Channel } from "../../channels/types.ts";
import type { FieldIssue } from "../../errors.ts";
import type { Branding, LiquidField, RenderGlobals, TemplateFields } from "./templates.types.ts";

/** Every field holding Liquid source, in render order. */
export const LIQUID_FIELDS: readonly LiquidField[] = [
  "title",
  "message",
  "emailSubject",
  "emailHtml",
  "emailText",
  "sms",
];

/** The properties of each render global a template may read (the type keeps this list in step with RenderGlobals). */
const GLOBAL_PROPERTIES: {
  [K in keyof RenderGlobals]: readonly (RenderGlobals[K] extends Branding
    ? keyof Branding
    : RenderGlobals[K] extends Record<string, unknown>
      ? keyof RenderGlobals[K]
      : never)[];
} = {
  recipient: ["id", "name", "kind", "locale"],
  branding: [
    "companyName",
    "logoUrl",
    "primaryColor",
    "accentColor",
    "footerText",
    "supportEmail",
    "fromName",
  ],
  actionUrl: [],
  priority: [],
  category: [],
  preferencesUrl: [],
};

/** Names Herald provides to every render; a template's context cannot use them as top-level keys. */
export const GLOBAL_NAMES: readonly string[] = Object.keys(GLOBAL_PROPERTIES);

/** Every dotted path the globals guarantee (`recipient.name`, `priority`, …). */
export const GLOBAL_PATHS: readonly string[] = Object.entries(GLOBAL_PROPERTIES).flatMap(([root, props]) =>
  props.length === 0 ? [root] : props.map((p) => `${root}.${p}`),
);

/** A template name: letters, digits and `._-`, starting with a letter or digit. */
export const TEMPLATE_NAME = /^[A-Za-z0-9][\w.-]*$/;

/** The opaque cursor of a templates page: the last name of the previous page, base64url-encoded. */
export function encodeTemplateCursor(name: string): string {
  return Buffer.from(name).toString("base64url");
}

/** The last name a templates cursor names, or null when it is not one of ours. */
export function decodeTemplateCursor(cursor: string): string | null {
  const name = Buffer.from(cursor, "base64url").toString("utf8");
  return TEMPLATE_NAME.test(name) && encodeTemplateCursor(name) === cursor ? name : null;
}

/** A context path: dot-separated keys of letters, digits, `_` and `-` (array indexes are digits). */
export const CONTEXT_PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

/** The value at a dotted path, reading own properties only (so `constructor` and friends are never found). */
function ownValueAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The required context paths (dotted, like `repair.id`) that `context` lacks, in the template's order. A key
 * whose value is undefined or null counts as missing.
 */
export function missingContext(requiredContext: string[], context: Record<string, unknown>): string[] {
  return requiredContext.filter((path) => ownValueAt(context, path) == null);
}

/**
 * True when a template may read `path` (dotted) given the paths a render is guaranteed to have: reading a path
 * is safe when it is one of them or leads to one (`repair` is there whenever `repair.id` is), or when it lies
 * under one of `roots`, the top-level names a template requires whole (`repair` covers `repair.id` and
 * `repair.customer.name`, as in templates carried over from the original system; the render reports a
 * property such an object lacks). `size` is computed by Liquid for any string, array or object, so a trailing
 * `.size` needs only its parent.
 */
export function isGuaranteedPath(
  path: string,
  guaranteed: readonly string[],
  roots: readonly string[] = [],
): boolean {
  const target = path.endsWith(".size") ? path.slice(0, -".size".length) : path;
  return (
    guaranteed.some((g) => g === target || g.startsWith(`${target}.`)) ||
    (roots.some((root) => target.startsWith(`${root}.`)) &&
      !target.split(".").some((key) => INHERITED_KEYS.has(key)))
  );
}

/** Keys every object inherits (`constructor`, `__proto__`, …): a root does not cover them, so they are refused at save. */
const INHERITED_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

/** The entries of a requiredContext list that are top-level names (no dot): each covers every path under it. */
export function requiredRoots(requiredContext: readonly string[]): string[] {
  return requiredContext.filter((path) => !path.includes("."));
}

/** Problems with a requiredContext list: malformed paths, duplicates, and names reserved for the globals. */
export function requiredContextIssues(requiredContext: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  requiredContext.forEach((path, i) => {
    const at = `requiredContext.${i}`;
    if (!CONTEXT_PATH.test(path))
      issues.push({ path: at, message: "must be a dotted path such as repair.id" });
    else if (GLOBAL_NAMES.includes(path.split(".")[0] as string)) {
      issues.push({
        path: at,
        message: `'${path.split(".")[0]}' is provided by Herald to every template; pick another key`,
      });
    } else if (seen.has(path)) issues.push({ path: at, message: "is listed twice" });
    seen.add(path);
  });
  return issues;
}

/** Whether a template sends email: a subject plus an HTML or a text body. */
export function hasEmail(t: Pick<TemplateFields, "emailSubject" | "emailHtml" | "emailText">): boolean {
  return Boolean(t.emailSubject) && Boolean(t.emailHtml || t.emailText);
}

/** An email needs a subject and at least one body; a body without a subject (or the reverse) is a mistake. */
export function emailPartIssues(
  t: Pick<TemplateFields, "emailSubject" | "emailHtml" | "emailText">,
): FieldIssue[] {
  if (t.emailSubject && !t.emailHtml && !t.emailText) {
    return [{ path: "emailHtml", message: "an email subject needs emailHtml or emailText" }];
  }
  if (!t.emailSubject && (t.emailHtml || t.emailText)) {
    return [{ path: "emailSubject", message: "an email body needs an emailSubject" }];
  }
  return [];
}

/**
 * The channels that send the title and message because the template has no text of its own for them: email
 * without a subject and body (the title becomes the subject), SMS without SMS text.
 */
export function fallbackChannels(
  t: Pick<TemplateFields, "emailSubject" | "emailHtml" | "emailText" | "sms">,
): Channel[] {
  const channels: Channel[] = [];
  if (!hasEmail(t)) channels.push("email");
  if (!t.sms) channels.push("sms");
  return channels;
}
