/**
 * `/admin/settings`: the operator settings of `PUT /v1/settings` (maintenance mode, SMS budget, rollout per
 * channel, loop guard) through `updateOpsSettings`, channel pauses and their resume (`resumeChannel`, as
 * `POST /v1/channels/{channel}/resume`), and `/admin/settings/branding`: the fields of `PUT /v1/branding`
 * (`putBranding`) with a preview of the branded email. Forms are checked with the API's schemas; a refused form
 * comes back (422) with each field's message beside it and what was typed kept, and nothing changes.
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { CHANNELS, type Channel } from "../../channels/types.ts";
import { channelStates, resumeChannel } from "../../delivery/channel-pauses.service.ts";
import { BrandingInput } from "../../domain/branding/branding.input.ts";
import { getBranding, putBranding } from "../../domain/branding/branding.service.ts";
import { previewBranding } from "../../domain/branding/branding-preview.service.ts";
import {
  OpsSettingsInput,
  RecipientKind,
  RolloutMode,
} from "../../domain/ops-settings/ops-settings.input.ts";
import type { OpsSettings } from "../../domain/ops-settings/ops-settings.rules.ts";
import { readOpsSettings, updateOpsSettings } from "../../domain/ops-settings/ops-settings.service.ts";
import type { Branding } from "../../domain/templates/templates.types.ts";
import { AppError, type FieldIssue, fieldIssues, notFound } from "../../errors.ts";
import type { ServerDeps } from "../../server-deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import { CsrfField, ScrollTable } from "../components.tsx";
import { Field, FieldErrors, fieldAria, fieldId, InputField, RefusalSummary } from "../fields.tsx";
import { imageSource, inlineStyleSources } from "../inline-styles.rules.ts";
import { formatTime } from "../layout.tsx";
import { renderPage } from "../render.tsx";
import { BRANDING_PAGE } from "../security.ts";
import {
  brandingDocument,
  type FormValues,
  formText,
  issueFor,
  type SettingsForm,
  settingsDocument,
  settingsForms,
} from "../settings-form.rules.ts";

/** A form the operator sent that was refused: which one, what was typed, and why. */
interface Refusal<F extends string> {
  form: F;
  values: FormValues;
  issues: FieldIssue[];
}

/** What a change left behind, shown once after its redirect. */
const notices: Record<string, string> = {
  "maintenance-on": "Maintenance mode is on: email and SMS wait in the queue until you turn it off.",
  "maintenance-off": "Maintenance mode is off: queued email and SMS are being sent.",
  "sms-budget": "The SMS budget was saved.",
  rollout: "The rollout was saved.",
  "loop-guard": "The loop guard was saved.",
  resumed: "The channel was resumed; waiting deliveries are being sent.",
  "not-paused": "The channel was not paused; nothing changed.",
  branding: "The branding was saved; emails rendered from now on use it.",
};

const rolloutLabels: Record<(typeof RolloutMode.options)[number], string> = {
  all: "Everyone",
  none: "Nobody",
  staff: "Staff only",
  percent: "A share of recipients",
  kinds: "Chosen recipient kinds",
};

const channelLabel = (channel: Channel) => (channel === "email" ? "Email" : "SMS");

/** The posted form's text fields (a file field, which no console form has, is dropped). */
async function postedForm(c: Context<AdminEnv>): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [name, value] of Object.entries(body)) {
    const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
    values[name] = texts.length === 1 ? (texts[0] as string) : texts;
  }
  return values;
}

/** The title of a refused settings form's summary. */
const NOT_SAVED = "Not saved; nothing was changed:";

