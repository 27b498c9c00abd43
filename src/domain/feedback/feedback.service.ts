/**
 * Applies provider feedback: the delivery's new state, its attempt-log row and the suppressions it causes,
 * all in one transaction, once per SNS message however often SNS retries it.
 */
import type { Deps } from "../../deps.ts";
import { normalizeContact } from "../suppressions/contacts.rules.ts";
import { countSkipped, suppressInTx } from "../suppressions/suppressions.service.ts";
import {
  claimSnsMessage,
  findByProviderMessageId,
  insertFeedbackAttempt,
  updateFromFeedback,
} from "./feedback.repo.ts";
import { feedbackTransition, type ProviderFeedback } from "./feedback.rules.ts";

/** What applying one piece of feedback did. */
export type FeedbackResult = "applied" | "duplicate" | "unmatched";

/**
 * Applies `feedback` carried by SNS message `feedbackId`. Suppressions apply even when the delivery is not
 * ours (a bounce for an address we sent to some other way still means the address is dead).
 */
export async function applyProviderFeedback(
  deps: Pick<Deps, "db" | "clock" | "metrics" | "logger">,
  feedback: ProviderFeedback,
  feedbackId: string,
): Promise<FeedbackResult> {
  const now = deps.clock.now();
  const provider = feedback.channel === "email" ? "ses-feedback" : "sns-feedback";
  const outcome = await deps.db.write(async (tx) => {
    if (!(await claimSnsMessage(tx, feedbackId, now))) return { result: "duplicate" as const };
    const delivery = await findByProviderMessageId(tx, feedback.channel, feedback.providerMessageId);
    const status = delivery ? feedbackTransition(delivery.status, feedback.outcome) : null;
    if (delivery) {
      await updateFromFeedback(
        tx,
        delivery.id,
        { status, lastError: feedback.errorMessage, priceUsd: feedback.priceUsd },
        now,
      );
      await insertFeedbackAttempt(
        tx,
        {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
          provider,
          feedbackId,
          status: feedback.outcome,
          errorCode: feedback.errorCode,
          errorMessage: feedback.errorMessage,
        },
        now,
      );
    }
    let skipped = 0;
    let suppressed = 0;
    if (feedback.suppress) {
      const { contacts, ...why } = feedback.suppress;
      // An SMS status may leave out the number: the delivery it belongs to knows it.
      const targets =
        contacts.length > 0 || !delivery?.destination
          ? contacts
          : [normalizeContact(feedback.channel, delivery.destination)];
      for (const contact of new Set(targets)) {
        const result = await suppressInTx(tx, { channel: feedback.channel, contact, ...why }, now);
        skipped += result.skipped;
        if (result.created) suppressed++;
      }
    }
    return {
      result: delivery ? ("applied" as const) : ("unmatched" as const),
      deliveryId: delivery?.id,
      status,
      skipped,
      suppressed,
    };
  });

  if (outcome.result === "duplicate") return "duplicate";
  if (outcome.status)
    deps.metrics.deliveries.inc({ channel: feedback.channel, outcome: feedback.outcome, reason: "" });
  countSkipped(deps, feedback.channel, outcome.skipped);
  // Ids and counts only: the feedback's addresses and numbers never reach the log.
  deps.logger.info("provider feedback applied", {
    feedbackId,
    channel: feedback.channel,
    outcome: feedback.outcome,
    deliveryId: outcome.deliveryId ?? null,
    newStatus: outcome.status,
    suppressed: outcome.suppressed,
    skippedDeliveries: outcome.skipped,
  });
  return outcome.result;
}
