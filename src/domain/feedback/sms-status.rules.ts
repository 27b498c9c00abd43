/**
 * SNS SMS delivery status: the JSON record (`notification.messageId`, `status`, `delivery.*`) SNS writes for each
 * SMS to CloudWatch Logs (`sns/<region>/<account>/DirectPublishToPhoneNumber` and `.../Failure`; SNS does not
 * publish SMS status to a topic). The Lambda in scripts/aws/sms-status-forwarder.mjs publishes each record
 * unchanged to a topic the webhook subscribes to.
 */
import { z } from "zod";
import { redactSecrets } from "../../observability/log-redaction.rules.ts";
import { normalizeContact } from "../suppressions/contacts.rules.ts";
import type { ProviderFeedback } from "./feedback.rules.ts";

const smsStatus = z
  .object({
    notification: z.object({ messageId: z.string().min(1).max(256) }).passthrough(),
    status: z.string().max(32),
    delivery: z
      .object({
        destination: z.string().max(32).optional(),
        providerResponse: z.string().max(2000).optional(),
        priceInUSD: z.number().nonnegative().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** True when an SNS Notification's `Message` (already JSON-parsed) is an SMS delivery status. */
export function isSmsStatus(message: unknown): boolean {
  const m = message as { notification?: { messageId?: unknown }; status?: unknown } | null;
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.notification?.messageId === "string" &&
    typeof m.status === "string"
  );
}

/** True when the carrier's response says the number opted out of SMS (a stop request, the carrier's block list). */
export function isOptOutResponse(providerResponse: string): boolean {
  return /opted[ -]?out/i.test(providerResponse);
}

/**
 * The feedback an SMS status carries, or null if malformed or neither SUCCESS nor FAILURE. SUCCESS means the
 * carrier delivered it; FAILURE means the carrier did not, so the delivery is `bounced`, and an opted-out number
 * is suppressed (`destination` may be absent: the service then uses the delivery's own destination).
 */
export function parseSmsStatus(message: unknown): ProviderFeedback | null {
  const parsed = smsStatus.safeParse(message);
  if (!parsed.success) return null;
  const { notification, status, delivery } = parsed.data;
  const base = {
    channel: "sms" as const,
    providerMessageId: notification.messageId,
    priceUsd: delivery?.priceInUSD ?? null,
  };
  if (status === "SUCCESS")
    return { ...base, outcome: "delivered", errorCode: null, errorMessage: null, suppress: null };
  if (status !== "FAILURE") return null;
  const response = delivery?.providerResponse ?? "";
  const optedOut = isOptOutResponse(response);
  return {
    ...base,
    outcome: "bounced",
    errorCode: optedOut ? "opted-out" : "carrier-failure",
    errorMessage: response ? redactSecrets(response).slice(0, 500) : "The carrier did not deliver the SMS",
    suppress: optedOut
      ? {
          contacts: delivery?.destination ? [normalizeContact("sms", delivery.destination)] : [],
          reason: "opt-out",
          source: "sns",
          detail: redactSecrets(response).slice(0, 200),
        }
      : null,
  };
}
