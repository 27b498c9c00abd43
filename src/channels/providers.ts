/** Chooses the email and SMS providers once at start, from HERALD_EMAIL_PROVIDER / HERALD_SMS_PROVIDER. */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { createOutboxProviders } from "./outbox.provider.ts";
import { createSesEmailProvider } from "./ses-email.provider.ts";
import { createSnsSmsProvider } from "./sns-sms.provider.ts";
import type { Providers } from "./types.ts";

/** The configured providers: SES/SNS through the AWS SDK, or the outbox (the default). */
export function createProviders(config: Config, db: Database, clock: Clock): Providers {
  const outbox = createOutboxProviders(db, clock);
  const timeoutMs = config.HERALD_PROVIDER_TIMEOUT_MS;
  const maxSockets = config.HERALD_WORKER_CONCURRENCY;
  return {
    email:
      config.HERALD_EMAIL_PROVIDER === "ses"
        ? createSesEmailProvider({
            timeoutMs,
            maxSockets,
            configurationSet: config.HERALD_SES_CONFIGURATION_SET,
          })
        : outbox.email,
    sms:
      config.HERALD_SMS_PROVIDER === "sns"
        ? createSnsSmsProvider({
            timeoutMs,
            maxSockets,
            maxPriceUsd: config.HERALD_SMS_MAX_PRICE_USD,
            senderId: config.HERALD_SMS_SENDER_ID,
          })
        : outbox.sms,
  };
}
