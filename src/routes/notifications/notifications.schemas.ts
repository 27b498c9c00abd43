import { z } from "@hono/zod-openapi";
import { EpochMs, Priority } from "../../http/schemas.ts";

/** A notification as the API shows it (also the inbox item). */
export const Notification = z
  .object({
    id: z.string(),
    recipientId: z.string(),
    template: z.string(),
    priority: Priority,
    category: z.string(),
    title: z.string(),
    message: z.string(),
    actionUrl: z.string().nullable(),
    subject: z.object({ type: z.string(), id: z.string() }).nullable(),
    read: z.boolean(),
    readAt: EpochMs.nullable(),
    createdAt: EpochMs,
    sendAt: EpochMs.nullable(),
    emailSent: z.boolean(),
    smsSent: z.boolean(),
  })
  .openapi("Notification");

/** A page of notifications with the cursor for the next one (null on the last page). */
export const NotificationPage = z
  .object({ items: z.array(Notification), nextCursor: z.string().nullable() })
  .openapi("NotificationPage");
