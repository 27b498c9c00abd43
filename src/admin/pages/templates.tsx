/**
 * `/admin/templates`: the templates by name (cursor pages), a form to create one and a page to change one, with
 * a preview of the form's text, saved or not, and activate / deactivate. Every verb is the API's own
 * (`createTemplate`, `updateTemplate`, `previewDraft` beside `previewTemplate`, `listTemplatePage`), and the
 * form is checked by the API's contracts, so the console refuses what `/v1/templates` refuses, showing each
 * Liquid error at its field, line and column.
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../deps.ts";
import { fallbackChannels } from "../../domain/templates/templates.rules.ts";
import {
  createTemplate,
  listTemplatePage,
  previewDraft,
  requireTemplate,
  type TemplatePreview,
  updateTemplate,
} from "../../domain/templates/templates.service.ts";
import type { TemplateRecord } from "../../domain/templates/templates.types.ts";
import { AppError, type ErrorCode, type FieldIssue } from "../../errors.ts";
import type { AdminEnv } from "../admin-env.ts";
import { CsrfField, NextPage, ScrollTable } from "../components.tsx";
import { inlineStyleSources } from "../inline-styles.rules.ts";
import { formatTime } from "../layout.tsx";
import { PAGE_SIZE } from "../list-filters.rules.ts";
import { renderPage } from "../render.tsx";
import {
  createInputOf,
  FORM_LEVEL,
  formOfTemplate,
  issuesByField,
  newTemplateForm,
  postedForm,
  previewInputOf,
  type TemplateForm,
  updateInputOf,
} from "../template-form.rules.ts";
import { IssueSummary, PreviewView, TemplateFormView } from "./template-form.tsx";

/** The new-template form: template names start with a letter or digit, so no template's page is here. */
const NEW = "/admin/templates/_new";

const pathOf = (name: string) => `/admin/templates/${encodeURIComponent(name)}`;

/** What an action left behind, shown once after its redirect. */
const notices: Record<string, string> = {
  created: "The template was created.",
  saved: "The changes were saved.",
  activated: "The template is active: notifications may use it.",
  deactivated: "The template is inactive: notifications that name it are refused.",
};

/** The errors the service raises about what the form holds (shown beside the fields, the text kept). */
const FORM_ERRORS: ReadonlySet<ErrorCode> = new Set([
  "validation-failed",
  "invalid-template",
  "missing-context",
  "unprocessable",
]);

/** The issues of a refusal about the form's content, or null for any other error (which is thrown on). */
function refusalIssues(error: unknown): FieldIssue[] | null {
  if (!(error instanceof AppError) || !FORM_ERRORS.has(error.code)) return null;
  return error.extras.errors ?? [{ path: FORM_LEVEL, message: error.message }];
}

/** The channels a template sends on, saying which ones fall back to its title and message. */
function channelsOf(t: TemplateRecord): string {
  const fallback = fallbackChannels(t);
  const part = (channel: "email" | "sms", label: string) =>
    fallback.includes(channel) ? `${label} (title and message)` : label;
  return ["in-app", part("email", "email"), part("sms", "SMS")].join(", ");
}

function ActiveBadge(props: { active: boolean }) {
  return props.active ? (
    <span class="badge status-good">active</span>
  ) : (
    <span class="badge status-muted">inactive</span>
  );
}

/** What an editor page shows. */
interface EditorView {
  /** The stored template (its page), or none (the new-template form). */
  template: TemplateRecord | null;
  form: TemplateForm;
  issues?: FieldIssue[];
  /** Above the refusals: what was refused. */
  refused?: string;
  preview?: TemplatePreview;
  status?: 200 | 409 | 422;
}

