/**
 * Turns whatever the AWS SDK throws into a {@link ProviderError}: service errors keep their code and HTTP
 * status, aborted and timed-out calls become `timeout`, socket failures `network`. Messages are scrubbed of
 * email addresses and phone numbers (SES quotes the failing identity), since they are stored and shown.
 */
import { redactSecrets } from "../observability/log-redaction.rules.ts";
import { ProviderError } from "./types.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ConnectionRefused",
  "ConnectionClosed",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** The {@link ProviderError} for anything an SDK call threw. */
export function toProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    Code?: string;
  };
  const message = redactSecrets(String(e.message ?? error)).slice(0, 500);
  const name = e.name ?? "Error";
  if (
    name === "AbortError" ||
    name === "TimeoutError" ||
    e.code === "ETIMEDOUT" ||
    e.code === "ESOCKETTIMEDOUT"
  ) {
    return new ProviderError("timeout", message || "the provider did not answer in time", null, {
      cause: error,
    });
  }
  if (e.$metadata) {
    const status = e.$metadata.httpStatusCode ?? null;
    return new ProviderError(e.Code ?? name, message, status, { cause: error });
  }
  if ((e.code && NETWORK_CODES.has(e.code)) || NETWORK_CODES.has(name)) {
    return new ProviderError("network", message, null, { cause: error });
  }
  return new ProviderError(name, message, null, { cause: error });
}
