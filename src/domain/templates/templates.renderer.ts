/**
 * Renders a stored template for one recipient: title and message (in-app), the email (subject, HTML inside the
 * branded layout, text) and the SMS with its encoding and segments. Parsed templates are cached by name and
 * version, so the hot path is rendering only. Every part of one notification draws on one render budget.
 */

import { Context, type Liquid, type Template } from "liquidjs";
import { AppError } from "../../errors.ts";
import { smsInfo, toGsmFriendly } from "../sms/sms.rules.ts";
import { isWebUrl } from "../web-url.rules.ts";
import { htmlToText, textToHtml } from "./email-body.rules.ts";
import { liquidLimiters, RenderBudget } from "./templates.budget.ts";
import { engineFor, engines, parseField, TemplateSourceError } from "./templates.compiler.ts";
import { compileFastPath, FastPathBailout, type FastRender } from "./templates.fast-path.ts";
import { type EmailLayouts, emailLayouts } from "./templates.layout.ts";
import { hasEmail, LIQUID_FIELDS } from "./templates.rules.ts";
import type { LiquidField, RenderedNotification, RenderGlobals, TemplateRecord } from "./templates.types.ts";

/** Parsed templates kept at most; beyond this the least recently used goes (renaming templates cannot grow it). */
export const MAX_CACHED_TEMPLATES = 1000;

/** A parsed part with its fast-path renderer when it has one (see templates.fast-path.ts). */
interface Part {
  engine: Liquid;
  parsed: Template[];
  fast: FastRender | null;
}

interface Compiled {
  version: number;
  sources: (string | null)[];
  parts: Partial<Record<LiquidField, Part>>;
}

function partOf(engine: Liquid, parsed: Template[]): Part {
  return { engine, parsed, fast: compileFastPath(engine, parsed) };
}

/** Name → parsed template, in least-recently-used order (a Map iterates in insertion order). */
const cache = new Map<string, Compiled>();

/**
 * The parsed template, from the cache when name, version and sources match. Sources are compared too because
 * a template deleted and created again starts over at version 1.
 */
