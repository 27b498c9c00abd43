/**
 * A real libSQL server (sqld 0.24, what Turso runs) for the suites that run on it as well as on a local file
 * (`npm run test:sqld`, part of `npm test`): one server per database, on a free loopback port, with its data in
 * a temp directory, stopped when the test file ends.
 */
import { afterAll } from "bun:test";
import { join } from "node:path";
import { freePort } from "./processes.ts";
import { findTool, SQLD } from "./requires-tool.ts";
import { tempDir } from "./temp-dir.ts";

/** True when this test run is the sqld pass (`HERALD_TEST_DB=sqld`). */
export const onSqld = process.env.HERALD_TEST_DB === "sqld";

/** A started sqld: its URL for DATABASE_URL, and how to stop it (also done after the file's tests). */
export interface Sqld {
  url: string;
  /** Its data directory (`--db-path`). */
  dataDir: string;
  /** Its combined output so far (kept only when `keepOutput`). */
  output(): string;
  /** SIGTERM (sqld then finishes its work, a bottomless upload included) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How to start it: by default an empty temp directory and no extra flags. */
export interface SqldOptions {
  dataDir?: string;
  /** More flags (`--auth-jwt-key-file`, `--enable-bottomless-replication`, …). */
  args?: string[];
  env?: Record<string, string>;
  keepOutput?: boolean;
}

/** Starts sqld and waits until it answers its health check (at most 10 s). */
export async function startSqld(options: SqldOptions = {}): Promise<Sqld> {
  const path = findTool(SQLD);
  if (!path) throw new Error(`sqld not found at ${SQLD.command}; install it: ${SQLD.install}`);
  const port = freePort();
  const dataDir = options.dataDir ?? join(tempDir("herald-sqld-"), "data");
  const proc = Bun.spawn(
    [path, "--db-path", dataDir, "--http-listen-addr", `127.0.0.1:${port}`, ...(options.args ?? [])],
    {
      stdout: options.keepOutput ? "pipe" : "ignore",
      stderr: options.keepOutput ? "pipe" : "ignore",
      env: { ...process.env, RUST_LOG: options.keepOutput ? "info" : "error", ...options.env },
    },
  );
  let text = "";
  const drain = async (stream: ReadableStream<Uint8Array> | number | undefined | null) => {
    if (!(stream instanceof ReadableStream)) return;
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  const http = `http://127.0.0.1:${port}`;
  // Clients speak Hrana over WebSockets, what the README recommends (`libsql://`/`ws://`): per statement it is
  // about twice as fast as Hrana over HTTP.
  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`${http}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (proc.exitCode !== null)
      throw new Error(`sqld exited with ${proc.exitCode} before answering:\n${text}`);
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`sqld did not answer within 10 s:\n${text}`);
    }
    await Bun.sleep(20);
  }
  let stopped: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    stopped ??= (async () => {
      proc.kill(signal);
      await proc.exited;
    })();
    return stopped;
  };
  afterAll(() => stop());
  return { url, dataDir, output: () => text, stop };
}
