import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonContent, problemOf } from "../../http/schemas.ts";
import { Notification, NotificationPage } from "../notifications/notifications.schemas.ts";
import { RecipientId } from "../recipients/recipients.schemas.ts";
import {
  ArchivedNotification,
  InboxQuery,
  NotificationIdParams,
  ReadAllResult,
  UnreadCount,
} from "./inbox.schemas.ts";

const params = z.object({ id: RecipientId });
const base = { tags: ["inbox"], security: bearer, middleware: [requireScope("portal")] };
const noRecipient = { 404: problemOf("No such recipient") };

export const list = createRoute({
  ...base,
  method: "get",
  path: "/v1/recipients/{id}/inbox",
  summary: "A recipient's inbox, newest first",
  request: { params, query: InboxQuery },
  responses: { 200: jsonContent(NotificationPage, "A page of the inbox"), ...noRecipient, ...commonErrors },
});

export const unreadCount = createRoute({
  ...base,
  method: "get",
  path: "/v1/recipients/{id}/inbox/unread-count",
  summary: "A recipient's unread count and inbox version",
  request: { params },
  responses: { 200: jsonContent(UnreadCount, "The unread count"), ...noRecipient, ...commonErrors },
});

export const readAll = createRoute({
  ...base,
  method: "post",
  path: "/v1/recipients/{id}/inbox/read-all",
  summary: "Mark every notification of a recipient read",
  request: { params },
  responses: { 200: jsonContent(ReadAllResult, "How many were marked"), ...noRecipient, ...commonErrors },
});

export const markRead = createRoute({
  ...base,
  method: "post",
  path: "/v1/notifications/{id}/read",
  summary: "Mark a notification read",
  description: "Idempotent: marking a notification that is already read returns it unchanged.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(Notification, "The notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const markUnread = createRoute({
  ...base,
  method: "post",
  path: "/v1/notifications/{id}/unread",
  summary: "Mark a notification unread",
  description: "Idempotent. It counts in the unread count again, unless it is archived.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(Notification, "The notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const archive = createRoute({
  ...base,
  method: "post",
  path: "/v1/notifications/{id}/archive",
  summary: "Archive a notification: hide it from the inbox without deleting it",
  description:
    "Idempotent. It leaves the inbox list and, if unread, the unread count; GET /v1/notifications still finds it.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(ArchivedNotification, "The archived notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});
