/**
 * Labelled form controls, one way for every console form: the label, a hint above the control, the control, and
 * the control's errors under it. The control's id is `f-<name>`; its hint `hint-<name>` and its error list
 * `err-<name>` are what its `aria-describedby` names, and `aria-invalid` is set while it has errors, so a screen
 * reader reads why a refused form was refused at the field itself.
 */
import type { Child } from "hono/jsx";

/** The id of the control for field `name`. */
export const fieldId = (name: string) => `f-${name}`;

/** What a control's `aria-describedby` and `aria-invalid` say: its hint, then its errors. */
export function fieldAria(name: string, hint: string | undefined, errors: readonly string[] = []) {
  const ids = [hint ? `hint-${name}` : "", errors.length > 0 ? `err-${name}` : ""].filter(Boolean);
  return {
    "aria-describedby": ids.length > 0 ? ids.join(" ") : undefined,
    "aria-invalid": errors.length > 0 ? ("true" as const) : undefined,
  };
}

/** A field around `children` (its control, built with {@link fieldId} and {@link fieldAria}). */
export function Field(props: {
  name: string;
  label: string;
  hint?: string;
  errors?: readonly string[];
  /** Spans the whole row of the form's grid. */
  wide?: boolean;
  children?: Child;
}) {
  const errors = props.errors ?? [];
  return (
    <div class={props.wide ? "field wide" : "field"}>
      <label for={fieldId(props.name)}>{props.label}</label>
      {props.hint ? (
        <span class="muted hint" id={`hint-${props.name}`}>
          {props.hint}
        </span>
      ) : null}
      {props.children}
      <FieldErrors name={props.name} errors={errors} />
    </div>
  );
}

/** A field's errors, as its `aria-describedby` names them (for controls a {@link Field} does not wrap). */
export function FieldErrors(props: { name: string; errors: readonly string[] }) {
  if (props.errors.length === 0) return null;
  return (
    <ul class="field-error" id={`err-${props.name}`}>
      {props.errors.map((message) => (
        <li>{message}</li>
      ))}
    </ul>
  );
}

/** A one-line input field. */
export function InputField(props: {
  name: string;
  label: string;
  value: string;
  type?: string;
  placeholder?: string;
  hint?: string;
  errors?: readonly string[];
  wide?: boolean;
  required?: boolean;
  maxlength?: number;
  min?: string;
  max?: string;
  step?: string;
}) {
  return (
    <Field name={props.name} label={props.label} hint={props.hint} errors={props.errors} wide={props.wide}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        placeholder={props.placeholder}
        required={props.required}
        maxlength={props.maxlength}
        min={props.min}
        max={props.max}
        step={props.step}
        {...fieldAria(props.name, props.hint, props.errors)}
      />
    </Field>
  );
}

/** A `<select>` field whose first option means "any" (list filters). */
export function SelectField(props: {
  name: string;
  label: string;
  value: string;
  options: readonly string[];
}) {
  return (
    <Field name={props.name} label={props.label}>
      <select id={fieldId(props.name)} name={props.name}>
        <option value="">Any</option>
        {props.options.map((option) => (
          <option value={option} selected={option === props.value}>
            {option}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** One reason a form was refused: the field it is about (its name; empty for the form as a whole) and why. */
export interface Refusal {
  path: string;
  message: string;
}

/**
 * Above a refused form: its title, then every reason, each linked to its field when `labels` names that field
 * (`idOf` gives the control's id, {@link fieldId} unless the page uses other ids), else with the field's name.
 */
export function RefusalSummary(props: {
  title: string;
  issues: readonly Refusal[];
  labels?: Readonly<Record<string, string>>;
  idOf?: (path: string) => string;
  id?: string;
}) {
  if (props.issues.length === 0) return null;
  const idOf = props.idOf ?? fieldId;
  return (
    <div class="error" role="alert" id={props.id}>
      <p>
        <strong>{props.title}</strong>
      </p>
      <ul>
        {props.issues.map(({ path, message }) => {
          const label = props.labels?.[path];
          if (label)
            return (
              <li>
                <a href={`#${idOf(path)}`}>{label}</a>: {message}
              </li>
            );
          return (
            <li>
              {path ? (
                <>
                  <code>{path}</code>:{" "}
                </>
              ) : null}
              {message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
