/**
 * Provider feedback as Herald understands it, whichever provider sent it: which delivery (by the provider's
 * message id), what happened to it, and which contacts must not be sent to again. Pure decisions only.
 */
import type { DeliveryStatus } from "../../../db/schema.ts";
import type { Channel } from "../../channels/types.ts";

/** What the provider says became of a message. */
export type FeedbackOutcome = "delivered" | "bounced" | "complained";

/** A contact to put on the suppression list because of feedback. */
export interface FeedbackSuppression {
  contacts: string[];
  reason: "bounce" | "complaint" | "opt-out";
  source: "ses" | "sns";
  /** Bounce subtype, complaint feedback type or the like; never message content or contact data. */
  detail: string | null;
}

/** One piece of provider feedback. */
export interface ProviderFeedback {
  channel: Channel;
  /** The id the provider gave the message when we sent it (`deliveries.provider_message_id`). */
  providerMessageId: string;
  outcome: FeedbackOutcome;
  /** Short, contact-free code and text for the attempt log. */
  errorCode: string | null;
  errorMessage: string | null;
  suppress: FeedbackSuppression | null;
  /** SMS: what the provider actually charged, when it says. */
  priceUsd: number | null;
}

/**
 * The delivery's new status after feedback, or null to leave it. Feedback only applies to what was sent
 * (`sent`, `delivered`): a bounce or complaint may follow a delivery notice, but nothing moves a delivery back
 * out of `bounced` or `complained`, and a late or replayed notice never revives a delivery in another state.
 */
export function feedbackTransition(current: DeliveryStatus, outcome: FeedbackOutcome): DeliveryStatus | null {
  if (current !== "sent" && current !== "delivered") return null;
  return current === outcome ? null : outcome;
}
