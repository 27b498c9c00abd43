import type { Deps } from "../../deps.ts";
import {
  archive,
  listInbox,
  markAllRead,
  markRead,
  markUnread,
  unreadCount,
} from "../../domain/inbox/inbox.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./inbox.routes.ts";

/** A recipient's inbox as the portal reads it on their behalf: list, unread count, mark read or unread, archive. */
export function inboxRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.list, async (c) =>
      c.json(await listInbox(deps, c.req.valid("param").id, c.req.valid("query")), 200),
    )
    .openapi(routes.unreadCount, async (c) => c.json(await unreadCount(deps, c.req.valid("param").id), 200))
    .openapi(routes.readAll, async (c) => c.json(await markAllRead(deps, c.req.valid("param").id), 200))
    .openapi(routes.markRead, async (c) => c.json(await markRead(deps, c.req.valid("param").id), 200))
    .openapi(routes.markUnread, async (c) => c.json(await markUnread(deps, c.req.valid("param").id), 200))
    .openapi(routes.archive, async (c) => c.json(await archive(deps, c.req.valid("param").id), 200));
}
