import { afterAll } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";

/** The repository root (children run from here, as `npm start` does). */
export const ROOT = join(import.meta.dir, "../..");

/** Lines of a child's stream as they arrive, with a way to wait for one. */
export class LineReader {
  readonly lines: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.pump(stream);
  }

  private async pump(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        this.push(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
      }
    }
    if (buffered) this.push(buffered);
  }

  private push(line: string) {
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** The first line (already read or still to come) matching `match`; rejects if the stream ends first. */
  waitFor(match: (line: string) => boolean, what = "a matching line"): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      this.done.then(() => reject(new Error(`stream ended before ${what}:\n${this.lines.join("\n")}`)));
    });
  }
}

/** A child process started by a test. */
export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  stdout: LineReader;
  stderr: LineReader;
}

/** Starts `bun <args>` from the repository root with `env` added to the environment; killed after the file. */
export function spawnBun(args: string[], env: Record<string, string> = {}): Child {
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  // When the scope that started it ends (test, describe or file), kill it if a failed test left it running.
  afterAll(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  return { proc, stdout: new LineReader(proc.stdout), stderr: new LineReader(proc.stderr) };
}

/** A running `src/main.ts` (or `herald serve`) process. */
export interface ServerProcess extends Child {
  url: string;
  /** The JSON log lines printed so far. */
  logs(): Record<string, unknown>[];
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Options for {@link startServer}. */
export interface ServerOptions {
  databaseUrl: string;
  adminKey?: string;
  env?: Record<string, string>;
  /** What to run (default the server entry, `src/main.ts`). */
  args?: string[];
}

/**
 * Starts the real server on a free port (PORT=0; the port is read from the "herald listening" log line) and
 * resolves once `GET /health` answers 200.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const child = spawnBun(options.args ?? ["src/main.ts"], {
    PORT: "0",
    DATABASE_URL: options.databaseUrl,
    HERALD_LOG_LEVEL: "info",
    ...(options.adminKey ? { HERALD_ADMIN_KEY: options.adminKey } : {}),
    ...options.env,
  });
  const logs = () =>
    child.stdout.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const listening = await Promise.race([
    child.stdout
      .waitFor((line) => line.includes('"herald listening"'), "the server listening")
      .catch(async (error: Error) => {
        // Its stdout ended first: say why it exited, from its stderr.
        await child.proc.exited;
        await child.stderr.done;
        throw new Error(`${error.message}\nstderr:\n${child.stderr.lines.join("\n")}`);
      }),
    child.proc.exited.then((code) => {
      throw new Error(`server exited with ${code} before listening:\n${child.stderr.lines.join("\n")}`);
    }),
  ]);
  const url = `http://127.0.0.1:${(JSON.parse(listening) as { port: number }).port}`;
  await waitUntilHealthy(url);
  return {
    ...child,
    url,
    logs,
    async stop(signal = "SIGTERM") {
      child.proc.kill(signal);
      const code = await child.proc.exited;
      await child.stdout.done;
      return code;
    },
  };
}

/** Polls `GET /health` until it answers 200 (or throws after `timeoutMs`). */
export async function waitUntilHealthy(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not accepting connections yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/health did not answer 200 within ${timeoutMs} ms`);
    await Bun.sleep(delay);
  }
}
