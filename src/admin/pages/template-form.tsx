/**
 * The template editor's parts: the form (every field the API takes, each refusal shown beside its field), the
 * summary of refusals above it, and a rendered preview (the email in a sandboxed frame, the SMS with its
 * encoding, segments and cost).
 */
import type { Child } from "hono/jsx";
import { PRIORITIES } from "../../domain/priorities.ts";
import type { TemplatePreview } from "../../domain/templates/templates.service.ts";
import type { LiquidField } from "../../domain/templates/templates.types.ts";
import { CsrfField } from "../components.tsx";
import { FIELD_LABELS, FORM_LEVEL, LIQUID_ROWS, type TemplateForm } from "../template-form.rules.ts";

type FieldName = keyof typeof FIELD_LABELS;
type Issues = ReadonlyMap<string, string[]>;

/** The refusals of one field, referenced by the field's `aria-describedby`. */
function FieldIssues(props: { name: FieldName; issues: Issues }) {
  const messages = props.issues.get(props.name);
  if (!messages) return null;
  return (
    <ul class="field-error" id={`err-${props.name}`}>
      {messages.map((message) => (
        <li>{message}</li>
      ))}
    </ul>
  );
}

/** What the control's `aria-describedby` and `aria-invalid` say: its hint, then its refusals. */
function described(name: FieldName, hint: string | undefined, issues: Issues) {
  const ids = [hint ? `hint-${name}` : "", issues.has(name) ? `err-${name}` : ""].filter(Boolean);
  return {
    "aria-describedby": ids.length > 0 ? ids.join(" ") : undefined,
    "aria-invalid": issues.has(name) ? "true" : undefined,
  };
}

/** A labelled field with its hint and refusals around `control`. */
function Field(props: { name: FieldName; hint?: string; issues: Issues; children?: Child }) {
  return (
    <div class="field wide">
      <label for={`f-${props.name}`}>{FIELD_LABELS[props.name]}</label>
      {props.hint ? (
        <span class="muted hint" id={`hint-${props.name}`}>
          {props.hint}
        </span>
      ) : null}
      {props.children}
      <FieldIssues name={props.name} issues={props.issues} />
    </div>
  );
}

/** A one-line text field. */
function TextInput(props: {
  name: FieldName;
  value: string;
  issues: Issues;
  hint?: string;
  required?: boolean;
  maxlength?: number;
  type?: string;
}) {
  return (
    <Field name={props.name} hint={props.hint} issues={props.issues}>
      <input
        id={`f-${props.name}`}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        maxlength={props.maxlength}
        {...described(props.name, props.hint, props.issues)}
      />
    </Field>
  );
}

/**
 * A multi-line field. The HTML parser drops one newline right after `<textarea>`, so one is always written
 * there: text that starts with a blank line keeps it, and the lines the operator sees are the lines Liquid
 * counts in its errors.
 */
function TextArea(props: { name: FieldName; value: string; issues: Issues; rows: number; hint?: string }) {
  return (
    <Field name={props.name} hint={props.hint} issues={props.issues}>
      <textarea
        id={`f-${props.name}`}
        name={props.name}
        rows={props.rows}
        class="code"
        spellcheck={false}
        {...described(props.name, props.hint, props.issues)}
      >
        {`\n${props.value}`}
      </textarea>
    </Field>
  );
}

const LIQUID_HINTS: Readonly<Record<LiquidField, string>> = {
  title: "Liquid, plain text, one line. Required.",
  message: "Liquid, plain text. Required.",
  emailSubject: "Liquid, one line. Empty: the email uses the title as subject and the message as body.",
  emailHtml: "Liquid; every output is HTML-escaped. Rendered inside the branded layout.",
  emailText: "Liquid, plain text. Empty: derived from the HTML body.",
  sms: "Liquid, plain text. Empty: the SMS sends the title, then the message.",
};

/** Every refusal, above the form, each linked to its field. */
export function IssueSummary(props: { title: string; issues: Issues }) {
  if (props.issues.size === 0) return null;
  return (
    <div class="error" role="alert">
      <p>
        <strong>{props.title}</strong>
      </p>
      <ul>
        {[...props.issues].flatMap(([field, messages]) =>
          messages.map((message) => (
            <li>
              {field === FORM_LEVEL ? (
                message
              ) : (
                <>
                  <a href={`#f-${field}`}>{FIELD_LABELS[field as FieldName] ?? field}</a>: {message}
                </>
              )}
            </li>
          )),
        )}
      </ul>
    </div>
  );
}

