#!/usr/bin/env bun
/**
 * `herald`: operator commands (`herald help` lists them). Each command group is a module under src/cli/,
 * registered in src/cli/commands.ts. Exit codes: 0 ok, 1 failed, 64 bad arguments, 78 bad configuration.
 */
import { type CliIo, type Command, exitCodes, UsageError } from "./cli/command.ts";
import { commands } from "./cli/commands.ts";
import { overview, usageOf } from "./cli/help.command.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { AppError } from "./errors.ts";

/** The terminal: results on stdout, messages on stderr. */
const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
};

const isParseArgsError = (error: unknown) =>
  error instanceof TypeError && String((error as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS");

/** Runs `herald <argv>` and resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo, env = process.env): Promise<number> {
  const [first = "help", ...args] = argv;
  const name = first === "--help" || first === "-h" ? "help" : first;
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`herald: unknown command '${name}'\n`);
    io.err(overview(commands));
    return exitCodes.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(usageOf(command));
    return exitCodes.ok;
  }
  let config: Config | undefined;
  try {
    return await command.run(args, { io, env, config: () => (config ??= loadConfig(env)) });
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`herald ${name}: ${(error as Error).message}\n`);
      io.err(usageOf(command));
      return exitCodes.usage;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return exitCodes.config;
    }
    if (error instanceof AppError) {
      io.err(`herald ${name}: ${error.message}`);
      return exitCodes.failure;
    }
    io.err(
      `herald ${name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return exitCodes.failure;
  }
}

if (import.meta.main) process.exit(await runCli(process.argv.slice(2)));