/** The template pages and actions. */
export function templatePages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  function editor(c: Context<AdminEnv>, view: EditorView) {
    const { template, form } = view;
    const issues = issuesByField(form, view.issues ?? []);
    const notice = notices[c.req.query("done") ?? ""];
    const action = template ? pathOf(template.name) : "/admin/templates";
    return renderPage(
      c,
      deps,
      {
        title: template ? `Template ${template.name}` : "New template",
        section: "/admin/templates",
        status: view.status ?? 200,
      },
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        {template ? <TemplateFacts template={template} csrf={c.get("csrf")} /> : null}
        <IssueSummary title={view.refused ?? "Refused: see the marked fields."} issues={issues} />
        {view.preview ? <PreviewView preview={view.preview} phone={form.phone} /> : null}
        <TemplateFormView
          mode={template ? "edit" : "create"}
          action={action}
          previewAction={template ? `${action}/preview` : `${NEW}/preview`}
          form={form}
          issues={issues}
          csrf={c.get("csrf")}
        />
      </>,
    );
  }

  /** Renders the posted form's text with its sample context (the form and any refusal shown again). */
  async function preview(c: Context<AdminEnv>, template: TemplateRecord | null) {
    const form = postedForm(await c.req.parseBody());
    if (template) form.name = template.name;
    const refused = "The preview could not render: see the marked fields.";
    const draft = createInputOf(form);
    const sample = previewInputOf(form);
    if (!draft.ok || !sample.ok) {
      const issues = [...(draft.ok ? [] : draft.issues), ...(sample.ok ? [] : sample.issues)];
      return editor(c, { template, form, issues, refused, status: 422 });
    }
    try {
      const rendered = await previewDraft(deps, draft.input, sample.input);
      c.set("inlineStyles", inlineStyleSources(rendered.email.html));
      return editor(c, { template, form, preview: rendered });
    } catch (error) {
      const issues = refusalIssues(error);
      if (!issues) throw error;
      return editor(c, { template, form, issues, refused, status: 422 });
    }
  }

  async function setActive(c: Context<AdminEnv>, active: boolean) {
    const name = c.req.param("name") ?? "";
    await updateTemplate(deps, name, { active });
    deps.logger.info(`admin console: template ${active ? "activated" : "deactivated"}`, {
      template: name,
      keyId: c.get("session").keyId,
    });
    return c.redirect(`${pathOf(name)}?done=${active ? "activated" : "deactivated"}`, 303);
  }

  app.get("/admin/templates", async (c) => {
    const cursor = c.req.query("cursor");
    const { items, nextCursor } = await listTemplatePage(deps, {
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    return renderPage(
      c,
      deps,
      { title: "Templates", section: "/admin/templates" },
      <>
        <p>
          <a class="button" href={NEW}>
            New template
          </a>
        </p>
        <ScrollTable
          caption={`Templates by name (${items.length} on this page)`}
          columns={["Name", "Channels", "Status", "Category", "Version", "Updated"]}
        >
          <tbody>
            {items.map((t) => (
              <tr>
                <td>
                  <a href={pathOf(t.name)}>{t.name}</a>
                </td>
                <td>{channelsOf(t)}</td>
                <td>
                  <ActiveBadge active={t.active} />
                </td>
                <td>{t.category}</td>
                <td>{t.version}</td>
                <td>{formatTime(t.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <NextPage path="/admin/templates" query={new URLSearchParams()} nextCursor={nextCursor} />
      </>,
    );
  });

  app.get(NEW, (c) => editor(c, { template: null, form: newTemplateForm() }));

  app.post("/admin/templates", async (c) => {
    const form = postedForm(await c.req.parseBody());
    const refused = "The template was not created: see the marked fields.";
    const input = createInputOf(form);
    if (!input.ok) return editor(c, { template: null, form, issues: input.issues, refused, status: 422 });
    try {
      await createTemplate(deps, input.input);
    } catch (error) {
      if (error instanceof AppError && error.code === "conflict") {
        const issues = [{ path: "name", message: `'${form.name}' is taken by another template` }];
        return editor(c, { template: null, form, issues, refused, status: 409 });
      }
      const issues = refusalIssues(error);
      if (!issues) throw error;
      return editor(c, { template: null, form, issues, refused, status: 422 });
    }
    deps.logger.info("admin console: template created", {
      template: form.name,
      keyId: c.get("session").keyId,
    });
    return c.redirect(`${pathOf(form.name)}?done=created`, 303);
  });

  app.post(`${NEW}/preview`, (c) => preview(c, null));

  app.get("/admin/templates/:name", async (c) => {
    const template = await requireTemplate(deps, c.req.param("name"));
    return editor(c, { template, form: formOfTemplate(template) });
  });

  app.post("/admin/templates/:name", async (c) => {
    const template = await requireTemplate(deps, c.req.param("name"));
    const form = postedForm(await c.req.parseBody());
    const refused = "The changes were not saved: see the marked fields.";
    const input = updateInputOf(form);
    if (!input.ok) return editor(c, { template, form, issues: input.issues, refused, status: 422 });
    try {
      await updateTemplate(deps, template.name, input.input);
    } catch (error) {
      const issues = refusalIssues(error);
      if (!issues) throw error;
      return editor(c, { template, form, issues, refused, status: 422 });
    }
    deps.logger.info("admin console: template changed", {
      template: template.name,
      keyId: c.get("session").keyId,
    });
    return c.redirect(`${pathOf(template.name)}?done=saved`, 303);
  });

  app.post("/admin/templates/:name/preview", async (c) =>
    preview(c, await requireTemplate(deps, c.req.param("name"))),
  );
  app.post("/admin/templates/:name/activate", (c) => setActive(c, true));
  app.post("/admin/templates/:name/deactivate", (c) => setActive(c, false));

  return app;
}

/** A stored template's state and its activate / deactivate button. */
function TemplateFacts(props: { template: TemplateRecord; csrf: string }) {
  const t = props.template;
  return (
    <>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <ActiveBadge active={t.active} />
        </dd>
        <dt>Channels</dt>
        <dd>{channelsOf(t)}</dd>
        <dt>Version</dt>
        <dd>{t.version}</dd>
        <dt>Created</dt>
        <dd>{formatTime(t.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(t.updatedAt)}</dd>
      </dl>
      <div class="actions">
        <form method="post" action={`${pathOf(t.name)}/${t.active ? "deactivate" : "activate"}`}>
          <CsrfField token={props.csrf} />
          <button type="submit" class={t.active ? "secondary" : undefined}>
            {t.active ? "Deactivate" : "Activate"}
          </button>
        </form>
      </div>
    </>
  );
}
