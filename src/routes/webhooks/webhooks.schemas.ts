import { z } from "@hono/zod-openapi";

/** What the webhook did with a message (SNS only looks at the status code; this is for people reading logs). */
export const SnsWebhookResult = z
  .object({
    result: z.enum(["applied", "duplicate", "unmatched", "confirmed", "unsubscribed", "ignored"]).openapi({
      description:
        "applied: feedback recorded; duplicate: this MessageId was already applied (SNS retry); unmatched: no delivery has that provider message id (suppressions still apply); confirmed: subscription confirmed; unsubscribed: logged; ignored: a notification Herald does not act on",
    }),
  })
  .openapi("SnsWebhookResult");

/** The raw SNS message: JSON, though SNS labels it text/plain. */
export const SnsMessageBody = z.string().openapi({
  description:
    "An Amazon SNS message (Notification, SubscriptionConfirmation or UnsubscribeConfirmation) as JSON text.",
});
