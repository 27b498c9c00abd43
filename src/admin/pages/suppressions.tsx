/**
 * `/admin/suppressions`: the contacts Herald will not send to, as `GET /v1/suppressions` lists them (filters,
 * cursor pagination); adding one by hand checks the form with the API's own `SuppressionInput` and stores it
 * with `addSuppression` (as `POST /v1/suppressions`); the remove button lifts one with `removeSuppression` (as
 * `DELETE /v1/suppressions/{channel}/{contact}`).
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../deps.ts";
import { RECIPIENT_ID } from "../../domain/recipients/recipients.rules.ts";
import { SuppressionInput, SuppressionKey } from "../../domain/suppressions/suppressions.input.ts";
import {
  addSuppression,
  listSuppressions,
  removeSuppression,
  type SuppressionView,
} from "../../domain/suppressions/suppressions.service.ts";
import { AppError, fieldIssues } from "../../errors.ts";
import type { AdminEnv } from "../admin-env.ts";
import { CsrfField, Issues, NextPage, QueryForm, ScrollTable } from "../components.tsx";
import { InputField, RefusalSummary, SelectField } from "../fields.tsx";
import { formatTime } from "../layout.tsx";
import { channels, echoQuery, suppressionFilter } from "../list-filters.rules.ts";
import { renderPage } from "../render.tsx";

const filterNames = ["channel", "contact"] as const;

/** What an action left behind, shown once after its redirect. */
const notices: Record<string, string> = {
  added: "Suppressed. Deliveries still queued for that contact were skipped; new notifications skip it too.",
  exists: "That contact was already suppressed on that channel; its entry is unchanged.",
  removed: "The suppression was removed: new notifications reach that contact again.",
};

/** The add form's fields as typed, shown back when they were refused. */
interface AddForm {
  channel: string;
  contact: string;
  detail: string;
}

const emptyForm: AddForm = { channel: "email", contact: "", detail: "" };

/** The form's labels, so a refusal names the field the operator sees. */
const fieldLabels: Record<string, string> = { channel: "Channel", contact: "Contact", detail: "Reason" };

/** A form field's text (a file or a missing field reads as empty). */
function formText(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value : "";
}

/** The remove button of one suppression; from a recipient's page it returns there afterwards. */
export function RemoveSuppressionForm(props: {
  suppression: Pick<SuppressionView, "channel" | "contact">;
  csrf: string;
  recipientId?: string;
}) {
  const { channel, contact } = props.suppression;
  return (
    <form method="post" action="/admin/suppressions/remove">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="channel" value={channel} />
      <input type="hidden" name="contact" value={contact} />
      {props.recipientId ? <input type="hidden" name="recipient" value={props.recipientId} /> : null}
      <button type="submit" class="secondary" aria-label={`Remove the ${channel} suppression of ${contact}`}>
        Remove
      </button>
    </form>
  );
}