/** What a form shows: what was typed when this form was refused, else the setting in force. */
function formView(refusal: Refusal<string> | null, form: string) {
  const mine = refusal?.form === form ? refusal : null;
  const issues = mine?.issues ?? [];
  return {
    issues,
    /** The field's error, as the list a field shows. */
    errors: (name: string) => {
      const message = issueFor(issues, name);
      return message ? [message] : [];
    },
    value: (name: string, current: string | number) => (mine ? formText(mine.values, name) : String(current)),
    list: (name: string, current: readonly string[]) => {
      if (!mine) return current;
      const value = mine.values[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    },
  };
}

function MaintenanceSection(props: { settings: OpsSettings; csrf: string; refusal: Refusal<string> | null }) {
  const { maintenance } = props.settings;
  const view = formView(props.refusal, "maintenance");
  return (
    <section class="card" aria-labelledby="maintenance-h">
      <h2 id="maintenance-h">Maintenance mode</h2>
      <p>
        {maintenance.enabled
          ? `On since ${formatTime(maintenance.since)}. `
          : "Off: email and SMS are being sent. "}
        While on, no email or SMS is handed to a provider; deliveries wait in the queue and nothing is lost.
      </p>
      <RefusalSummary title={NOT_SAVED} issues={view.issues} />
      <div class="actions">
        <form method="post" action="/admin/settings/maintenance" class="stack">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="maintenance.enabled" value="on" />
          <InputField
            name="maintenance.reason"
            label="Note for other operators (optional)"
            maxlength={500}
            value={view.value("maintenance.reason", maintenance.reason ?? "")}
            errors={view.errors("maintenance.reason")}
          />
          <div>
            <button type="submit">{maintenance.enabled ? "Save the note" : "Turn maintenance on"}</button>
          </div>
        </form>
        {maintenance.enabled ? (
          <form method="post" action="/admin/settings/maintenance">
            <CsrfField token={props.csrf} />
            <input type="hidden" name="maintenance.enabled" value="off" />
            <button type="submit" class="secondary">
              Turn maintenance off
            </button>
          </form>
        ) : null}
      </div>
    </section>
  );
}

function ChannelsSection(props: { states: Awaited<ReturnType<typeof channelStates>>; csrf: string }) {
  return (
    <section class="card" aria-labelledby="channels-h">
      <h2 id="channels-h">Channels</h2>
      <p class="muted">
        An account-level provider error pauses its channel for a while; resume it here once the account is
        fixed.
      </p>
      <ScrollTable caption="Email and SMS" columns={["Channel", "State", "Action"]}>
        <tbody>
          {props.states.map(({ channel, paused }) => (
            <tr>
              <th scope="row">{channelLabel(channel)}</th>
              <td>
                {paused
                  ? `Paused since ${formatTime(paused.pausedAt)} until ${formatTime(paused.until)}: ${paused.code}, ${paused.message}`
                  : "Sending"}
              </td>
              <td>
                {paused ? (
                  <form method="post" action={`/admin/settings/channels/${channel}/resume`}>
                    <CsrfField token={props.csrf} />
                    <button type="submit">Resume {channelLabel(channel)} now</button>
                  </form>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </section>
  );
}

/** A settings form: its section, the refusal summary, the fields and a save button. */
function SettingsFormCard(props: {
  form: SettingsForm;
  title: string;
  about: string;
  csrf: string;
  issues: FieldIssue[];
  children?: Child;
}) {
  return (
    <section class="card" aria-labelledby={`${props.form}-h`}>
      <h2 id={`${props.form}-h`}>{props.title}</h2>
      <p class="muted">{props.about}</p>
      <RefusalSummary title={NOT_SAVED} issues={props.issues} />
      <form method="post" action={`/admin/settings/${props.form}`} class="stack">
        <CsrfField token={props.csrf} />
        {props.children}
        <div>
          <button type="submit">Save</button>
        </div>
      </form>
    </section>
  );
}

function RolloutFields(props: {
  channel: Channel;
  settings: OpsSettings;
  view: ReturnType<typeof formView>;
}) {
  const { channel, view } = props;
  const rollout = props.settings.rollout[channel];
  const name = (field: string) => `rollout.${channel}.${field}`;
  const mode = view.value(name("mode"), rollout.mode);
  const kinds = view.list(name("kinds"), rollout.kinds);
  return (
    <fieldset>
      <legend>{channelLabel(channel)}</legend>
      <Field
        name={name("mode")}
        label={`Who gets ${channelLabel(channel)}`}
        errors={view.errors(name("mode"))}
      >
        <select
          id={fieldId(name("mode"))}
          name={name("mode")}
          {...fieldAria(name("mode"), undefined, view.errors(name("mode")))}
        >
          {RolloutMode.options.map((option) => (
            <option value={option} selected={option === mode}>
              {rolloutLabels[option]}
            </option>
          ))}
        </select>
      </Field>
      <InputField
        name={name("percent")}
        label="Share of recipients, percent (for “a share”)"
        type="number"
        min="0"
        max="100"
        step="1"
        value={view.value(name("percent"), rollout.percent)}
        errors={view.errors(name("percent"))}
      />
      <fieldset class="choices" {...fieldAria(name("kinds"), undefined, view.errors(name("kinds")))}>
        <legend>Recipient kinds (for “chosen kinds”)</legend>
        {RecipientKind.options.map((kind) => (
          <label>
            <input type="checkbox" name={name("kinds")} value={kind} checked={kinds.includes(kind)} /> {kind}
          </label>
        ))}
        <FieldErrors name={name("kinds")} errors={view.errors(name("kinds"))} />
      </fieldset>
    </fieldset>
  );
}

/** The settings page, showing `refusal`'s form as it was sent when one was refused. */
async function settingsPage(
  c: Context<AdminEnv>,
  deps: ServerDeps,
  refusal: Refusal<SettingsForm> | null = null,
): Promise<Response> {
  const [settings, states] = await Promise.all([
    readOpsSettings(deps.db.read, deps.config),
    channelStates(deps),
  ]);
  const csrf = c.get("csrf");
  const notice = notices[c.req.query("done") ?? ""];
  const budget = formView(refusal, "sms-budget");
  const rollout = formView(refusal, "rollout");
  const loop = formView(refusal, "loop-guard");
  return renderPage(
    c,
    deps,
    { title: "Settings", section: "/admin/settings", status: refusal ? 422 : 200 },
    <>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        Also here: <a href={BRANDING_PAGE}>email branding</a> (company name, logo, colours, footer) with a
        preview.
      </p>
      <div class="cards">
        <MaintenanceSection settings={settings} csrf={csrf} refusal={refusal} />
        <ChannelsSection states={states} csrf={csrf} />
        <SettingsFormCard
          form="sms-budget"
          title="SMS budget"
          about="Committed SMS spend allowed per UTC day and month. HIGH and lower SMS beyond it are skipped; URGENT is exempt."
          csrf={csrf}
          issues={budget.issues}
        >
          <InputField
            name="smsBudget.dailyUsd"
            label="Per day, USD"
            type="number"
            min="0"
            step="0.01"
            value={budget.value("smsBudget.dailyUsd", settings.smsBudget.dailyUsd)}
            errors={budget.errors("smsBudget.dailyUsd")}
          />
          <InputField
            name="smsBudget.monthlyUsd"
            label="Per month, USD"
            type="number"
            min="0"
            step="0.01"
            value={budget.value("smsBudget.monthlyUsd", settings.smsBudget.monthlyUsd)}
            errors={budget.errors("smsBudget.monthlyUsd")}
          />
        </SettingsFormCard>
        <SettingsFormCard
          form="loop-guard"
          title="Loop guard"
          about="Notifications of one template about one subject to one recipient allowed per window; more are skipped."
          csrf={csrf}
          issues={loop.issues}
        >
          <InputField
            name="loopGuard.max"
            label="Most per window"
            type="number"
            min="1"
            step="1"
            value={loop.value("loopGuard.max", settings.loopGuard.max)}
            errors={loop.errors("loopGuard.max")}
          />
          <InputField
            name="loopGuard.windowMinutes"
            label="Window, minutes"
            type="number"
            min="1"
            step="1"
            value={loop.value("loopGuard.windowMinutes", settings.loopGuard.windowMinutes)}
            errors={loop.errors("loopGuard.windowMinutes")}
          />
        </SettingsFormCard>
      </div>
      <SettingsFormCard
        form="rollout"
        title="Rollout"
        about="Who gets each channel. In-app notifications always go to everyone."
        csrf={csrf}
        issues={rollout.issues}
      >
        <div class="cards">
          {CHANNELS.map((channel) => (
            <RolloutFields channel={channel} settings={settings} view={rollout} />
          ))}
        </div>
      </SettingsFormCard>
    </>,
  );
}

/** The branding form's fields, in the order the page shows them. */
const brandingFields: { name: keyof Branding; label: string; type: string; hint?: string }[] = [
  {
    name: "companyName",
    label: "Company name",
    type: "text",
    hint: "In the email header when there is no logo",
  },
  { name: "fromName", label: "Sender name", type: "text", hint: "The name emails come from" },
  { name: "logoUrl", label: "Logo URL", type: "url", hint: "https, about 40 px high; empty for none" },
  { name: "primaryColor", label: "Primary colour", type: "color" },
  { name: "accentColor", label: "Accent colour (buttons)", type: "color" },
  {
    name: "supportEmail",
    label: "Support email",
    type: "email",
    hint: "Shown in the footer; empty for none",
  },
];

/** The branding page, showing the form as it was sent when it was refused. */
async function brandingPage(
  c: Context<AdminEnv>,
  deps: ServerDeps,
  refusal: Refusal<"branding"> | null = null,
): Promise<Response> {
  const [branding, preview] = await Promise.all([getBranding(deps), previewBranding(deps)]);
  c.set("inlineStyles", inlineStyleSources(preview.html));
  const logo = branding.logoUrl ? imageSource(branding.logoUrl) : null;
  if (logo) c.set("imageOrigins", [logo]);
  const view = formView(refusal, "branding");
  const notice = notices[c.req.query("done") ?? ""];
  // A refused footer is shown exactly as typed (formText would trim it).
  const footer = refusal ? String(refusal.values.footerText ?? "") : branding.footerText;
  return renderPage(
    c,
    deps,
    { title: "Email branding", section: "/admin/settings", status: refusal ? 422 : 200 },
    <>
      <p>
        <a href="/admin/settings">Back to the settings</a>
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="branding-h">
        <h2 id="branding-h">Branding</h2>
        <p class="muted">Used by every email rendered from now on (other Herald processes within seconds).</p>
        <RefusalSummary title={NOT_SAVED} issues={view.issues} />
        <form method="post" action={BRANDING_PAGE} class="stack">
          <CsrfField token={c.get("csrf")} />
          {brandingFields.map((f) => (
            <InputField
              name={f.name}
              label={f.label}
              type={f.type}
              hint={f.hint}
              value={view.value(f.name, branding[f.name] ?? "")}
              errors={view.errors(f.name)}
            />
          ))}
          <Field name="footerText" label="Footer text" errors={view.errors("footerText")}>
            <textarea
              id={fieldId("footerText")}
              name="footerText"
              rows={3}
              maxlength={1000}
              {...fieldAria("footerText", undefined, view.errors("footerText"))}
            >
              {footer}
            </textarea>
          </Field>
          <div>
            <button type="submit">Save branding</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="preview-h">
        <h2 id="preview-h">Preview</h2>
        <p class="muted">
          A sample email in the saved branding. From: <strong>{preview.fromName}</strong>. Subject:{" "}
          <strong>{preview.subject}</strong>
        </p>
        {/* sandbox="" runs no script and gives the email an origin of its own; the page's CSP allows exactly
            this email's inline styles and its logo's origin (security.ts, adminCsp). */}
        <iframe
          class="email-preview"
          sandbox=""
          srcdoc={preview.html}
          title="Preview of an email in the saved branding"
        />
      </section>
    </>,
  );
}

/** The settings and branding pages and their forms. */
export function settingsPages(deps: ServerDeps) {
  const app = new Hono<AdminEnv>();

  app.get("/admin/settings", (c) => settingsPage(c, deps));

  app.post(`/admin/settings/:form{${settingsForms.join("|")}}`, async (c) => {
    const form = c.req.param("form") as SettingsForm;
    const values = await postedForm(c);
    const { document, issues } = settingsDocument(form, values);
    const parsed = OpsSettingsInput.safeParse(document);
    const refused = (more: FieldIssue[]) =>
      settingsPage(c, deps, { form, values, issues: [...issues, ...more] });
    if (!parsed.success) return refused(fieldIssues(parsed.error.issues));
    if (issues.length > 0) return refused([]);
    let after: OpsSettings;
    try {
      after = await updateOpsSettings(deps, parsed.data, "admin");
    } catch (error) {
      // A combination the settings cannot hold (a daily budget above the monthly one): refused as a whole.
      if (!(error instanceof AppError && error.code === "validation-failed")) throw error;
      return refused(error.extras.errors ?? [{ path: "(form)", message: error.message }]);
    }
    const done = form === "maintenance" ? `maintenance-${after.maintenance.enabled ? "on" : "off"}` : form;
    return c.redirect(`/admin/settings?done=${done}`, 303);
  });

  app.post("/admin/settings/channels/:channel/resume", async (c) => {
    const channel = c.req.param("channel");
    if (!(CHANNELS as readonly string[]).includes(channel)) throw notFound("Channel", channel);
    const { resumed } = await resumeChannel(deps, channel as Channel, "admin");
    return c.redirect(`/admin/settings?done=${resumed ? "resumed" : "not-paused"}`, 303);
  });

  app.get(BRANDING_PAGE, (c) => brandingPage(c, deps));

  app.post(BRANDING_PAGE, async (c) => {
    const values = await postedForm(c);
    const parsed = BrandingInput.safeParse(brandingDocument(values, Object.keys(BrandingInput.shape)));
    if (!parsed.success) {
      return brandingPage(c, deps, { form: "branding", values, issues: fieldIssues(parsed.error.issues) });
    }
    await putBranding(deps, parsed.data);
    deps.logger.info("admin console: branding changed", {
      fields: Object.keys(parsed.data),
      keyId: c.get("session").keyId,
    });
    return c.redirect(`${BRANDING_PAGE}?done=branding`, 303);
  });

  return app;
}
