/**
 * Template verbs: create, read (one, all, or a page), update, delete and preview (stored or draft). Every
 * stored template parses and is sandbox-safe.
 */

import type { Deps } from "../../deps.ts";
import { AppError, notFound } from "../../errors.ts";
import { validationError } from "../../http/problem.ts";
import { getBranding } from "../branding/branding.service.ts";
import { definedFields } from "../defined-fields.rules.ts";
import { preferencesUrl } from "../recipient-tokens/recipient-links.ts";
import { estimateSmsCostUsd, smsInfo, truncateSms } from "../sms/sms.rules.ts";
import { invalidTemplate, templateSourceIssues } from "./templates.compiler.ts";
import { renderNotification } from "./templates.renderer.ts";
import {
  deleteTemplateRow,
  forgetTemplates,
  getTemplate,
  insertTemplateIfAbsent,
  listTemplateRows,
  replaceTemplateRow,
  rulesUsingTemplate,
  templateRowsAfter,
} from "./templates.repo.ts";
import {
  decodeTemplateCursor,
  emailPartIssues,
  encodeTemplateCursor,
  LIQUID_FIELDS,
  missingContext,
  requiredContextIssues,
} from "./templates.rules.ts";
import type {
  RenderedNotification,
  RenderGlobals,
  TemplateFields,
  TemplateRecord,
} from "./templates.types.ts";

type TemplateDeps = Pick<Deps, "db" | "clock" | "caches">;

/** What creating a template takes: a name, the four required fields, the rest optional. */
export type CreateTemplateInput = { name: string } & Pick<
  TemplateFields,
  "category" | "defaultPriority" | "title" | "message"
> &
  Partial<TemplateFields>;

/** What an update takes: fields left out keep their value, null clears an optional one. */
export type UpdateTemplateInput = Partial<TemplateFields>;

const OPTIONAL_DEFAULTS = {
  description: "",
  emailSubject: null,
  emailHtml: null,
  emailText: null,
  sms: null,
  requiredContext: [],
  active: true,
} satisfies Partial<TemplateFields>;

/** Empty optional sources mean "no such part", so an email or SMS is never sent blank. */
function normalized<T extends TemplateFields>(fields: T): T {
  const out = { ...fields };
  for (const field of LIQUID_FIELDS) {
    if (field !== "title" && field !== "message" && out[field]?.trim() === "") out[field] = null;
  }
  return out;
}

/** Throws the 400 for fields that cannot be stored: bad requiredContext, half an email, Liquid errors. */
export function assertStorable(fields: TemplateFields): void {
  const shapeIssues = [...requiredContextIssues(fields.requiredContext), ...emailPartIssues(fields)];
  if (shapeIssues.length > 0) throw validationError(shapeIssues);
  const sourceIssues = templateSourceIssues(fields);
  if (sourceIssues.length > 0) throw invalidTemplate(sourceIssues);
}

/** A new template's fields: the input with defaults for what it left out, checked as a save checks them. */
function storableNewFields(input: CreateTemplateInput): { name: string; fields: TemplateFields } {
  const { name, ...given } = input;
  const fields = normalized({ ...OPTIONAL_DEFAULTS, ...definedFields(given) } as TemplateFields);
  assertStorable(fields);
  return { name, fields };
}

/** Creates a template at version 1; 409 `conflict` when the name is taken. */
export async function createTemplate(
  deps: TemplateDeps,
  input: CreateTemplateInput,
): Promise<TemplateRecord> {
  const { name, fields } = storableNewFields(input);
  const now = deps.clock.now();
  const row: TemplateRecord = { name, ...fields, version: 1, createdAt: now, updatedAt: now };
  const inserted = await deps.db.write((tx) => insertTemplateIfAbsent(tx, row));
  if (!inserted) {
    throw new AppError(
      "conflict",
      `Template '${name}' already exists; change it with PUT /v1/templates/${name}`,
      {
        resource: "template",
        id: name,
      },
    );
  }
  return row;
}

/** Every template, by name. */
export async function listTemplates(deps: Pick<Deps, "db">): Promise<TemplateRecord[]> {
  return listTemplateRows(deps.db.read);
}

/** One page of templates, by name, with the cursor of the next page (null on the last). */
export interface TemplatePage {
  items: TemplateRecord[];
  nextCursor: string | null;
}

/** Templates by name, `limit` at a time after the `cursor` of the previous page (a range of the primary key). */
export async function listTemplatePage(
  deps: Pick<Deps, "db">,
  page: { limit: number; cursor?: string },
): Promise<TemplatePage> {
  const after = page.cursor === undefined ? "" : decodeTemplateCursor(page.cursor);
  if (after === null) {
    throw new AppError("validation-failed", "cursor is not valid", {
      errors: [{ path: "cursor", message: "not a cursor from this list" }],
    });
  }
  const rows = await templateRowsAfter(deps.db.read, after, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeTemplateCursor(last.name) : null };
}

