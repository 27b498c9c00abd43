import { z } from "@hono/zod-openapi";
import { EpochMs } from "../../http/schemas.ts";

export const TokenRequest = z
  .object({
    ttlSeconds: z.number().int().min(1).optional().openapi({
      description: "A lifetime shorter than HERALD_TOKEN_TTL_SECONDS (the default and the maximum)",
    }),
  })
  .strict()
  .openapi("RecipientTokenRequest");

export const IssuedToken = z
  .object({
    token: z.string().openapi({
      description: "Send as `Authorization: Bearer <token>` (or `?access_token=` for EventSource)",
    }),
    expiresAt: EpochMs,
  })
  .openapi("RecipientToken");

/** `?access_token=`: the token for EventSource, which cannot set headers. */
export const StreamQuery = z.object({
  access_token: z
    .string()
    .max(2048)
    .optional()
    .openapi({ description: "The recipient token, when no Authorization header can be sent" }),
});

/** The stream's body, documented as text. */
export const UnreadStream = z.string().openapi({
  description:
    'Server-sent events: `event: unread` with `id` = version and data `{"unread":n,"version":v}`, sent at once and after every change; a `: keep-alive` comment every 25 s.',
  example: 'event: unread\ndata: {"unread":3,"version":12}\nid: 12\n\n',
});
