/**
 * What a provider failure means for the delivery and for the channel. Pure: the table is the contract, and
 * it is tested case by case (test/delivery/provider-errors.rules.test.ts).
 *
 * - `retryable`: the message may succeed later (throttling, 5xx, timeouts, network errors).
 * - `permanent`: this message will never succeed (rejected content, invalid or opted-out address).
 * - `account`: nothing on this channel can succeed until an operator acts (sending paused, bad credentials,
 *   quota exhausted). The channel pauses and raises an alert instead of failing every delivery in turn; the
 *   delivery goes back to the queue with its attempt refunded.
 */

/** How the engine reacts to one failed provider call. */
export type FailureKind = "retryable" | "permanent" | "account";

/** A classified failure. `throttled` also blocks the channel's rate budget for a second. */
export interface FailureClass {
  kind: FailureKind;
  throttled: boolean;
  /** Stable code stored on the attempt (`throttled`, `message-rejected`, …), derived from the provider's. */
  code: string;
}

/** The parts of a provider error the table looks at. */
export interface FailureInput {
  code: string;
  message: string;
  httpStatus: number | null;
}

/** AWS error names with and without the SDK's `Exception` suffix mean the same thing. */
const normalise = (code: string) => code.replace(/Exception$/, "");

const THROTTLING = new Set([
  "Throttling",
  "Throttled",
  "TooManyRequests",
  "MaxSendingRateExceeded",
  "RequestLimitExceeded",
]);

const ACCOUNT = new Set([
  "AccountSendingPaused",
  "ConfigurationSetSendingPaused",
  "ConfigurationSetDoesNotExist",
  "AuthorizationError",
  "AccessDenied",
  "InvalidClientTokenId",
  "UnrecognizedClient",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidAccessKeyId",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "CredentialsProviderError",
  "KMSDisabled",
  "KMSAccessDenied",
]);

const PERMANENT = new Set([
  "MessageRejected",
  "MailFromDomainNotVerified",
  "InvalidParameter",
  "InvalidParameterValue",
  "InvalidParameterCombination",
  "OptedOut",
  "EndpointDisabled",
  "ValidationError",
  "Validation",
  "InvalidRecipient",
  "no-destination",
]);

const RETRYABLE = new Set([
  "timeout",
  "network",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "KMSThrottling",
]);

/** Classifies one provider failure; see the module comment for what each kind does. */
export function classifyFailure(error: FailureInput): FailureClass {
  const code = normalise(error.code);
  const message = error.message.toLowerCase();
  // SES reports an exhausted 24-hour quota with the same code as a burst over the rate: only the message
  // tells them apart, and the quota is an account matter (retrying for hours would only burn attempts).
  if (message.includes("daily message quota exceeded") || message.includes("spend limit")) {
    return { kind: "account", throttled: false, code: "quota-exceeded" };
  }
  if (THROTTLING.has(code) || error.httpStatus === 429)
    return { kind: "retryable", throttled: true, code: "throttled" };
  if (ACCOUNT.has(code)) return { kind: "account", throttled: false, code: kebab(code) };
  if (message.includes("opted out") || message.includes("opted-out")) {
    return { kind: "permanent", throttled: false, code: "opted-out" };
  }
  if (PERMANENT.has(code)) return { kind: "permanent", throttled: false, code: kebab(code) };
  if (RETRYABLE.has(code)) return { kind: "retryable", throttled: false, code: kebab(code) };
  if (error.httpStatus !== null && error.httpStatus >= 500)
    return { kind: "retryable", throttled: false, code: "provider-5xx" };
  if (error.httpStatus !== null && error.httpStatus >= 400)
    return { kind: "permanent", throttled: false, code: kebab(code) };
  // No status and a code we do not know: most likely a transport failure or a bug of ours. Retrying is bounded
  // by max attempts, while a wrong "permanent" would drop a message that could have gone out.
  return { kind: "retryable", throttled: false, code: kebab(code) || "unknown" };
}

/** `MessageRejected` → `message-rejected`. */
function kebab(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}
