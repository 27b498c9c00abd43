import { getBranding } from "../domain/branding/branding.service.ts";
import { newId } from "../ids.ts";
import { withProviders } from "./cli-deps.ts";
import { type Command, UsageError } from "./command.ts";
import { sendTestMessage, TEST_RECIPIENT_ID } from "./test-email.command.ts";

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * `herald test-sms <+E.164>`: one real SMS through the configured provider (the seeds' `test_sns`), to check
 * credentials, the account's SMS sandbox and spend limit, and the sender id. One GSM-7 segment, so it costs the
 * least an SMS can. `open` supplies the deps (tests pass theirs).
 */
export function createTestSmsCommand(open: typeof withProviders = withProviders): Command {
  return {
    name: "test-sms",
    summary: "Send a test SMS through the configured provider and print its message id",
    usage: [
      "herald test-sms <+E.164 number>",
      "    stdout: the provider's message id; exit 1 with the classified error if the provider refuses",
    ],
    async run(args, { config, io }) {
      if (args.length !== 1 || !E164.test(args[0] ?? ""))
        throw new UsageError("give one phone number in E.164 form, like +15555550100");
      const [to] = args as [string];
      return open(config(), async (deps) => {
        const [branding, now] = [await getBranding(deps), deps.clock.now()];
        const text = `${branding.companyName}: test message. If you can read it, SMS notifications reach you.`;
        return sendTestMessage(deps, io, "SMS", deps.providers.sms.name, (signal) =>
          deps.providers.sms.sendSms(
            { deliveryId: `test-${newId(now)}`, recipientId: TEST_RECIPIENT_ID, to, text },
            signal,
          ),
        );
      });
    },
  };
}

/** The registered `herald test-sms` command. */
export const testSmsCommand = createTestSmsCommand();