/** What the editor form needs. */
export interface TemplateFormProps {
  /** A new template has a name field and an "active" box; a stored one changes activity with its buttons. */
  mode: "create" | "edit";
  /** Where "Save" posts. */
  action: string;
  /** Where "Preview" posts the same fields. */
  previewAction: string;
  form: TemplateForm;
  issues: Issues;
  csrf: string;
}

/** The editor: the template's fields, then the sample context a preview renders with, then Save and Preview. */
export function TemplateFormView(props: TemplateFormProps) {
  const { form, issues } = props;
  return (
    <form method="post" action={props.action} class="editor" aria-label="Template">
      <CsrfField token={props.csrf} />
      <fieldset>
        <legend>Template</legend>
        {props.mode === "create" ? (
          <TextInput
            name="name"
            value={form.name}
            issues={issues}
            required
            maxlength={100}
            hint="Letters, digits and . _ - (e.g. repair-approved). Cannot be changed later."
          />
        ) : null}
        <TextInput name="description" value={form.description} issues={issues} maxlength={1000} />
        <TextInput
          name="category"
          value={form.category}
          issues={issues}
          required
          maxlength={64}
          hint="The preference category recipients can opt out of per channel (lowercase, e.g. repair)."
        />
        <Field name="defaultPriority" issues={issues}>
          <select
            id="f-defaultPriority"
            name="defaultPriority"
            {...described("defaultPriority", undefined, issues)}
          >
            {PRIORITIES.map((p) => (
              <option value={p} selected={p === form.defaultPriority}>
                {p}
              </option>
            ))}
          </select>
        </Field>
        {(Object.keys(LIQUID_ROWS) as LiquidField[]).map((field) => (
          <TextArea
            name={field}
            value={form[field]}
            issues={issues}
            rows={LIQUID_ROWS[field]}
            hint={LIQUID_HINTS[field]}
          />
        ))}
        <TextArea
          name="requiredContext"
          value={form.requiredContext}
          issues={issues}
          rows={3}
          hint="One dotted path per line (repair.id), or a top-level name (repair) that covers every path under it. The template may read only these and Herald's globals."
        />
        {props.mode === "create" ? (
          <div class="field wide check">
            <input id="f-active" name="active" type="checkbox" checked={form.active} />
            <label for="f-active">Active (notifications may use it)</label>
          </div>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Preview with</legend>
        <TextArea
          name="context"
          value={form.context}
          issues={issues}
          rows={6}
          hint="The context a notification would carry, as a JSON object. Preview renders the text above, saved or not."
        />
        <TextInput
          name="phone"
          type="tel"
          value={form.phone}
          issues={issues}
          hint="E.164, e.g. +447700900123. Empty: US/CA prices."
        />
      </fieldset>
      <div class="actions">
        <button type="submit">{props.mode === "create" ? "Create template" : "Save changes"}</button>
        <button type="submit" class="secondary" formaction={props.previewAction}>
          Preview
        </button>
      </div>
    </form>
  );
}

/** A rendered draft: in-app title and message, the email (framed, sandboxed) and the SMS with its costs. */
export function PreviewView(props: { preview: TemplatePreview; phone: string }) {
  const { preview } = props;
  const sms = preview.sms;
  return (
    <section class="card preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p class="muted">
        The form's text, not saved, rendered with the sample context exactly as a notification would be.{" "}
        <a href="#f-title">Edit below</a>.
      </p>
      <h3>In-app</h3>
      <dl class="facts">
        <dt>Title</dt>
        <dd>{preview.title}</dd>
        <dt>Message</dt>
        <dd class="pre">{preview.message}</dd>
      </dl>
      <h3>Email</h3>
      <p>
        <strong>Subject:</strong> {preview.email.subject}
      </p>
      {/* No sandbox permission at all: no script, no form, no navigation of this page, an opaque origin. */}
      <iframe
        class="email-preview"
        sandbox=""
        srcdoc={preview.email.html}
        title={`Email preview: ${preview.email.subject}`}
      />
      <p class="muted">Remote images are not loaded in this preview.</p>
      <details>
        <summary>Text version</summary>
        <pre>{preview.email.text}</pre>
      </details>
      <h3>SMS</h3>
      {sms ? (
        <>
          <p class="sms-facts">
            {sms.encoding}, {sms.segments} segment{sms.segments === 1 ? "" : "s"}, {sms.characters}{" "}
            {sms.encoding === "GSM-7" ? "septets" : "UTF-16 units"}; estimated ${sms.costUsd.toFixed(4)} per
            send
            {props.phone ? ` to ${props.phone}` : " (US/CA price)"}
          </p>
          <pre>{sms.text}</pre>
        </>
      ) : (
        <p class="muted">No SMS.</p>
      )}
    </section>
  );
}
