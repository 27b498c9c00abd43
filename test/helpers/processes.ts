import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

/** The repository root (where scripts/ and litestream.yml live). */
export const ROOT = join(import.meta.dir, "../..");

/** A process started in its own process group, with its combined output kept for assertions and failures. */
export interface GroupProcess {
  readonly pid: number;
  /** Resolves when it exits: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it (and its children) printed so far. */
  output(): string;
  /** Sends `signal` to the whole process group (the supervisor, Litestream and Herald). */
  killGroup(signal: NodeJS.Signals): void;
}

/** Starts `command` detached into a new process group, so a test can kill the whole tree at once. */
export function startGroup(command: string[], env: Record<string, string | undefined>): GroupProcess {
  const [file, ...args] = command as [string, ...string[]];
  const child: ChildProcess = spawn(file, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    text += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${file}`);
  return {
    pid,
    exited,
    output: () => text,
    killGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is already gone.
      }
    },
  };
}

/**
 * Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. Fails early when `process`
 * exits first, with its output, so a broken start shows why.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; process?: GroupProcess },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let exited = false;
  void options.process?.exited.then(() => {
    exited = true;
  });
  while (performance.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (exited) throw new Error(`process exited while waiting for ${what}:\n${options.process?.output()}`);
    await Bun.sleep(20);
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${what}\n${options.process?.output() ?? ""}`,
  );
}

/** Resolves once `GET base/health/ready` answers 200. */
export function waitReady(base: string, process: GroupProcess, timeoutMs = 30_000): Promise<true> {
  return pollUntil(
    "/health/ready",
    async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined),
    { timeoutMs, process },
  );
}

export { freePort } from "../../scripts/tools.ts";
