/**
 * The system recipient Herald's own alert emails go to (`alert-email.ts`). Its notifications are operations
 * traffic, not product notifications: the volume report and `GET /v1/stats` leave them out.
 */

/** The operator recipient's id. */
export const OPERATOR_RECIPIENT_ID = "herald-operator";
