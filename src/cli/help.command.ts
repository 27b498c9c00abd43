import { type Command, UsageError } from "./command.ts";

/** `herald help [command]`: the list from `commands()`, or one command's usage. */
export const helpCommand = (commands: () => Command[]): Command => ({
  name: "help",
  summary: "Show the commands, or one command's usage",
  usage: ["herald help [command]"],
  async run([name], { io }) {
    const command = name ? commands().find((c) => c.name === name) : undefined;
    if (name && !command) throw new UsageError(`unknown command '${name}'`);
    io.out(command ? usageOf(command) : overview(commands()));
    return 0;
  },
});

/** Every command with its summary. */
export function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: herald <command> [arguments]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Configuration comes from the environment (DATABASE_URL, …), as for the server. 'herald help <command>' for details.",
  ].join("\n");
}

/** One command's usage. */
export function usageOf(command: Command): string {
  return [`${command.summary}.`, "", "Usage:", ...command.usage.map((line) => `  ${line}`)].join("\n");
}
