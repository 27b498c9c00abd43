import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../errors.ts";
import { jsonContent, problemOf } from "../../http/schemas.ts";
import { SnsMessageBody, SnsWebhookResult } from "./webhooks.schemas.ts";

/** SNS messages are at most 256 KiB plus the envelope. */
const MAX_SNS_BODY_BYTES = 512 * 1024;

export const sns = createRoute({
  method: "post",
  path: "/webhooks/sns",
  tags: ["webhooks"],
  summary: "Amazon SNS HTTPS subscription: SES feedback and SMS delivery status",
  description:
    "No API key: every message must carry a valid SNS signature (SignatureVersion 1 or 2) by a certificate on an Amazon SNS host, be less than an hour old and come from a topic in HERALD_SNS_TOPIC_ARNS. SNS sends the JSON as text/plain. A SubscriptionConfirmation is confirmed by visiting its SubscribeURL.",
  middleware: [
    bodyLimit({
      maxSize: MAX_SNS_BODY_BYTES,
      onError: () => {
        throw new AppError("payload-too-large", `The body exceeds ${MAX_SNS_BODY_BYTES} bytes`);
      },
    }),
  ] as const,
  request: {
    headers: z.object({
      "x-amz-sns-message-type": z
        .enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"])
        .optional()
        .openapi({ description: "Set by SNS; must match the message's Type" }),
    }),
    body: { required: true, content: { "text/plain": { schema: SnsMessageBody } } },
  },
  responses: {
    200: jsonContent(
      SnsWebhookResult,
      "Accepted (also for a repeated MessageId, which is not applied twice)",
    ),
    400: problemOf("The body is not JSON, or the message-type header is unknown"),
    403: problemOf(
      "Unsigned, forged, stale or replayed, from an untrusted certificate host, or from another topic",
    ),
    413: problemOf("Body larger than 512 KiB"),
    500: problemOf("Unexpected error"),
    503: problemOf("The signing certificate could not be fetched or the database is busy; SNS retries"),
  },
});
