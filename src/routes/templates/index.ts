import type { Deps } from "../../deps.ts";
import { fallbackChannels } from "../../domain/templates/templates.rules.ts";
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  previewTemplate,
  requireTemplate,
  updateTemplate,
} from "../../domain/templates/templates.service.ts";
import type { TemplateRecord } from "../../domain/templates/templates.types.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./templates.routes.ts";

/** A stored template as the API shows it: with the channels that fall back to its title and message. */
const view = (t: TemplateRecord) => ({ ...t, fallbackChannels: fallbackChannels(t) });

/** `/v1/templates`: the Liquid templates notifications render (admin scope). */
export function templateRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.create, async (c) => c.json(view(await createTemplate(deps, c.req.valid("json"))), 201))
    .openapi(routes.list, async (c) => c.json({ items: (await listTemplates(deps)).map(view) }, 200))
    .openapi(routes.get, async (c) =>
      c.json(view(await requireTemplate(deps, c.req.valid("param").name)), 200),
    )
    .openapi(routes.update, async (c) =>
      c.json(view(await updateTemplate(deps, c.req.valid("param").name, c.req.valid("json"))), 200),
    )
    .openapi(routes.remove, async (c) => {
      await deleteTemplate(deps, c.req.valid("param").name);
      return c.body(null, 204);
    })
    .openapi(routes.preview, async (c) =>
      c.json(await previewTemplate(deps, c.req.valid("param").name, c.req.valid("json")), 200),
    );
}
