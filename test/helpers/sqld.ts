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
  stop(): Promise<void>;
}

/** Starts sqld and waits until it answers its health check (at most 10 s). */
export async function startSqld(): Promise<Sqld> {
  const path = findTool(SQLD);
  if (!path) throw new Error(`sqld not found at ${SQLD.command}; install it: ${SQLD.install}`);
  const port = freePort();
  const proc = Bun.spawn(
    [path, "--db-path", join(tempDir("herald-sqld-"), "data"), "--http-listen-addr", `127.0.0.1:${port}`],
    { stdout: "ignore", stderr: "ignore", env: { ...process.env, RUST_LOG: "error" } },
  );
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
    if (proc.exitCode !== null) throw new Error(`sqld exited with ${proc.exitCode} before answering`);
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error("sqld did not answer within 10 s");
    }
    await Bun.sleep(20);
  }
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      proc.kill("SIGTERM");
      await proc.exited;
    })();
    return stopped;
  };
  afterAll(stop);
  return { url, stop };
}
