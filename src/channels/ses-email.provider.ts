/**
 * Email through Amazon SES (`SendRawEmail`). Region, credentials and endpoint come from the SDK's standard
 * configuration (AWS_REGION, the credential chain, AWS_ENDPOINT_URL_SES). The SDK's own retries are off: the
 * engine retries with its own backoff and rate limiter, and one call must stay well inside the lease.
 *
 * The SDK is loaded when the client is built, not when this module is imported: with the outbox provider (the
 * default) it is never loaded, which keeps about 17 MB of modules out of the process.
 */
import type { SESClient } from "@aws-sdk/client-ses";
import { awsClientOptions } from "./aws-client.ts";
import { toProviderError } from "./aws-errors.ts";
import { buildMimeMessage } from "./mime-message.ts";
import type { EmailProvider } from "./types.ts";

/** Options for {@link createSesEmailProvider}. */
export interface SesOptions {
  /** Per-call limit; the engine also aborts at its own timeout. */
  timeoutMs: number;
  /** Calls the engine may have in flight at once (HERALD_WORKER_CONCURRENCY). */
  maxSockets: number;
  /** HERALD_SES_CONFIGURATION_SET: where SES publishes bounces, complaints and deliveries. */
  configurationSet?: string;
}

/** The SES client the adapter uses: one attempt per call, bounded connection and request time. */
export function createSesClient({
  timeoutMs,
  maxSockets,
}: Pick<SesOptions, "timeoutMs" | "maxSockets">): SESClient {
  return new (sesSdk().SESClient)(awsClientOptions({ timeoutMs, maxSockets }));
}

/** The SES SDK module, loaded on first use (synchronously: provider choice happens at start, not per call). */
function sesSdk(): typeof import("@aws-sdk/client-ses") {
  return require("@aws-sdk/client-ses");
}

/** An {@link EmailProvider} sending through SES. */
export function createSesEmailProvider(
  options: SesOptions,
  client: SESClient = createSesClient(options),
): EmailProvider {
  const { SendRawEmailCommand } = sesSdk();
  return {
    name: "ses",
    async sendEmail(message, signal) {
      try {
        const result = await client.send(
          new SendRawEmailCommand({
            RawMessage: { Data: Buffer.from(buildMimeMessage(message)) },
            ConfigurationSetName: options.configurationSet,
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