/** The add form, with the refused input and the reasons when there are any. */
function AddSuppressionForm(props: {
  csrf: string;
  form: AddForm;
  issues: { path: string; message: string }[];
}) {
  const invalid = (name: string) => (props.issues.some((i) => i.path === name) ? "true" : undefined);
  return (
    <form method="post" action="/admin/suppressions" class="filters" aria-label="Suppress a contact">
      <CsrfField token={props.csrf} />
      <div class="field">
        <label for="add-channel">Channel</label>
        <select id="add-channel" name="channel" aria-invalid={invalid("channel")}>
          {channels.map((channel) => (
            <option value={channel} selected={channel === props.form.channel}>
              {channel}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="add-contact">Contact</label>
        <input
          id="add-contact"
          name="contact"
          value={props.form.contact}
          placeholder="pat@example.com or +15551234567"
          required
          autocomplete="off"
          aria-invalid={invalid("contact")}
          aria-describedby={props.issues.length > 0 ? "add-issues" : undefined}
        />
      </div>
      <div class="field">
        <label for="add-detail">Reason</label>
        <input
          id="add-detail"
          name="detail"
          value={props.form.detail}
          placeholder="ticket, request (no message content)"
          maxlength={500}
          aria-invalid={invalid("detail")}
        />
      </div>
      <button type="submit">Suppress</button>
    </form>
  );
}

/** The suppression pages and actions. */
export function suppressionPages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  /** The list page, with the add form (refused input and its reasons, on a 422). */
  async function listPage(
    c: Context<AdminEnv>,
    add: { form: AddForm; issues: { path: string; message: string }[] } = { form: emptyForm, issues: [] },
  ) {
    const query = c.req.query();
    const { filter, issues } = suppressionFilter(query);
    const { items, nextCursor } =
      issues.length === 0 ? await listSuppressions(deps, filter) : { items: [], nextCursor: null };
    const notice = notices[query.done ?? ""];
    const csrf = c.get("csrf");
    const status = add.issues.length > 0 ? 422 : issues.length > 0 ? 400 : 200;
    return renderPage(
      c,
      deps,
      { title: "Suppressions", section: "/admin/suppressions", status },
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <h2>Suppress a contact</h2>
        <RefusalSummary
          title="Not added:"
          issues={add.issues}
          labels={fieldLabels}
          idOf={(path) => `add-${path}`}
          id="add-issues"
        />
        <AddSuppressionForm csrf={csrf} form={add.form} issues={add.issues} />

        <h2>Suppressed contacts</h2>
        <QueryForm
          action="/admin/suppressions"
          label="Filter suppressions"
          reset={{ href: "/admin/suppressions", label: "Clear" }}
        >
          <SelectField name="channel" label="Channel" value={query.channel ?? ""} options={channels} />
          <InputField
            name="contact"
            label="Email or phone"
            value={query.contact ?? ""}
            placeholder="exact contact"
          />
        </QueryForm>
        <Issues issues={issues} />
        <ScrollTable
          caption={`Suppressions, newest first (${items.length} on this page)`}
          columns={["Since", "Channel", "Contact", "Reason", "Detail", "Action"]}
        >
          <tbody>
            {items.map((s) => (
              <tr>
                <td>{formatTime(s.createdAt)}</td>
                <td>{s.channel}</td>
                <td>
                  <a href={`/admin/recipients?contact=${encodeURIComponent(s.contact)}`}>{s.contact}</a>
                </td>
                <td>
                  {s.reason} <span class="muted">({s.source})</span>
                </td>
                <td>{s.detail ?? ""}</td>
                <td>
                  <RemoveSuppressionForm suppression={s} csrf={csrf} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <NextPage path="/admin/suppressions" query={echoQuery(query, filterNames)} nextCursor={nextCursor} />
      </>,
    );
  }

  app.get("/admin/suppressions", (c) => listPage(c));

  app.post("/admin/suppressions", async (c) => {
    const body = await c.req.parseBody();
    const form: AddForm = {
      channel: formText(body, "channel"),
      contact: formText(body, "contact"),
      detail: formText(body, "detail"),
    };
    // The API's own contract: what POST /v1/suppressions refuses, this form refuses, with the same messages.
    // Surrounding spaces of a pasted contact are not part of it; an empty reason means none.
    const checked = SuppressionInput.safeParse({
      channel: form.channel,
      contact: form.contact.trim(),
      detail: form.detail.trim() === "" ? undefined : form.detail.trim(),
    });
    if (!checked.success) return listPage(c, { form, issues: fieldIssues(checked.error.issues) });
    const { created } = await addSuppression(deps, checked.data);
    deps.logger.info("admin console: suppression added", {
      channel: checked.data.channel,
      created,
      keyId: c.get("session").keyId,
    });
    return c.redirect(`/admin/suppressions?done=${created ? "added" : "exists"}`, 303);
  });

  app.post("/admin/suppressions/remove", async (c) => {
    const body = await c.req.parseBody();
    const checked = SuppressionKey.safeParse({
      channel: formText(body, "channel"),
      contact: formText(body, "contact"),
    });
    if (!checked.success) {
      throw new AppError("validation-failed", "That is not a suppression to remove (channel and contact)", {
        errors: fieldIssues(checked.error.issues),
      });
    }
    await removeSuppression(deps, checked.data.channel, checked.data.contact);
    deps.logger.info("admin console: suppression removed", {
      channel: checked.data.channel,
      keyId: c.get("session").keyId,
    });
    // Back where the button was: a recipient's page (only a well-formed id, so this is never an open redirect).
    const recipient = formText(body, "recipient");
    return c.redirect(
      RECIPIENT_ID.test(recipient)
        ? `/admin/recipients?id=${encodeURIComponent(recipient)}&done=removed`
        : "/admin/suppressions?done=removed",
      303,
    );
  });

  return app;
}
