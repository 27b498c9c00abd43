import { notifications } from "../../../db/schema.ts";

/** A notification as the API and the inbox show it. */
export interface NotificationView {
  id: string;
  recipientId: string;
  template: string;
  priority: "URGENT" | "HIGH" | "MEDIUM" | "LOW";
  category: string;
  title: string;
  message: string;
  actionUrl: string | null;
  subject: { type: string; id: string } | null;
  read: boolean;
  readAt: number | null;
  createdAt: number;
  sendAt: number | null;
  emailSent: boolean;
  smsSent: boolean;
}

/** The stored columns a view is made of (list queries select only these). */
export type NotificationViewRow = Pick<
  typeof notifications.$inferSelect,
  | "id"
  | "recipientId"
  | "template"
  | "priority"
  | "category"
  | "title"
  | "message"
  | "actionUrl"
  | "subjectType"
  | "subjectId"
  | "readAt"
  | "createdAt"
  | "sendAt"
  | "emailSent"
  | "smsSent"
>;

/** The columns of {@link NotificationViewRow}, for list queries (the stored context can be large and is never shown). */
export const notificationViewColumns = {
  id: notifications.id,
  recipientId: notifications.recipientId,
  template: notifications.template,
  priority: notifications.priority,
  category: notifications.category,
  title: notifications.title,
  message: notifications.message,
  actionUrl: notifications.actionUrl,
  subjectType: notifications.subjectType,
  subjectId: notifications.subjectId,
  readAt: notifications.readAt,
  createdAt: notifications.createdAt,
  sendAt: notifications.sendAt,
  emailSent: notifications.emailSent,
  smsSent: notifications.smsSent,
} satisfies Record<keyof NotificationViewRow, unknown>;

/** Maps a stored row to its view. */
export function toNotificationView(row: NotificationViewRow): NotificationView {
  return {
    id: row.id,
    recipientId: row.recipientId,
    template: row.template,
    priority: row.priority,
    category: row.category,
    title: row.title,
    message: row.message,
    actionUrl: row.actionUrl,
    subject: row.subjectType && row.subjectId ? { type: row.subjectType, id: row.subjectId } : null,
    read: row.readAt !== null,
    readAt: row.readAt,
    createdAt: row.createdAt,
    sendAt: row.sendAt,
    emailSent: row.emailSent,
    smsSent: row.smsSent,
  };
}
