/**
 * The console's template form as data: what a posted form means as the API's create, update and preview inputs
 * (checked by the same contracts, templates.input.ts), the form a stored template fills, and where each
 * refusal is shown. Pure: no database, no rendering.
 */
import type { z } from "zod";
import type { Priority } from "../domain/priorities.ts";
import { CreateTemplate, PreviewRequest, UpdateTemplate } from "../domain/templates/templates.input.ts";
import type {
  CreateTemplateInput,
  PreviewInput,
  UpdateTemplateInput,
} from "../domain/templates/templates.service.ts";
import type { LiquidField, TemplateRecord } from "../domain/templates/templates.types.ts";
import { type FieldIssue, fieldIssues } from "../errors.ts";

/** Everything the form holds, as the operator typed it (kept as is when a save or preview is refused). */
export interface TemplateForm {
  name: string;
  description: string;
  category: string;
  defaultPriority: string;
  title: string;
  message: string;
  emailSubject: string;
  emailHtml: string;
  emailText: string;
  sms: string;
  /** One context path per line. */
  requiredContext: string;
  active: boolean;
  /** The sample context for a preview, as JSON. */
  context: string;
  /** The phone number a preview prices the SMS for (empty: US/CA prices). */
  phone: string;
}

/** The form's fields that hold Liquid, with the editor's height for each. */
export const LIQUID_ROWS: Readonly<Record<LiquidField, number>> = {
  title: 2,
  message: 4,
  emailSubject: 2,
  emailHtml: 12,
  emailText: 6,
  sms: 3,
};

/** Each field's label, in the form's order (also the order of the summary above it). */
export const FIELD_LABELS: Readonly<Record<Exclude<keyof TemplateForm, "active">, string>> = {
  name: "Name",
  description: "Description",
  category: "Category",
  defaultPriority: "Default priority",
  title: "In-app title",
  message: "In-app message",
  emailSubject: "Email subject",
  emailHtml: "Email HTML body",
  emailText: "Email text body",
  sms: "SMS text",
  requiredContext: "Required context",
  context: "Sample context (JSON)",
  phone: "Price the SMS for phone",
};

/** Where a refusal without a field of its own is shown: above the form. */
export const FORM_LEVEL = "form";

type Posted = Record<string, string | File | (string | File)[]>;

/** A posted value as text. Browsers send textarea line breaks as CRLF; stored templates use LF. */
function posted(body: Posted, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value.replace(/\r\n?/g, "\n") : "";
}

/** The form as posted (`parseBody()`); `active` is a checkbox, sent only when ticked. */
export function postedForm(body: Posted): TemplateForm {
  return {
    name: posted(body, "name").trim(),
    description: posted(body, "description"),
    category: posted(body, "category").trim(),
    defaultPriority: posted(body, "defaultPriority"),
    title: posted(body, "title"),
    message: posted(body, "message"),
    emailSubject: posted(body, "emailSubject"),
    emailHtml: posted(body, "emailHtml"),
    emailText: posted(body, "emailText"),
    sms: posted(body, "sms"),
    requiredContext: posted(body, "requiredContext"),
    active: posted(body, "active") === "on",
    context: posted(body, "context"),
    phone: posted(body, "phone").trim(),
  };
}

/**
 * A sample context with a placeholder at every required path (`repair.id` → `{"repair":{"id":"repair.id"}}`),
 * so a preview of a template that requires context renders before the operator has written any.
 */
