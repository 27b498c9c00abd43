/**
 * SES feedback (Bounce, Complaint, Delivery) as SES publishes it to an SNS topic, either as a feedback
 * notification (`notificationType`) or through a configuration set's event destination (`eventType`).
 */
import { z } from "zod";
import { redactSecrets } from "../../observability/log-redaction.rules.ts";
import { normalizeContact } from "../suppressions/contacts.rules.ts";
import type { ProviderFeedback } from "./feedback.rules.ts";

const address = z.object({ emailAddress: z.string().max(320) }).passthrough();

const sesNotification = z
  .object({
    notificationType: z.string().optional(),
    eventType: z.string().optional(),
    mail: z.object({ messageId: z.string().min(1).max(256) }).passthrough(),
    bounce: z
      .object({
        bounceType: z.string().max(64),
        bounceSubType: z.string().max(64).optional(),
        bouncedRecipients: z
          .array(
            address.extend({
              status: z.string().max(32).optional(),
              diagnosticCode: z.string().max(2000).optional(),
            }),
          )
          .max(100),
      })
      .passthrough()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(address).max(100),
        complaintFeedbackType: z.string().max(64).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** True when an SNS Notification's `Message` (already JSON-parsed) is SES feedback. */
export function isSesFeedback(message: unknown): boolean {
  const m = message as { notificationType?: unknown; eventType?: unknown; mail?: unknown } | null;
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.mail === "object" &&
    (typeof m.notificationType === "string" || typeof m.eventType === "string")
  );
}

/**
 * The feedback an SES notification carries, or null for a type Herald does not act on (Send, Open, …) or a
 * malformed one. A permanent bounce or any complaint suppresses the affected addresses; a transient bounce
 * (mailbox full, SES gave up retrying) marks the delivery bounced but leaves the address usable.
 */
export function parseSesFeedback(message: unknown): ProviderFeedback | null {
  const parsed = sesNotification.safeParse(message);
  if (!parsed.success) return null;
  const n = parsed.data;
  const type = n.notificationType ?? n.eventType;
  const base = { channel: "email" as const, providerMessageId: n.mail.messageId, priceUsd: null };

  if (type === "Delivery")
    return { ...base, outcome: "delivered", errorCode: null, errorMessage: null, suppress: null };

  if (type === "Bounce" && n.bounce) {
    const { bounceType, bounceSubType, bouncedRecipients } = n.bounce;
    const first = bouncedRecipients[0];
    const subtype = bounceSubType ?? "Undetermined";
    const diagnostic = first?.diagnosticCode ? `: ${redactSecrets(first.diagnosticCode).slice(0, 500)}` : "";
    return {
      ...base,
      outcome: "bounced",
      errorCode: `${bounceType}:${subtype}`,
      errorMessage: `${bounceType} bounce (${subtype})${first?.status ? ` ${first.status}` : ""}${diagnostic}`,
      suppress:
        bounceType === "Permanent"
          ? {
              contacts: bouncedRecipients.map((r) => normalizeContact("email", r.emailAddress)),
              reason: "bounce",
              source: "ses",
              detail: subtype,
            }
          : null,
    };
  }

  if (type === "Complaint" && n.complaint) {
    const feedbackType = n.complaint.complaintFeedbackType ?? null;
    return {
      ...base,
      outcome: "complained",
      errorCode: `complaint:${feedbackType ?? "unspecified"}`,
      errorMessage: `The recipient marked the email as spam${feedbackType ? ` (${feedbackType})` : ""}`,
      suppress: {
        contacts: n.complaint.complainedRecipients.map((r) => normalizeContact("email", r.emailAddress)),
        reason: "complaint",
        source: "ses",
        detail: feedbackType,
      },
    };
  }
  return null;
}