function compile(t: TemplateRecord): Compiled {
  const hit = cache.get(t.name);
  if (hit && hit.version === t.version && LIQUID_FIELDS.every((f, i) => hit.sources[i] === t[f])) {
    cache.delete(t.name);
    cache.set(t.name, hit);
    return hit;
  }
  const parts: Compiled["parts"] = {};
  for (const field of LIQUID_FIELDS) {
    const source = t[field];
    if (source == null) continue;
    try {
      const engine = engineFor(field);
      parts[field] = partOf(engine, parseField(engine, field, source));
    } catch (error) {
      if (!(error instanceof TemplateSourceError)) throw error;
      throw new AppError("unprocessable", `Template '${t.name}' does not parse: ${error.issue.message}`, {
        errors: [error.issue],
      });
    }
  }
  const compiled = { version: t.version, sources: LIQUID_FIELDS.map((f) => t[f]), parts };
  cache.delete(t.name);
  cache.set(t.name, compiled);
  if (cache.size > MAX_CACHED_TEMPLATES) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** A LiquidJS render context that charges `budget` instead of starting fresh limits for this one call. */
function budgetedContext(engine: Liquid, scope: object, context: object, budget: RenderBudget): Context {
  // LiquidJS's Limiter class has private fields, so limiters with the same two methods go in by shape.
  const { renderLimit, memoryLimit } = liquidLimiters(budget) as unknown as Pick<
    Context,
    "renderLimit" | "memoryLimit"
  >;
  return new Context(
    scope,
    engine.options,
    { globals: context, sync: true },
    { renderLimit, memoryLimit, liquid: engine },
  );
}

/** The 422 for a notification whose render spent its budget (the status LiquidJS's own limits always had). */
function budgetSpent(t: TemplateRecord, field: string, budget: RenderBudget): AppError {
  const message = `render limit exceeded: ${budget.describe()}, counted across all parts of the notification`;
  return new AppError("unprocessable", `Template '${t.name}' could not render ${field}: ${message}`, {
    errors: [{ path: field, message }],
  });
}

/**
 * Renders one part: on the fast path when it has one and is sure of the result, else with LiquidJS. Herald's
 * globals are the scope and the caller's context sits beneath, so globals win. Both paths charge `budget`.
 */
function renderPart(
  t: TemplateRecord,
  field: string,
  part: Part,
  scope: object,
  context: Record<string, unknown>,
  budget: RenderBudget,
): string {
  // One clock reading per part: a part that does little work must not start after the time is up.
  if (!budget.checkTime()) throw budgetSpent(t, field, budget);
  if (part.fast) {
    try {
      return part.fast(scope, context, budget);
    } catch (error) {
      if (!(error instanceof FastPathBailout)) throw error;
      // LiquidJS would start over on a spent budget and fail at once: say why directly.
      if (budget.exceeded) throw budgetSpent(t, field, budget);
    }
  }
  try {
    return String(part.engine.renderSync(part.parsed, budgetedContext(part.engine, scope, context, budget)));
  } catch (error) {
    if (budget.exceeded) throw budgetSpent(t, field, budget);
    const message = (error instanceof Error ? error.message : String(error)).replace(
      /, line:(\d+), col:(\d+)$/,
      " (line $1, column $2)",
    );
    throw new AppError("unprocessable", `Template '${t.name}' could not render ${field}: ${message}`, {
      errors: [{ path: field, message }],
    });
  }
}

/** The layouts as parts, built once per loaded layout. */
let layoutParts: { source: EmailLayouts; html: Part; text: Part } | undefined;
function layouts(): { html: Part; text: Part } {
  const source = emailLayouts();
  if (layoutParts?.source !== source) {
    layoutParts = {
      source,
      html: partOf(engines.html, source.html),
      text: partOf(engines.text, source.text),
    };
  }
  return layoutParts;
}

/** Subjects and titles are single lines: a newline from the context must not reach an email header. */
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * Renders every part of `template` for `context` (the caller's data) and `globals` (recipient, branding,
 * links…). The email uses the template's subject and body when it has them (a missing HTML or text body is
 * derived from the other), else it falls back to the title as subject and the message as body; either way the
 * body goes inside the branded layout. The SMS is the template's SMS text, else the title and the message on
 * the next line (the sender cuts it to the segment limit, so the title always survives). Typographic
 * punctuation is swapped for GSM-7 equivalents so a smart quote does not double its cost. A render failure is
 * an `unprocessable` AppError naming the field; so is a render that spends `budget` (steps, time or memory,
 * for all parts together; the default budget starts when the call does).
 */
export async function renderNotification(
  template: TemplateRecord,
  context: Record<string, unknown>,
  globals: RenderGlobals,
  budget: RenderBudget = new RenderBudget(),
): Promise<RenderedNotification> {
  const { parts } = compile(template);
  const render = (field: LiquidField) => {
    const part = parts[field];
    return part ? renderPart(template, field, part, globals, context, budget) : "";
  };
  const title = oneLine(render("title"));
  const message = render("message").trim();

  let subject = title;
  let bodyHtml = textToHtml(message);
  let bodyText = message;
  if (hasEmail(template)) {
    subject = oneLine(render("emailSubject"));
    bodyHtml = parts.emailHtml ? render("emailHtml") : textToHtml(render("emailText"));
    bodyText = parts.emailText ? render("emailText").trim() : htmlToText(bodyHtml);
  }
  const layout = layouts();
  // The layout's button only links to web pages, whatever the caller sent as actionUrl.
  const actionUrl = globals.actionUrl && isWebUrl(globals.actionUrl) ? globals.actionUrl : null;
  const layoutScope = (content: string) => ({ ...globals, actionUrl, content, subject, preheader: message });
  const email: RenderedNotification["email"] = {
    subject,
    // Layouts see the globals and the rendered parts, never the caller's context (checked when loaded).
    html: renderPart(template, "email layout", layout.html, layoutScope(bodyHtml), {}, budget),
    text: renderPart(template, "text layout", layout.text, layoutScope(bodyText), {}, budget).trim(),
  };

  const smsText = toGsmFriendly(
    (parts.sms ? render("sms") : [title, message].filter(Boolean).join("\n")).trim(),
  );
  return { title, message, email, sms: { text: smsText, ...smsInfo(smsText) } };
}
