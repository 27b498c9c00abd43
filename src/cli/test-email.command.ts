import { z } from "zod";
import { ProviderError } from "../channels/types.ts";
import { classifyFailure } from "../delivery/provider-errors.rules.ts";
import type { Deps } from "../deps.ts";
import { getBranding } from "../domain/branding/branding.service.ts";
import { unsubscribeUrl } from "../domain/recipient-tokens/recipient-links.ts";
import { newId } from "../ids.ts";
import { redactSecrets } from "../observability/log-redaction.rules.ts";
import { withProviders } from "./cli-deps.ts";
import { type CliIo, type Command, exitCodes, UsageError } from "./command.ts";

/** The recipient id a test message carries (no such recipient exists; the portal never uses this id). */
export const TEST_RECIPIENT_ID = "herald-operator-test";

/**
 * Runs one provider call the way the workers do (same timeout), then prints the provider's message id on stdout,
 * or the failure as the delivery engine would classify it on stderr. Resolves with the exit code.
 */
export async function sendTestMessage(
  deps: Pick<Deps, "config">,
  io: CliIo,
  what: string,
  provider: string,
  send: (signal: AbortSignal) => Promise<{ providerMessageId: string | null }>,
): Promise<number> {
  try {
    const receipt = await send(AbortSignal.timeout(deps.config.HERALD_PROVIDER_TIMEOUT_MS));
    io.err(
      `Sent a test ${what} through '${provider}'${provider === "outbox" ? " (captured in the outbox, not delivered)" : ""}. Provider message id:`,
    );
    io.out(receipt.providerMessageId ?? "(none)");
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const failure = classifyFailure({
      code: error.code,
      message: error.message,
      httpStatus: error.httpStatus,
    });
    io.err(
      `Test ${what} through '${provider}' failed: ${failure.kind} (${failure.code}; provider code ${error.code}${error.httpStatus ? `, HTTP ${error.httpStatus}` : ""})`,
    );
    io.err(`  ${redactSecrets(error.message)}`);
    io.err(failureAdvice[failure.kind]);
    return exitCodes.failure;
  }
}

const failureAdvice = {
  retryable:
    "  Temporary: the provider was throttling, slow or unreachable. Try again; workers retry such failures themselves.",
  permanent:
    "  Permanent: the provider refused this message or address (unverified identity, sandbox, opted out, invalid).",
  account:
    "  Account: nothing can be sent on this channel until an operator acts (credentials, sending paused, quota).",
} as const;

const email = z.string().email();

/**
 * `herald test-email <address>`: one real email through the configured provider (the seeds' `test_ses`), to
 * check credentials, the verified sender identity and the sandbox. `open` supplies the deps (tests pass theirs).
 */
export function createTestEmailCommand(open: typeof withProviders = withProviders): Command {
  return {
    name: "test-email",
    summary: "Send a test email through the configured provider and print its message id",
    usage: [
      "herald test-email <address>",
      "    stdout: the provider's message id; exit 1 with the classified error if the provider refuses",
    ],
    async run(args, { config, io }) {
      if (args.length !== 1 || !email.safeParse(args[0]).success)
        throw new UsageError("give one email address");
      const [to] = args as [string];
      return open(config(), async (deps) => {
        const [branding, now] = [await getBranding(deps), deps.clock.now()];
        const sentAt = new Date(now).toISOString();
        const text = `This is a test email from ${branding.companyName}, sent by 'herald test-email' at ${sentAt}. If you can read it, email notifications reach you. No action is needed.`;
        return sendTestMessage(deps, io, "email", deps.providers.email.name, (signal) =>
          deps.providers.email.sendEmail(
            {
              deliveryId: `test-${newId(now)}`,
              recipientId: TEST_RECIPIENT_ID,
              to,
              from: { name: branding.fromName, address: deps.config.HERALD_EMAIL_FROM },
              subject: `Test email from ${branding.companyName}`,
              html: `<p>${text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`,
              text,
              unsubscribeUrl: unsubscribeUrl(
                deps.config.HERALD_PUBLIC_URL,
                deps.tokenSecret,
                TEST_RECIPIENT_ID,
              ),
              date: now,
            },
            signal,
          ),
        );
      });
    },
  };
}

/** The registered `herald test-email` command. */
export const testEmailCommand = createTestEmailCommand();