/** The template called `name`, or not-found. */
export async function requireTemplate(deps: Pick<Deps, "db">, name: string): Promise<TemplateRecord> {
  const template = await getTemplate(deps.db.read, name);
  if (!template) throw notFound("Template", name);
  return template;
}

/** Merges `input` into the template; a real change bumps `version` and `updatedAt`, a no-op returns it as is. */
export async function updateTemplate(
  deps: TemplateDeps,
  name: string,
  input: UpdateTemplateInput,
): Promise<TemplateRecord> {
  const now = deps.clock.now();
  const updated = await deps.db.write(async (tx) => {
    const existing = await getTemplate(tx, name);
    if (!existing) throw notFound("Template", name);
    const merged = normalized({ ...existing, ...definedFields(input) });
    const changed = (Object.keys(merged) as (keyof TemplateRecord)[]).some(
      (k) => JSON.stringify(merged[k]) !== JSON.stringify(existing[k]),
    );
    if (!changed) return existing;
    assertStorable(merged);
    const row = { ...merged, version: existing.version + 1, updatedAt: now };
    await replaceTemplateRow(tx, row);
    return row;
  });
  forgetTemplates(deps.caches);
  return updated;
}

/** Deletes a template; 409 while event rules still use it (events would fail), 404 when unknown. */
export async function deleteTemplate(deps: Pick<Deps, "db" | "caches">, name: string): Promise<void> {
  await deps.db.write(async (tx) => {
    if (!(await getTemplate(tx, name))) throw notFound("Template", name);
    const rules = await rulesUsingTemplate(tx, name);
    if (rules.length > 0) {
      throw new AppError(
        "conflict",
        `Template '${name}' is used by the rules for ${rules.join(", ")}; change or delete them first`,
        {
          resource: "template",
          id: name,
          rules,
        },
      );
    }
    await deleteTemplateRow(tx, name);
  });
  forgetTemplates(deps.caches);
}

/** A sample render: the sample recipient, action URL and phone are optional. */
export interface PreviewInput {
  context: Record<string, unknown>;
  recipient?: Partial<Pick<RenderGlobals["recipient"], "name" | "kind" | "locale">>;
  actionUrl?: string | null;
  /** E.164 number to price the SMS for (US/CA prices when absent). */
  phone?: string | null;
}

/** A preview: every rendered part, and the SMS (cut to the segment limit) with encoding, segments and cost. */
export interface TemplatePreview extends Omit<RenderedNotification, "sms"> {
  sms: (NonNullable<RenderedNotification["sms"]> & { costUsd: number }) | null;
}

/** The recipient a preview renders for when the request names none. */
const PREVIEW_RECIPIENT: RenderGlobals["recipient"] = {
  id: "preview",
  name: "Alex Example",
  kind: "customer",
  locale: "en",
};

type PreviewDeps = Pick<Deps, "db" | "config" | "tokenSecret" | "caches">;

/** Renders a stored template (active or not) with a sample context, exactly as a notification would be. */
export async function previewTemplate(
  deps: PreviewDeps,
  name: string,
  input: PreviewInput,
): Promise<TemplatePreview> {
  return renderPreview(deps, await requireTemplate(deps, name), input);
}

/**
 * Renders fields that are not stored (an editor's draft, new or changed) as {@link previewTemplate} renders a
 * stored template, after the checks a save makes: a draft that could not be saved is refused with the same
 * located errors instead of being rendered.
 */
export async function previewDraft(
  deps: PreviewDeps,
  draft: CreateTemplateInput,
  input: PreviewInput,
): Promise<TemplatePreview> {
  const { name, fields } = storableNewFields(draft);
  // Version 0 is never stored. The renderer's parse cache, keyed by name, version and sources, keeps draft and
  // stored template apart (the stored one is parsed again on its next render).
  return renderPreview(deps, { name, ...fields, version: 0, createdAt: 0, updatedAt: 0 }, input);
}

async function renderPreview(
  deps: PreviewDeps,
  template: TemplateRecord,
  input: PreviewInput,
): Promise<TemplatePreview> {
  const missing = missingContext(template.requiredContext, input.context);
  if (missing.length > 0) {
    throw new AppError("missing-context", `The context lacks ${missing.join(", ")}`, {
      missing,
      errors: missing.map((key) => ({ path: `context.${key}`, message: "required by the template" })),
    });
  }
  const recipient = { ...PREVIEW_RECIPIENT, ...definedFields(input.recipient ?? {}) };
  const rendered = await renderNotification(template, input.context, {
    recipient,
    branding: await getBranding(deps),
    actionUrl: input.actionUrl ?? null,
    priority: template.defaultPriority,
    category: template.category,
    preferencesUrl: preferencesUrl(deps.config, deps.tokenSecret, recipient.id),
  });
  // The SMS as the sender sends it: cut to the segment limit.
  const smsText = truncateSms(rendered.sms.text, deps.config.HERALD_SMS_MAX_SEGMENTS);
  const sms = { text: smsText, ...smsInfo(smsText) };
  return { ...rendered, sms: { ...sms, costUsd: estimateSmsCostUsd(sms.segments, input.phone) } };
}
