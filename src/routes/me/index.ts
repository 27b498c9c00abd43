import { streamSSE } from "hono/streaming";
import type { Deps } from "../../deps.ts";
import {
  archive,
  listInbox,
  markAllRead,
  markRead,
  markUnread,
  unreadCount,
} from "../../domain/inbox/inbox.service.ts";
import { watchUnread } from "../../domain/inbox/inbox.stream.ts";
import {
  getRecipientPreferences,
  patchPreferences,
  replacePreferences,
} from "../../domain/preferences/preferences.service.ts";
import { incarnationOf, issueTokenFor } from "../../domain/recipient-tokens/recipient-tokens.service.ts";
import { recipientIdOf } from "../../http/auth.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./me.routes.ts";

/**
 * Recipient self-service: the portal issues a token (`POST /v1/recipients/{id}/tokens`), and the token opens
 * `/v1/me/...`, the same inbox and preference verbs as the portal routes, bound to the token's recipient.
 */
export function meRoutes(deps: Deps) {
  return createRouter()
    .openapi(routes.issueToken, async (c) =>
      c.json(await issueTokenFor(deps, c.req.valid("param").id, c.req.valid("json").ttlSeconds), 201),
    )
    .openapi(routes.inbox, async (c) =>
      c.json(await listInbox(deps, recipientIdOf(c.get("principal")), c.req.valid("query")), 200),
    )
    .openapi(routes.unreadCount, async (c) =>
      c.json(await unreadCount(deps, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.readAll, async (c) =>
      c.json(await markAllRead(deps, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.markRead, async (c) =>
      c.json(await markRead(deps, c.req.valid("param").id, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.markUnread, async (c) =>
      c.json(await markUnread(deps, c.req.valid("param").id, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.archive, async (c) =>
      c.json(await archive(deps, c.req.valid("param").id, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.getPreferences, async (c) =>
      c.json(await getRecipientPreferences(deps, recipientIdOf(c.get("principal"))), 200),
    )
    .openapi(routes.putPreferences, async (c) =>
      c.json(await replacePreferences(deps, recipientIdOf(c.get("principal")), c.req.valid("json")), 200),
    )
    .openapi(routes.patchPreferences, async (c) =>
      c.json(await patchPreferences(deps, recipientIdOf(c.get("principal")), c.req.valid("json")), 200),
    )
    .openapi(routes.stream, async (c) => {
      // A stream is quiet for up to 25 s between keep-alives: exempt its connection from the idle timeout
      // (under Bun.serve, `c.env` is the server).
      (c.env as { timeout?: (request: Request, seconds: number) => void } | undefined)?.timeout?.(
        c.req.raw,
        0,
      );
      const closed = new AbortController();
      // Resolves once the current count is known, so an unknown recipient is a 404, not a broken stream.
      const principal = c.get("principal");
      const events = await watchUnread(deps, recipientIdOf(principal), { signal: closed.signal });
      const token =
        principal.kind === "recipient" ? { sub: principal.recipientId, inc: principal.incarnation } : null;
      return streamSSE(c, async (sse) => {
        sse.onAbort(() => closed.abort());
        try {
          for await (const event of events) {
            if (event.kind === "keep-alive") await sse.write(": keep-alive\n\n");
            // A change after the recipient was erased (or erased and created again) is not this token's to see.
            else if (!token || (await incarnationOf(deps, token)) !== "current") break;
            else
              await sse.writeSSE({
                event: "unread",
                id: String(event.count.version),
                data: JSON.stringify(event.count),
              });
          }
        } finally {
          closed.abort();
        }
      });
    });
}
