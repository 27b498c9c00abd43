/**
 * What a lost sqld machine loses: sqld with bottomless replication to S3 (moto's S3 API on loopback) takes
 * timestamped writes (one every ~10 ms) for `--seconds`, is SIGKILLed, and a new sqld on an empty disk restores
 * from the bucket. Prints how long before the kill the last restored write was (the recovery point), for sqld's
 * default upload interval and for LIBSQL_BOTTOMLESS_BATCH_INTERVAL_SECS=1, `--runs` times each.
 *
 *   bun scripts/bench-sqld-rpo.ts [--seconds 5] [--runs 2]
 *
 * Needs sqld (`npm run tools:sqld`) and moto_server.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@libsql/client";
import { answers, freePort, SQLD_BIN, waitUntil } from "./tools.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, runs: { type: "string", default: "2" } },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);

const s3Port = freePort();
const s3 = Bun.spawn(["moto_server", "-H", "127.0.0.1", "-p", String(s3Port)], {
  stdout: "ignore",
  stderr: "ignore",
});
await waitUntil("moto's S3 server", () => answers(`http://127.0.0.1:${s3Port}/`), 20_000);
await fetch(`http://127.0.0.1:${s3Port}/herald-rpo`, { method: "PUT" });

/** One crash: the recovery point in ms (null when nothing could be restored) and the rows restored. */
async function crash(interval: string | null): Promise<{ rpoMs: number | null; rows: number }> {
  const env = {
    ...process.env,
    RUST_LOG: "error",
    LIBSQL_BOTTOMLESS_BUCKET: "herald-rpo",
    LIBSQL_BOTTOMLESS_ENDPOINT: `http://127.0.0.1:${s3Port}`,
    LIBSQL_BOTTOMLESS_AWS_DEFAULT_REGION: "us-east-1",
    LIBSQL_BOTTOMLESS_AWS_ACCESS_KEY_ID: "AKIDRPO",
    LIBSQL_BOTTOMLESS_AWS_SECRET_ACCESS_KEY: "rpo-secret",
    // A fresh database name per crash, so no run restores another's backup.
    LIBSQL_BOTTOMLESS_DATABASE_ID: `rpo-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    ...(interval === null ? {} : { LIBSQL_BOTTOMLESS_BATCH_INTERVAL_SECS: interval }),
  };
  const start = async (dir: string) => {
    const port = freePort();
    rmSync(dir, { recursive: true, force: true });
    const proc = Bun.spawn(
      [
        SQLD_BIN,
        "--db-path",
        dir,
        "--http-listen-addr",
        `127.0.0.1:${port}`,
        "--enable-bottomless-replication",
      ],
      { env, stdout: "ignore", stderr: "ignore" },
    );
    await waitUntil("sqld", () => answers(`http://127.0.0.1:${port}/health`), 20_000);
    return { proc, url: `ws://127.0.0.1:${port}` };
  };
  const first = await start(join(tmpdir(), "herald-rpo-1"));
  const writer = createClient({ url: first.url });
  await writer.execute("CREATE TABLE t (at INTEGER)");
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    await writer.execute({ sql: "INSERT INTO t VALUES (?)", args: [Date.now()] });
    await Bun.sleep(10);
  }
  const killedAt = Date.now();
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  writer.close();

  const second = await start(join(tmpdir(), "herald-rpo-2"));
  const reader = createClient({ url: second.url });
  try {
    const { rows } = await reader.execute("SELECT max(at) AS last, count(*) AS n FROM t");
    const last = Number(rows[0]?.last);
    return { rpoMs: killedAt - last, rows: Number(rows[0]?.n) };
  } catch {
    return { rpoMs: null, rows: 0 }; // not even the table came back
  } finally {
    reader.close();
    second.proc.kill("SIGKILL");
  }
}

try {
  console.log(`sqld with bottomless replication to S3, writes every ~10 ms for ${SECONDS} s, then SIGKILL:`);
  for (const interval of [null, "1"]) {
    const results = [];
    for (let run = 0; run < RUNS; run++) results.push(await crash(interval));
    const shown = results.map((r) =>
      r.rpoMs === null ? "nothing restored" : `${r.rpoMs} ms (${r.rows} rows)`,
    );
    console.log(
      `  ${interval === null ? "default interval" : `LIBSQL_BOTTOMLESS_BATCH_INTERVAL_SECS=${interval}`}: last restored write before the kill: ${shown.join(", ")}`,
    );
  }
} finally {
  s3.kill();
}
