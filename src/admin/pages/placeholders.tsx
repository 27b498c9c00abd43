/** Sections of the console not built yet: each says where the same job is done today (API or CLI). */
import { Hono } from "hono";
import type { Deps } from "../../deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import type { SectionPath } from "../layout.tsx";
import { renderPage } from "../render.tsx";

const pending: { path: SectionPath; title: string; api: string; cli: string }[] = [
  { path: "/admin/templates", title: "Templates", api: "GET /v1/templates", cli: "—" },
  { path: "/admin/recipients", title: "Recipients", api: "GET /v1/recipients/{id}", cli: "—" },
  {
    path: "/admin/suppressions",
    title: "Suppressions",
    api: "GET /v1/suppressions",
    cli: "herald suppressions",
  },
];

/** One page per section still to build. */
export function placeholderPages(deps: Deps) {
  const app = new Hono<AdminEnv>();
  for (const section of pending) {
    app.get(section.path, (c) =>
      renderPage(
        c,
        deps,
        { title: section.title, section: section.path },
        <div class="card">
          <p>This page is not built yet.</p>
          <p>
            Meanwhile: <code>{section.api}</code> with an admin key
            {section.cli !== "—" ? (
              <>
                , or <code>{section.cli}</code> on the server
              </>
            ) : null}
            .
          </p>
        </div>,
      ),
    );
  }
  return app;
}
