/**
 * The settings page's forms as the documents `PUT /v1/settings` and `PUT /v1/branding` take, so the console
 * checks them with the API's own schemas. Each form field is named by the dotted path of the setting it changes
 * (`smsBudget.dailyUsd`), so an issue's path names its field. Pure: form values in, a document out; only what
 * a form cannot express as JSON (numbers, lists, "empty clears") is decided here, never a range or a rule.
 */
import { CHANNELS } from "../channels/types.ts";
import type { FieldIssue } from "../errors.ts";

/** A posted form: each field's text, or its texts when repeated (checkboxes). */
export type FormValues = Record<string, string | string[]>;

/** The settings page's forms; each changes one section of the operator settings. */
export const settingsForms = ["maintenance", "sms-budget", "rollout", "loop-guard"] as const;
export type SettingsForm = (typeof settingsForms)[number];

/** A form read as a settings document, with what could not be read (a number that is not one). */
export interface FormDocument {
  document: Record<string, unknown>;
  issues: FieldIssue[];
}

/** The field's text (the first, when repeated), trimmed. */
export function formText(form: FormValues, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? (value[0] ?? "") : (value ?? "")).trim();
}

/** Every value of a repeated field (none when absent: an unticked checkbox is not sent). */
function formList(form: FormValues, name: string): string[] {
  const value = form[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A number field; empty or not a number is an issue and leaves the field out, so the schema adds no second one. */
function formNumber(form: FormValues, name: string, issues: FieldIssue[]): number | undefined {
  const text = formText(form, name);
  const value = text === "" ? Number.NaN : Number(text);
  if (Number.isFinite(value)) return value;
  issues.push({ path: name, message: text === "" ? "required" : "must be a number" });
  return undefined;
}

/** The document one settings form sends: only its own section, as a partial update. */
export function settingsDocument(form: SettingsForm, values: FormValues): FormDocument {
  const issues: FieldIssue[] = [];
  const number = (name: string) => formNumber(values, name, issues);
  switch (form) {
    case "maintenance": {
      const enabled = formText(values, "maintenance.enabled");
      if (enabled !== "on" && enabled !== "off") {
        issues.push({ path: "maintenance.enabled", message: "must be on or off" });
        return { document: {}, issues };
      }
      if (enabled === "off") return { document: { maintenance: { enabled: false } }, issues };
      // An empty note clears it, as `reason: null` does in the API.
      const reason = formText(values, "maintenance.reason");
      return { document: { maintenance: { enabled: true, reason: reason === "" ? null : reason } }, issues };
    }
    case "sms-budget":
      return {
        document: {
          smsBudget: { dailyUsd: number("smsBudget.dailyUsd"), monthlyUsd: number("smsBudget.monthlyUsd") },
        },
        issues,
      };
    case "loop-guard":
      return {
        document: {
          loopGuard: { max: number("loopGuard.max"), windowMinutes: number("loopGuard.windowMinutes") },
        },
        issues,
      };
    case "rollout": {
      const rollout = Object.fromEntries(
        CHANNELS.map((channel) => [
          channel,
          {
            mode: formText(values, `rollout.${channel}.mode`),
            percent: number(`rollout.${channel}.percent`),
            kinds: formList(values, `rollout.${channel}.kinds`),
          },
        ]),
      );
      return { document: { rollout }, issues };
    }
  }
}

/** The branding fields whose empty value means "none" (null clears them in the API). */
const clearable = new Set(["logoUrl", "supportEmail"]);

/**
 * The branding form as a `PUT /v1/branding` document: the fields present, an empty logo URL or support address
 * as null, and the footer's line breaks as the browser's CRLF turned into LF.
 */
export function brandingDocument(values: FormValues, fields: readonly string[]): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field];
    if (value === undefined) continue;
    const raw = Array.isArray(value) ? (value[0] ?? "") : value;
    if (clearable.has(field)) document[field] = raw.trim() === "" ? null : raw.trim();
    else document[field] = field === "footerText" ? raw.replaceAll("\r\n", "\n") : raw;
  }
  return document;
}

/** The issue about field `name` (or inside it: `rollout.sms.kinds.0` is about `rollout.sms.kinds`), if any. */
export function issueFor(issues: readonly FieldIssue[], name: string): string | undefined {
  return issues.find((i) => i.path === name || i.path.startsWith(`${name}.`))?.message;
}
