/**
 * The interfaces the delivery engine owns and every channel adapter implements: SES and SNS in production,
 * the outbox in development, scriptable fakes in tests and benchmarks. Adapters only send; retries, rate
 * limits and bookkeeping belong to the engine.
 */

/** The channels Herald sends through a provider (the in-app inbox needs none): the one list every module uses. */
export const CHANNELS = ["email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

/** One email, fully composed: the adapter only encodes and sends it. */
export interface OutgoingEmail {
  deliveryId: string;
  recipientId: string;
  to: string;
  from: { name: string; address: string };
  subject: string;
  html: string;
  text: string;
  /** One-click unsubscribe target for the `List-Unsubscribe` header (RFC 8058). */
  unsubscribeUrl: string;
  /** When the message is sent (for the `Date` header). */
  date: number;
}

/** One SMS, already cut to the configured number of segments. */
export interface OutgoingSms {
  deliveryId: string;
  recipientId: string;
  /** E.164 phone number. */
  to: string;
  text: string;
}

/** What a provider returns for an accepted message. */
export interface SendReceipt {
  /** The provider's id for the message (SES/SNS MessageId), used to match later feedback. */
  providerMessageId: string | null;
}

/** Sends email. `signal` aborts the call when the engine's timeout fires. */
export interface EmailProvider {
  /** Recorded on every attempt (`ses`, `outbox`, …). */
  readonly name: string;
  /** Sends one email; resolves once the provider accepted it, or throws a {@link ProviderError}. */
  sendEmail(message: OutgoingEmail, signal: AbortSignal): Promise<SendReceipt>;
}

/** Sends SMS. `signal` aborts the call when the engine's timeout fires. */
export interface SmsProvider {
  /** Recorded on every attempt (`sns`, `outbox`, …). */
  readonly name: string;
  /** Sends one SMS; resolves once the provider accepted it, or throws a {@link ProviderError}. */
  sendSms(message: OutgoingSms, signal: AbortSignal): Promise<SendReceipt>;
}

/** The two providers chosen at start (HERALD_EMAIL_PROVIDER / HERALD_SMS_PROVIDER). */
export interface Providers {
  email: EmailProvider;
  sms: SmsProvider;
}

/**
 * A provider call that did not succeed, normalised by the adapter: `code` is the provider's error code
 * (`Throttling`, `MessageRejected`, `InvalidParameter`, …) or one of Herald's own for transport failures
 * (`timeout`, `network`). The engine classifies it (src/delivery/provider-errors.rules.ts).
 */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProviderError";
  }
}
