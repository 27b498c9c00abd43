/**
 * `POST /webhooks/sns`: one Amazon SNS HTTPS delivery. Every message is checked (shape, certificate host,
 * freshness, topic) and its signature verified before anything happens; a refused message changes nothing.
 */
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { applyProviderFeedback, type FeedbackResult } from "./feedback.service.ts";
import { isSesFeedback, parseSesFeedback } from "./ses-feedback.rules.ts";
import { isSmsStatus, parseSmsStatus } from "./sms-status.rules.ts";
import { checkSnsMessage, type SnsRejection } from "./sns-message.rules.ts";
import type { SnsSignatureVerifier } from "./sns-signature.ts";

/** What the webhook did with a message. */
export type SnsWebhookResult = FeedbackResult | "confirmed" | "unsubscribed" | "ignored";

const refusals: Record<SnsRejection, string> = {
  unsigned: "The message is not signed",
  malformed: "The message is not a well-formed SNS message",
  "type-mismatch": "x-amz-sns-message-type does not match the message's Type",
  "unsupported-signature-version": "Only SignatureVersion 1 and 2 are accepted",
  "untrusted-certificate-url":
    "SigningCertURL is not an SNS signing certificate on the SNS endpoint of the topic's region",
  "untrusted-subscribe-url":
    "SubscribeURL is not a ConfirmSubscription URL on the SNS endpoint of the topic's region",
  stale: "The message is more than an hour old",
  "from-the-future": "The message's Timestamp is in the future",
  "unknown-topic": "The topic is not one of HERALD_SNS_TOPIC_ARNS",
  "bad-signature": "The signature does not match the message",
};

function refuse(rejection: SnsRejection): AppError {
  return new AppError("forbidden", refusals[rejection], { reason: rejection });
}

/**
 * Handles one raw SNS POST body. Throws `invalid-json` for a body that is not JSON, `forbidden` for anything
 * refused, `unavailable` when the signing certificate cannot be fetched (SNS retries 5xx answers).
 */
export async function receiveSnsMessage(
  deps: Pick<Deps, "db" | "clock" | "metrics" | "logger" | "config" | "snsHttp">,
  verifier: SnsSignatureVerifier,
  request: { body: string; typeHeader: string | undefined },
): Promise<SnsWebhookResult> {
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new AppError("invalid-json", "The body is not valid JSON");
  }
  const check = checkSnsMessage(body, {
    typeHeader: request.typeHeader,
    now: deps.clock.now(),
    topicArns: deps.config.HERALD_SNS_TOPIC_ARNS,
  });
  if (!check.ok) {
    deps.logger.warn("sns message refused", { reason: check.rejection });
    throw refuse(check.rejection);
  }
  const message = check.message;
  if (!(await verifier.verify(message))) {
    deps.logger.warn("sns message refused", { reason: "bad-signature", messageId: message.MessageId });
    throw refuse("bad-signature");
  }

  if (message.Type === "SubscriptionConfirmation") {
    const subscribeUrl = message.SubscribeURL ?? ""; // vetted by checkSnsMessage
    try {
      await deps.snsHttp.confirmSubscription(subscribeUrl);
    } catch (error) {
      deps.logger.warn("sns subscription confirmation failed", {
        topicArn: message.TopicArn,
        error: error instanceof Error ? error.name : "unknown",
      });
      throw new AppError("unavailable", "Confirming the subscription failed; SNS will retry");
    }
    deps.logger.info("sns subscription confirmed", { topicArn: message.TopicArn });
    return "confirmed";
  }
  if (message.Type === "UnsubscribeConfirmation") {
    deps.logger.info("sns subscription ended", { topicArn: message.TopicArn, messageId: message.MessageId });
    return "unsubscribed";
  }

  let payload: unknown;
  try {
    payload = JSON.parse(message.Message);
  } catch {
    payload = null;
  }
  const feedback = isSesFeedback(payload)
    ? parseSesFeedback(payload)
    : isSmsStatus(payload)
      ? parseSmsStatus(payload)
      : null;
  if (!feedback) {
    // Answered 200 all the same: SNS would only retry it, and it would not get any better.
    deps.logger.info("sns notification ignored", {
      messageId: message.MessageId,
      topicArn: message.TopicArn,
    });
    return "ignored";
  }
  return applyProviderFeedback(deps, feedback, message.MessageId);
}
