import { z } from "@hono/zod-openapi";
import { EpochMs } from "../../http/schemas.ts";
import { Notification } from "../notifications/notifications.schemas.ts";

/** `?unread=true|false`: only unread, or only read, notifications. */
const BooleanFlag = z.enum(["true", "false"]).transform((v) => v === "true");

/** Query of an inbox page (portal and /v1/me alike). */
export const InboxQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ description: "Page size (1-100, default 20)" }),
  cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` from the previous page" }),
  unread: BooleanFlag.optional().openapi({ description: "true: only unread; false: only read" }),
  category: z.string().min(1).max(64).optional(),
});

/** The unread badge: count and a version that grows with every change to the inbox. */
export const UnreadCount = z
  .object({
    unread: z.number().int().min(0),
    version: z.number().int().min(0).openapi({ description: "Grows with every change; the SSE event id" }),
  })
  .openapi("UnreadCount");

/** The outcome of marking every notification read. */
export const ReadAllResult = UnreadCount.extend({
  marked: z.number().int().min(0).openapi({ description: "How many notifications this call marked read" }),
}).openapi("ReadAllResult");

/** A notification id in the path. */
export const NotificationIdParams = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "01KF0Z3W5X6Y7Z8A9B0C1D2E3F" }),
});

/** A notification just archived: out of the inbox and the unread count, kept everywhere else. */
export const ArchivedNotification = Notification.extend({
  archivedAt: EpochMs.openapi({ description: "When it was first archived (epoch ms, UTC)" }),
}).openapi("ArchivedNotification");
