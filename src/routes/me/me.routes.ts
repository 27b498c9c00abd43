import { createRoute, z } from "@hono/zod-openapi";
import { requireRecipient, requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonBody, jsonContent, problemOf } from "../../http/schemas.ts";
import {
  ArchivedNotification,
  InboxQuery,
  NotificationIdParams,
  ReadAllResult,
  UnreadCount,
} from "../inbox/inbox.schemas.ts";
import { Notification, NotificationPage } from "../notifications/notifications.schemas.ts";
import { mergePatchBody, Preferences, PreferencesPatch } from "../preferences/preferences.schemas.ts";
import { RecipientId } from "../recipients/recipients.schemas.ts";
import { IssuedToken, StreamQuery, TokenRequest, UnreadStream } from "./me.schemas.ts";

export const issueToken = createRoute({
  tags: ["recipient tokens"],
  security: bearer,
  middleware: [requireScope("portal")],
  method: "post",
  path: "/v1/recipients/{id}/tokens",
  summary: "Issue a short-lived token with which the recipient reaches their own data under /v1/me",
  request: {
    params: z.object({ id: RecipientId }),
    body: {
      ...jsonBody(TokenRequest, "Optional; `{}` or no body for the default lifetime"),
      required: false,
    },
  },
  responses: {
    201: jsonContent(IssuedToken, "The token"),
    404: problemOf("No such recipient"),
    ...commonErrors,
  },
});

/** /v1/me routes take recipient tokens only; API keys get 403. */
const me = { tags: ["me"], security: bearer, middleware: [requireRecipient] };
const gone = { 404: problemOf("The token's recipient no longer exists") };

export const inbox = createRoute({
  ...me,
  method: "get",
  path: "/v1/me/inbox",
  summary: "My inbox, newest first",
  request: { query: InboxQuery },
  responses: { 200: jsonContent(NotificationPage, "A page of the inbox"), ...gone, ...commonErrors },
});

export const unreadCount = createRoute({
  ...me,
  method: "get",
  path: "/v1/me/inbox/unread-count",
  summary: "My unread count and inbox version",
  responses: { 200: jsonContent(UnreadCount, "The unread count"), ...gone, ...commonErrors },
});

export const readAll = createRoute({
  ...me,
  method: "post",
  path: "/v1/me/inbox/read-all",
  summary: "Mark all my notifications read",
  responses: { 200: jsonContent(ReadAllResult, "How many were marked"), ...gone, ...commonErrors },
});

export const markRead = createRoute({
  ...me,
  method: "post",
  path: "/v1/me/notifications/{id}/read",
  summary: "Mark one of my notifications read",
  description: "Idempotent. Someone else's notification is a 404, like a missing one.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(Notification, "The notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const markUnread = createRoute({
  ...me,
  method: "post",
  path: "/v1/me/notifications/{id}/unread",
  summary: "Mark one of my notifications unread",
  description: "Idempotent. Someone else's notification is a 404, like a missing one.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(Notification, "The notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const archive = createRoute({
  ...me,
  method: "post",
  path: "/v1/me/notifications/{id}/archive",
  summary: "Archive one of my notifications: hide it from my inbox without deleting it",
  description: "Idempotent. It leaves my inbox and my unread count. Someone else's notification is a 404.",
  request: { params: NotificationIdParams },
  responses: {
    200: jsonContent(ArchivedNotification, "The archived notification"),
    404: problemOf("No such notification"),
    ...commonErrors,
  },
});

export const getPreferences = createRoute({
  ...me,
  method: "get",
  path: "/v1/me/preferences",
  summary: "My preferences",
  responses: { 200: jsonContent(Preferences, "The preferences"), ...gone, ...commonErrors },
});

export const putPreferences = createRoute({
  ...me,
  method: "put",
  path: "/v1/me/preferences",
  summary: "Replace my preferences",
  request: { body: jsonBody(Preferences) },
  responses: { 200: jsonContent(Preferences, "The stored preferences"), ...gone, ...commonErrors },
});

export const patchPreferences = createRoute({
  ...me,
  method: "patch",
  path: "/v1/me/preferences",
  summary: "Change some of my preferences (JSON merge patch)",
  description:
    "RFC 7396: only the members named change; `null` puts a member back to its default. Send as `application/merge-patch+json` (or `application/json`).",
  request: { body: mergePatchBody(PreferencesPatch) },
  responses: { 200: jsonContent(Preferences, "The stored preferences"), ...gone, ...commonErrors },
});

export const stream = createRoute({
  ...me,
  method: "get",
  path: "/v1/me/stream",
  summary: "My unread count as a server-sent-events stream",
  request: { query: StreamQuery },
  responses: {
    200: { description: "The event stream", content: { "text/event-stream": { schema: UnreadStream } } },
    ...gone,
    ...commonErrors,
  },
});
