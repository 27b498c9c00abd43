import type { Config } from "../config.ts";

/** Where a command writes: stdout for results (what scripts capture), stderr for messages to the operator. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (tables for people, plain output for pipes). */
  readonly isTTY: boolean;
}

/** One `herald <name>` command group. Register it in `src/cli/commands.ts`. */
export interface Command {
  name: string;
  /** One line for `herald help`. */
  summary: string;
  /** Usage lines, shown by `herald help <name>` and after a usage error. */
  usage: string[];
  /** Runs with the arguments after the command name; resolves with the process exit code. */
  run(args: string[], context: CommandContext): Promise<number>;
}

/** What a command runs with. */
export interface CommandContext {
  io: CliIo;
  /** The validated configuration (loaded on first use, so `herald help` works with a broken environment). */
  config(): Config;
  /**
   * The environment the CLI started with, only to hand on to child processes (Litestream reads its replica
   * settings from it, as it does under the supervisor). Herald's own settings come from `config()`.
   */
  env: Record<string, string | undefined>;
}

/** Thrown for bad arguments: the dispatcher prints the message and the command's usage, and exits 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit codes from sysexits(3), so wrappers can tell usage and configuration errors from failures. */
export const exitCodes = { ok: 0, failure: 1, usage: 64, config: 78 } as const;