export function sampleContext(requiredContext: readonly string[]): string {
  const sample: Record<string, unknown> = {};
  for (const path of requiredContext) {
    const keys = path.split(".");
    let node = sample;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) {
        if (!(key in node)) node[key] = path;
        return;
      }
      const next = node[key];
      if (typeof next !== "object" || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return JSON.stringify(sample, null, 2);
}

/** The form a stored template fills (its edit page), with a sample context built from its requirements. */
export function formOfTemplate(t: TemplateRecord): TemplateForm {
  return {
    name: t.name,
    description: t.description,
    category: t.category,
    defaultPriority: t.defaultPriority,
    title: t.title,
    message: t.message,
    emailSubject: t.emailSubject ?? "",
    emailHtml: t.emailHtml ?? "",
    emailText: t.emailText ?? "",
    sms: t.sms ?? "",
    requiredContext: t.requiredContext.join("\n"),
    active: t.active,
    context: sampleContext(t.requiredContext),
    phone: "",
  };
}

/** The empty form of a new template. */
export function newTemplateForm(): TemplateForm {
  return {
    name: "",
    description: "",
    category: "",
    defaultPriority: "MEDIUM",
    title: "",
    message: "",
    emailSubject: "",
    emailHtml: "",
    emailText: "",
    sms: "",
    requiredContext: "",
    active: true,
    context: "{}",
    phone: "",
  };
}

/** The non-empty lines of the requiredContext box, and the line each came from (for issues by position). */
function requiredContextLines(text: string): { paths: string[]; lines: number[] } {
  const paths: string[] = [];
  const lines: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    paths.push(line.trim());
    lines.push(i + 1);
  });
  return { paths, lines };
}

/** The template's fields as the API takes them; empty optional parts mean "none" (the service stores null). */
function templateFields(form: TemplateForm) {
  return {
    description: form.description,
    category: form.category,
    defaultPriority: form.defaultPriority as Priority,
    title: form.title,
    message: form.message,
    emailSubject: form.emailSubject,
    emailHtml: form.emailHtml,
    emailText: form.emailText,
    sms: form.sms,
    requiredContext: requiredContextLines(form.requiredContext).paths,
  };
}

/** The outcome of reading a form: the input, or the issues that refuse it. */
export type Checked<T> = { ok: true; input: T } | { ok: false; issues: FieldIssue[] };

function checked<T>(result: z.ZodSafeParseResult<T>): Checked<T> {
  return result.success
    ? { ok: true, input: result.data }
    : { ok: false, issues: fieldIssues(result.error.issues) };
}

/** The form as `POST /v1/templates` takes it, checked by the same contract. */
export function createInputOf(form: TemplateForm): Checked<CreateTemplateInput> {
  return checked(CreateTemplate.safeParse({ name: form.name, ...templateFields(form), active: form.active }));
}

/**
 * The form as `PUT /v1/templates/{name}` takes it, checked by the same contract. Every field is sent, so an
 * emptied part is cleared; `active` is left out: the edit page changes it with its own buttons.
 */
export function updateInputOf(form: TemplateForm): Checked<UpdateTemplateInput> {
  return checked(UpdateTemplate.safeParse(templateFields(form)));
}

/** The sample context and phone as `POST /v1/templates/{name}/preview` takes them. */
export function previewInputOf(form: TemplateForm): Checked<PreviewInput> {
  let context: unknown;
  try {
    context = JSON.parse(form.context.trim() === "" ? "{}" : form.context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: "context", message: `is not valid JSON (${reason})` }] };
  }
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    return { ok: false, issues: [{ path: "context", message: "must be a JSON object, such as {}" }] };
  }
  return checked(PreviewRequest.safeParse({ context, ...(form.phone ? { phone: form.phone } : {}) }));
}

/**
 * Refusals grouped by the form field that shows them. Liquid issues name their field and already say "line L,
 * column C: …"; a requiredContext entry is named by its line in the box; a missing context key goes to the
 * context box with its path; anything else (an email layout's render, the body) goes above the form.
 */
export function issuesByField(form: TemplateForm, issues: readonly FieldIssue[]): Map<string, string[]> {
  const { lines } = requiredContextLines(form.requiredContext);
  const byField = new Map<string, string[]>();
  const add = (field: string, message: string) =>
    byField.set(field, [...(byField.get(field) ?? []), message]);
  for (const issue of issues) {
    const [field = "", ...rest] = issue.path.split(".");
    if (field === "requiredContext" && rest.length > 0) {
      add(field, `line ${lines[Number(rest[0])] ?? Number(rest[0]) + 1}: ${issue.message}`);
    } else if (field === "context" && rest.length > 0) add(field, `${rest.join(".")}: ${issue.message}`);
    else if (field in FIELD_LABELS) add(field, issue.message);
    else if (issue.path === FORM_LEVEL) add(FORM_LEVEL, issue.message);
    else add(FORM_LEVEL, `${issue.path}: ${issue.message}`);
  }
  return byField;
}
