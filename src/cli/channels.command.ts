import { parseArgs } from "node:util";
import { CHANNELS, type Channel } from "../channels/types.ts";
import { type ChannelState, channelStates, resumeChannel } from "../delivery/channel-pauses.service.ts";
import { withDeps } from "./cli-deps.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";

/**
 * `herald channels [resume <channel>]`: which channels an account-level provider error has paused, and resuming
 * one by hand once the account is fixed. A running server resumes within about a second.
 */
export const channelsCommand: Command = {
  name: "channels",
  summary: "Show paused channels; resume one once the provider account is fixed",
  usage: [
    "herald channels [--json]                  email and SMS: sending, or paused (why, until when)",
    "herald channels resume email|sms [--json] end the pause now (a running server follows within ~1 s)",
  ],
  async run(args, { config, io }) {
    const [action, ...rest] = args;
    if (action === undefined || action.startsWith("--")) {
      const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
      const states = await withDeps(config(), (deps) => channelStates(deps));
      printStates(states, values.json, io);
      return 0;
    }
    if (action !== "resume")
      throw new UsageError(`unknown action '${action}'; use: herald channels [resume <channel>]`);
    const { values, positionals } = parseArgs({
      args: rest,
      options: { json: { type: "boolean" } },
      allowPositionals: true,
    });
    const channel = positionals[0];
    if (positionals.length !== 1 || !CHANNELS.includes(channel as Channel)) {
      throw new UsageError("give one channel: herald channels resume email|sms");
    }
    const result = await withDeps(config(), (deps) => resumeChannel(deps, channel as Channel, "cli"));
    if (values.json) io.out(JSON.stringify(result));
    else io.out(result.resumed ? `${channel}: resumed` : `${channel}: was not paused; nothing changed`);
    return 0;
  },
};

function printStates(states: ChannelState[], json: boolean | undefined, io: CliIo) {
  if (json) {
    io.out(JSON.stringify(states));
    return;
  }
  for (const { channel, paused } of states) {
    io.out(
      paused
        ? `${channel}: paused until ${new Date(paused.until).toISOString()} (${paused.code}: ${paused.message}); resume: herald channels resume ${channel}`
        : `${channel}: sending`,
    );
  }
}
