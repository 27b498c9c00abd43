/**
 * Open-loop load generator for `scripts/bench.ts`, run in its own process: `bun scripts/bench-load.ts <spec.json>`.
 *
 * wrk is closed-loop (a connection sends its next request only after the answer), so a slow server lowers the
 * offered rate and hides its own queueing. Here every stream fires on a fixed schedule (request n of a stream at
 * start + n / rate) and never waits for answers; latency counts from the scheduled time, so a late send (this
 * process falling behind) counts against the server, not in its favour (no coordinated omission).
 * Writes the results as JSON to `spec.out`.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** One stream of requests at a constant rate. */
export interface StreamSpec {
  name: string;
  /** Requests per second. */
  rate: number;
  method: "GET" | "POST";
  /** Paths, used in turn; `{recipient}` is replaced by the next recipient, `{seq}` by the request's number. */
  paths: string[];
  /** For POST: a HIGH `repair-approved` notification about repair `BENCH-<seq>` (a fresh subject every time). */
  notification?: { lowEvery?: number };
  /** Keep each request's scheduled send time (epoch ms), to match provider calls by `BENCH-<seq>`. */
  recordSendTimes?: boolean;
  /** Send without the API key (health probes). */
  anonymous?: boolean;
  /** The number of this stream's first request (default 0), so a warm-up and a measured run never share one. */
  firstSeq?: number;
  /** Recipients this stream uses in turn (default: the spec's). */
  recipients?: string[];
}

/** What `scripts/bench.ts` hands over. */
export interface LoadSpec {
  base: string;
  apiKey: string;
  seconds: number;
  recipients: string[];
  streams: StreamSpec[];
  out: string;
}

/** One stream's outcome. */
export interface StreamResult {
  name: string;
  offered: number;
  sent: number;
  answered: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** How far behind schedule sends went out (this process's own lag), ms. */
  maxSendDelayMs: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  /** Scheduled send time (epoch ms) of request `firstSeq + i`, when `recordSendTimes`. */
  sendTimes?: number[];
}

/** The `q`-th percentile (0-100) of sorted values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))] as number;
}

const context = (seq: number) => ({
  repair: { id: `BENCH-${seq}`, title: "Replace compressor", address: "12 Main St, Springfield" },
  technician: { name: "Alex Rivera" },
  customer: { name: "Dana Whitfield" },
  approvedBy: "Sam Ortiz",
  scheduledFor: "Tuesday 9:00",
});

async function run(spec: LoadSpec): Promise<StreamResult[]> {
  const epoch = () => performance.timeOrigin + performance.now();
  const authHeaders = { authorization: `Bearer ${spec.apiKey}`, "content-type": "application/json" };
  const inFlight = new Set<Promise<void>>();

  const streams = spec.streams.map((s) => ({
    spec: s,
    recipients: s.recipients ?? spec.recipients,
    recipientTurn: 0,
    next: 0,
    offered: Math.floor(s.rate * spec.seconds),
    latencies: [] as number[],
    statuses: {} as Record<string, number>,
    errors: 0,
    maxSendDelayMs: 0,
    sendTimes: s.recordSendTimes
      ? new Array<number>(Math.floor(s.rate * spec.seconds)).fill(Number.NaN)
      : undefined,
  }));

  function fire(stream: (typeof streams)[number], index: number, scheduledAt: number) {
    const s = stream.spec;
    const seq = (s.firstSeq ?? 0) + index;
    const nextRecipient = () =>
      stream.recipients[stream.recipientTurn++ % stream.recipients.length] as string;
    const template = s.paths[index % s.paths.length] as string;
    const path = (
      template.includes("{recipient}") ? template.replace("{recipient}", nextRecipient()) : template
    ).replace("{seq}", String(seq));
    let body: string | undefined;
    if (s.notification) {
      const low = s.notification.lowEvery !== undefined && seq % s.notification.lowEvery === 0;
      body = JSON.stringify({
        recipientId: nextRecipient(),
        template: "repair-approved",
        priority: low ? "LOW" : "HIGH",
        subject: { type: "repair", id: `BENCH-${seq}` },
        context: context(seq),
      });
    }
    if (stream.sendTimes) stream.sendTimes[index] = scheduledAt;
    const request = fetch(`${spec.base}${path}`, {
      method: s.method,
      headers: s.anonymous ? undefined : authHeaders,
      body,
    })
      .then(async (response) => {
        await response.arrayBuffer();
        stream.latencies.push(epoch() - scheduledAt);
        stream.statuses[response.status] = (stream.statuses[response.status] ?? 0) + 1;
      })
      .catch(() => {
        stream.errors++;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }

  const started = epoch();
  const end = started + spec.seconds * 1000;
  for (;;) {
    const now = epoch();
    let pending = false;
    for (const stream of streams) {
      const due = Math.min(stream.offered, Math.floor(((now - started) * stream.spec.rate) / 1000) + 1);
      while (stream.next < due) {
        const scheduledAt = started + (stream.next * 1000) / stream.spec.rate;
        stream.maxSendDelayMs = Math.max(stream.maxSendDelayMs, now - scheduledAt);
        fire(stream, stream.next++, scheduledAt);
      }
      if (stream.next < stream.offered) pending = true;
    }
    if (!pending || now > end + 5_000) break;
    await Bun.sleep(1);
  }
  // Answers still due get 30 s; what has not come back by then counts as an error.
  await Promise.race([Promise.all(inFlight), Bun.sleep(30_000)]);

  return streams.map((stream) => {
    const sorted = Float64Array.from(stream.latencies).sort();
    const ok = Object.entries(stream.statuses).reduce(
      (n, [status, count]) => (status.startsWith("2") ? n + count : n),
      0,
    );
    return {
      name: stream.spec.name,
      offered: stream.offered,
      sent: stream.next,
      answered: stream.latencies.length,
      ok,
      non2xx: stream.latencies.length - ok,
      errors: stream.errors + (stream.next - stream.latencies.length - stream.errors),
      maxSendDelayMs: stream.maxSendDelayMs,
      p50ms: percentile(sorted, 50),
      p99ms: percentile(sorted, 99),
      maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      statuses: stream.statuses,
      ...(stream.sendTimes ? { sendTimes: stream.sendTimes } : {}),
    };
  });
}

if (import.meta.main) {
  const spec = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as LoadSpec;
  const results = await run(spec);
  writeFileSync(spec.out, JSON.stringify(results));
  process.exit(0);
}
