import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import { getOpsSettings, type OpsSettingsSource } from "../domain/ops-settings/ops-settings.service.ts";
import type { AdminEnv } from "./admin-env.ts";
import { Document, Layout, type SectionPath } from "./layout.tsx";

type Status = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

/** Serialises a page: the doctype, then the rendered element. */
export async function htmlDocument(element: HtmlEscapedString | Promise<HtmlEscapedString>): Promise<string> {
  return `<!doctype html>${await element}`;
}

/** A signed-in page inside the shared layout (with the maintenance banner when maintenance is on). */
export async function renderPage(
  c: Context<AdminEnv>,
  deps: OpsSettingsSource,
  page: { title: string; section: SectionPath; status?: Status },
  body: Child,
): Promise<Response> {
  const { maintenance } = await getOpsSettings(deps);
  const element = (
    <Layout title={page.title} section={page.section} csrf={c.get("csrf")} maintenance={maintenance}>
      {body}
    </Layout>
  );
  return c.html(await htmlDocument(element), page.status ?? 200);
}

/** A page outside the layout (sign-in, or an error before a session exists). */
export async function renderBare(
  c: Context,
  title: string,
  body: Child,
  status: Status = 200,
  headers: Record<string, string> = {},
): Promise<Response> {
  return c.html(await htmlDocument(<Document title={title}>{body}</Document>), status, headers);
}
