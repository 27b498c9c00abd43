/**
 * wrk (closed loop: a connection sends its next request only after the answer) driven by a Lua script, with
 * its result read back as JSON, and the request scripts the benchmarks share. Used by `scripts/bench.ts` and
 * `scripts/bench-scale.ts`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
  requests: number;
}

export interface WrkRun {
  /** Names the Lua file written to `dir`. */
  name: string;
  base: string;
  lua: string;
  seconds: number;
  connections: number;
  threads?: number;
  /** Where the Lua script is written. */
  dir: string;
}

/** Runs wrk once and returns requests per second, latency percentiles and error counts. */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const script = join(
    run.dir,
    `${run.name.replace(/\W+/g, "-")}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.lua`,
  );
  writeFileSync(
    script,
    `${run.lua}
math.randomseed(os.time())
done = function(summary, latency, requests)
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"errors":%d,"status":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errs, summary.errors.status))
end
`,
  );
  const proc = Bun.spawn(
    [
      "wrk",
      `-t${run.threads ?? 2}`,
      `-c${run.connections}`,
      `-d${run.seconds}s`,
      "--latency",
      "-s",
      script,
      run.base,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(line.slice(7)) as {
    requests: number;
    seconds: number;
    p50: number;
    p99: number;
    errors: number;
    status: number;
  };
  return {
    rps: r.requests / r.seconds,
    p50ms: r.p50,
    p99ms: r.p99,
    non2xx: r.status,
    errors: r.errors,
    requests: r.requests,
  };
}

/** Lua: the bearer key and JSON content type on every request. */
export const luaAuth = (key: string) =>
  `wrk.headers["Authorization"] = "Bearer ${key}"\nwrk.headers["Content-Type"] = "application/json"`;
/** Lua: `pick()` returns one of `ids` at random. */
export const luaList = (ids: string[]) =>
  `local ids = {${ids.map((id) => JSON.stringify(id)).join(",")}}\nlocal function pick() return ids[math.random(1, #ids)] end`;
/** Lua: `body()`, a HIGH repair-approved notification about a fresh repair (a random id up to 1e9) to `pick()`. */
export const luaNotification = `
local function body()
  local repair = "R-" .. math.random(1, 1000000000)
  return '{"recipientId":"' .. pick() .. '","template":"repair-approved","priority":"HIGH","subject":{"type":"repair","id":"' .. repair ..
    '"},"context":{"repair":{"id":"' .. repair .. '","title":"Replace compressor","address":"12 Main St, Springfield"},"technician":{"name":"Alex Rivera"},"customer":{"name":"Dana Whitfield"},"approvedBy":"Sam Ortiz","scheduledFor":"Tuesday 9:00"}}'
end`;
/** Lua: POST `body()` to `path` with `key`, to a random recipient of `ids`. */
export const postLua = (key: string, path: string, ids: string[]) =>
  `${luaAuth(key)}\n${luaList(ids)}\n${luaNotification}\nwrk.method = "POST"\nrequest = function() return wrk.format(nil, "${path}", nil, body()) end`;
/** Lua: GET the path the Lua expression `pathExpr` builds, with `key`. */
export const getLua = (key: string, pathExpr: string, ids: string[]) =>
  `${luaAuth(key)}\n${luaList(ids)}\nrequest = function() return wrk.format("GET", ${pathExpr}) end`;
