/**
 * SMS through Amazon SNS (`Publish` to a phone number), always as Transactional (delivered to opted-in and
 * DND numbers, higher priority). Region, credentials and endpoint come from the SDK's standard configuration
 * (AWS_REGION, the credential chain, AWS_ENDPOINT_URL_SNS). The SDK's own retries are off, as for SES.
 *
 * As for SES, the SDK is loaded when the client is built, so the outbox default never loads it.
 */
import type { MessageAttributeValue, SNSClient } from "@aws-sdk/client-sns";
import { awsClientOptions } from "./aws-client.ts";
import { toProviderError } from "./aws-errors.ts";
import type { SmsProvider } from "./types.ts";

/** Options for {@link createSnsSmsProvider}. */
export interface SnsOptions {
  timeoutMs: number;
  /** Calls the engine may have in flight at once (HERALD_WORKER_CONCURRENCY). */
  maxSockets: number;
  /** AWS.SNS.SMS.MaxPrice: SNS refuses to send a message that would cost more (USD). */
  maxPriceUsd?: number;
  /** AWS.SNS.SMS.SenderID: alphanumeric sender shown where carriers support it. */
  senderId?: string;
}

/** The SNS client the adapter uses: one attempt per call, bounded connection and request time. */
export function createSnsClient({
  timeoutMs,
  maxSockets,
}: Pick<SnsOptions, "timeoutMs" | "maxSockets">): SNSClient {
  return new (snsSdk().SNSClient)(awsClientOptions({ timeoutMs, maxSockets }));
}

/** The SNS SDK module, loaded on first use (synchronously: provider choice happens at start, not per call). */
function snsSdk(): typeof import("@aws-sdk/client-sns") {
  return require("@aws-sdk/client-sns");
}

/** The message attributes every SMS carries. */
export function smsAttributes(
  options: Pick<SnsOptions, "maxPriceUsd" | "senderId">,
): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
  };
  if (options.maxPriceUsd !== undefined) {
    attributes["AWS.SNS.SMS.MaxPrice"] = { DataType: "Number", StringValue: options.maxPriceUsd.toFixed(5) };
  }
  if (options.senderId)
    attributes["AWS.SNS.SMS.SenderID"] = { DataType: "String", StringValue: options.senderId };
  return attributes;
}

/** An {@link SmsProvider} sending through SNS. */
export function createSnsSmsProvider(
  options: SnsOptions,
  client: SNSClient = createSnsClient(options),
): SmsProvider {
  const { PublishCommand } = snsSdk();
  const attributes = smsAttributes(options);
  return {
    name: "sns",
    async sendSms(message, signal) {
      try {
        const result = await client.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.text,
            MessageAttributes: attributes,
          }),
          { abortSignal: signal },
        );
        return { providerMessageId: result.MessageId ?? null };
      } catch (error) {
        throw toProviderError(error);
      }
    },
  };
}
