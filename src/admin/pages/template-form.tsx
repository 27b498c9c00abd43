/**
 * The template editor's parts: the form (every field the API takes, each refusal shown beside its field), the
 * summary of refusals above it, and a rendered preview (the email in a sandboxed frame, the SMS with its
 * encoding, segments and cost).
 */
import { PRIORITIES } from "../../domain/priorities.ts";
import type { TemplatePreview } from "../../domain/templates/templates.service.ts";
import type { LiquidField } from "../../domain/templates/templates.types.ts";
import { CsrfField } from "../components.tsx";
import { Field, fieldAria, fieldId, InputField, RefusalSummary } from "../fields.tsx";
import { FIELD_LABELS, FORM_LEVEL, LIQUID_ROWS, type TemplateForm } from "../template-form.rules.ts";

type FieldName = keyof typeof FIELD_LABELS;
type Issues = ReadonlyMap<string, string[]>;

const errorsOf = (name: FieldName, issues: Issues) => issues.get(name) ?? [];

/** A one-line text field of the template form. */
function TextInput(props: {
  name: FieldName;
  value: string;
  issues: Issues;
  hint?: string;
  required?: boolean;
  maxlength?: number;
  type?: string;
}) {
  const { issues, ...input } = props;
  return (
    <InputField {...input} label={FIELD_LABELS[props.name]} errors={errorsOf(props.name, issues)} wide />
  );
}

/**
 * A multi-line field. The HTML parser drops one newline right after `<textarea>`, so one is always written
 * there: text that starts with a blank line keeps it, and the lines the operator sees are the lines Liquid
 * counts in its errors.
 */
function TextArea(props: { name: FieldName; value: string; issues: Issues; rows: number; hint?: string }) {
  const errors = errorsOf(props.name, props.issues);
  return (
    <Field name={props.name} label={FIELD_LABELS[props.name]} hint={props.hint} errors={errors} wide>
      <textarea
        id={fieldId(props.name)}
        name={props.name}
        rows={props.rows}
        class="code"
        spellcheck={false}
        {...fieldAria(props.name, props.hint, errors)}
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

/** Every refusal, above the form, each linked to its field (form-level ones on their own). */
export function IssueSummary(props: { title: string; issues: Issues }) {
  const refusals = [...props.issues].flatMap(([field, messages]) =>
    messages.map((message) => ({ path: field === FORM_LEVEL ? "" : field, message })),
  );
  return <RefusalSummary title={props.title} issues={refusals} labels={FIELD_LABELS} />;
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
        <Field
          name="defaultPriority"
          label={FIELD_LABELS.defaultPriority}
          errors={errorsOf("defaultPriority", issues)}
          wide
        >
          <select
            id={fieldId("defaultPriority")}
            name="defaultPriority"
            {...fieldAria("defaultPriority", undefined, errorsOf("defaultPriority", issues))}
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
