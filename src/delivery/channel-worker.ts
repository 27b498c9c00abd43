/**
 * One channel's worker: claims due deliveries (only as many as the rate limiter and its concurrency allow),
 * marks each send as started, calls the provider with a timeout, and records the result. In the server it
 * runs as a loop (`start`/`stop`); tests drive it one step at a time (`tick`, `runUntilIdle`) on a fixed clock.
 */
import { randomUUID } from "node:crypto";
import { ProviderError, type Channel, type SendReceipt } from "../channels/types.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { ErrorTracker } from "../observability/error-tracker.ts";
import type { HeraldMetrics } from "../observability/herald-metrics.ts";
import { redactSecrets } from "../observability/log-redaction.rules.ts";
import type { AttemptRecorder } from "./attempt-recorder.ts";
import type { BackoffPolicy } from "./backoff.rules.ts";
import { claimDue, hasDue, type LeasedDelivery, markSendStarted, releaseLeases } from "./delivery-queue.repo.ts";
import { classifyFailure, type FailureClass } from "./provider-errors.rules.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { afterAttempt, type AttemptOutcome } from "./transitions.rules.ts";

/** Sends one leased delivery through the channel's provider. */
export interface ChannelSender {
  /** The provider's name, recorded on each attempt. */
  readonly providerName: string;
  /** Composes and sends; resolves with the receipt and the estimated cost, or throws. */
  send(row: LeasedDelivery, signal: AbortSignal): Promise<{ receipt: SendReceipt; costUsd: number }>;
}

/** Tuning of one worker (from config). */
export interface WorkerOptions {
  /** Most deliveries one claim takes. */
  batch: number;
  /** Most deliveries this worker holds leased at once. */
  concurrency: number;
  leaseMs: number;
  /** Provider call limit; must be well under `leaseMs`. */
  timeoutMs: number;
  /** Idle polling interval of the loop. */
  pollMs: number;
  /** How long an account-level error stops the channel. */
  pauseMs: number;
  backoff: BackoffPolicy;
  random: () => number;
  /** This process's id in `lease_owner`. */
  owner: string;
}

/** What a worker needs around it. */
export interface WorkerContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  recorder: AttemptRecorder;
  limiter: RateLimiter;
  sender: ChannelSender;
  metrics: HeraldMetrics;
  /** Unexpected failures of the loop or a batch go here as well as to the log (Sentry when configured). */
  errors: ErrorTracker;
  /**
   * False while provider sends are held (maintenance mode): the worker claims nothing, so deliveries stay
   * queued and nothing is lost. Checked before every claim; must be cheap (a cached read).
   */
  sendingAllowed(): boolean;
}

/** Counters since start, for health and metrics. */
export interface WorkerCounters {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Deliveries sent back to the queue because the channel paused. */
  paused: number;
  /** Results that could not be recorded because the lease had been lost. */
  leaseLost: number;
  throttled: number;
}

/** A worker's state as health checks show it. */
export interface WorkerStatus {
  channel: Channel;
  running: boolean;
  inFlight: number;
  /** Set while an account-level provider error keeps the channel stopped: an operator should look. */
  paused: { until: number; code: string; message: string } | null;
  counters: WorkerCounters;
}

/** The time limit shared by the sends of one batch (they all start together). */
interface Deadline {
  signal: AbortSignal;
  /** Rejects with a `timeout` ProviderError when the time is up. */
  expired: Promise<never>;
  clear(): void;
}

/** A deadline `ms` from now: it aborts the provider calls and stops waiting for them, whichever listens. */
function deadlineIn(ms: number): Deadline {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ProviderError("timeout", `the provider did not answer within ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  expired.catch(() => {}); // observed by the sends still racing it; nobody else must see it as unhandled
  return { signal: controller.signal, expired, clear: () => clearTimeout(timer) };
}

/** The worker of one channel. */
export class ChannelWorker {
  readonly counters: WorkerCounters = { claimed: 0, sent: 0, retried: 0, failed: 0, paused: 0, leaseLost: 0, throttled: 0 };
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private pausedUntil: { until: number; code: string; message: string } | null = null;
  private throttledSinceClaim = false;
  /** The previous claim filled its batch, so more is probably due: claim again without polling first. */
  private busy = false;

  constructor(
    readonly channel: Channel,
    private readonly ctx: WorkerContext,
    private readonly options: WorkerOptions,
  ) {}

  /** Claims once and processes what it claimed to the end. Returns the number of deliveries claimed. */
  async tick(): Promise<number> {
    const rows = await this.claim();
    if (rows.length > 0) await this.process(rows);
    return rows.length;
  }

  /**
   * Ticks until a claim finds nothing it may take (nothing due, the rate limit reached, or the channel paused).
   * Returns the number of deliveries processed.
   */
  async runUntilIdle(): Promise<number> {
    let total = 0;
    for (let n = await this.tick(); n > 0; n = await this.tick()) total += n;
    return total;
  }

  /** Starts the loop (in the server). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Stops claiming, gives back leased deliveries whose send had not started, and waits up to `graceMs` for
   * sends in progress to be recorded. Sends still running after that keep their lease until it expires, and the
   * sweeper applies the ambiguous-send policy to them.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    if (this.batches.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...this.batches]), deadline]);
      clearTimeout(timer);
    }
    // Stopped, not dead: the worker can be started (or ticked) again.
    this.stopping = false;
  }

  /** Current state for health checks. */
  status(): WorkerStatus {
    return {
      channel: this.channel,
      running: this.loop !== null,
      inFlight: this.inFlight,
      paused: this.isPaused() ? this.pausedUntil : null,
      counters: { ...this.counters },
    };
  }

  private isPaused(): boolean {
    return this.pausedUntil !== null && this.ctx.clock.now() < this.pausedUntil.until;
  }

  /** How many deliveries the next claim may take. */
  private capacity(): number {
    if (this.stopping || this.isPaused() || !this.ctx.sendingAllowed()) return 0;
    if (this.throttledSinceClaim) {
      this.throttledSinceClaim = false;
      this.ctx.limiter.drain();
    }
    const wanted = Math.min(this.options.batch, this.options.concurrency - this.inFlight);
    return wanted > 0 ? this.ctx.limiter.available(wanted) : 0;
  }

  private async claim(): Promise<LeasedDelivery[]> {
    const limit = this.capacity();
    if (limit <= 0) return [];
    const { db, clock, limiter } = this.ctx;
    const now = clock.now();
    const token = randomUUID();
    const rows = await db.write((tx) =>
      claimDue(tx, { channel: this.channel, limit, now, leaseMs: this.options.leaseMs, owner: this.options.owner, token }),
    );
    // Only this worker takes from its limiter and nothing drains it while the claim runs (drains wait for the
    // next `capacity()`), so every claimed row gets its grant.
    limiter.take(rows.length);
    this.counters.claimed += rows.length;
    this.busy = rows.length === limit;
    return rows;
  }

  /** Sends the deliveries of one claim and records every result. */
  private async process(rows: LeasedDelivery[]): Promise<void> {
    const { db, clock, logger } = this.ctx;
    // biome-ignore lint/style/noNonNullAssertion: a claim returns at least one row when processed
    const token = rows[0]!.leaseToken;
    const ids = rows.map((r) => r.id);
    this.inFlight += rows.length;
    try {
      if (this.stopping) {
        await db.write((tx) => releaseLeases(tx, token, ids, clock.now()));
        return;
      }
      const now = clock.now();
      const owned = await db.write((tx) => markSendStarted(tx, token, ids, now));
      for (const row of rows) {
        if (!owned.has(row.id)) {
          this.counters.leaseLost++;
          logger.warn("lease lost before sending; not sent", { deliveryId: row.id, channel: this.channel });
        }
      }
      const deadline = deadlineIn(this.options.timeoutMs);
      try {
        await Promise.all(rows.filter((r) => owned.has(r.id)).map((row) => this.attempt(row, deadline)));
      } finally {
        deadline.clear();
      }
    } finally {
      this.inFlight -= rows.length;
      this.wake?.();
    }
  }

  /** One provider call and its recorded result. */
  private async attempt(row: LeasedDelivery, deadline: Deadline): Promise<void> {
    const { clock, logger, recorder, sender } = this.ctx;
    const started = performance.now();
    let receipt: SendReceipt | null = null;
    let costUsd = 0;
    let failure: FailureClass | null = null;
    let error: ProviderError | null = null;
    try {
      ({ receipt, costUsd } = await Promise.race([sender.send(row, deadline.signal), deadline.expired]));
    } catch (thrown) {
      error =
        thrown instanceof ProviderError
          ? thrown
          : new ProviderError((thrown as Error)?.name ?? "Error", String((thrown as Error)?.message ?? thrown));
      failure = classifyFailure(error);
    }
    const durationMs = performance.now() - started;
    this.ctx.metrics.providerCallDuration.observe(
      { channel: this.channel, provider: sender.providerName, result: failure ? "error" : "ok" },
      durationMs / 1000,
    );
    const outcome: AttemptOutcome = failure ? { ok: false, failure } : { ok: true };
    const transition = afterAttempt(row, outcome, clock.now(), this.options.backoff, this.options.random);
    if (failure?.throttled) {
      this.throttledSinceClaim = true;
      this.counters.throttled++;
    }
    if (failure?.kind === "account" && error) this.pause(failure.code, error.message);

    const status =
      transition.status === "sent"
        ? "sent"
        : failure?.kind === "account"
          ? "paused"
          : transition.status === "queued"
            ? "retry"
            : "failed";
    const owned = await recorder.record({
      delivery: row,
      transition,
      provider: sender.providerName,
      providerMessageId: receipt?.providerMessageId ?? null,
      status,
      errorCode: failure?.code ?? null,
      errorMessage: error?.message ?? null,
      durationMs,
      costUsd: transition.status === "sent" ? costUsd : 0,
    });
    if (!owned) {
      this.counters.leaseLost++;
      logger.warn("lease lost before the result was recorded", { deliveryId: row.id, channel: this.channel, status });
      return;
    }
    if (status === "sent") this.counters.sent++;
    else if (status === "retry") this.counters.retried++;
    else if (status === "paused") this.counters.paused++;
    else this.counters.failed++;
    this.countOutcome(row, status, costUsd);
    if (failure && status !== "paused") {
      logger.info("delivery attempt failed", {
        deliveryId: row.id,
        channel: this.channel,
        attempt: row.attempts,
        code: failure.code,
        next: transition.status,
      });
    }
  }

  /** Metrics of one recorded result: a paused delivery went back to the queue, so it counts as retried. */
  private countOutcome(row: LeasedDelivery, status: "sent" | "retry" | "paused" | "failed", costUsd: number): void {
    const { metrics, clock } = this.ctx;
    const outcome = status === "sent" ? "sent" : status === "failed" ? "failed" : "retried";
    metrics.deliveries.inc({ channel: this.channel, outcome, reason: "" });
    if (status !== "sent") return;
    metrics.deliveryLatency.observe({ channel: this.channel }, Math.max(0, clock.now() - row.dueAt) / 1000);
    if (this.channel === "sms") metrics.smsCost.inc({}, costUsd);
  }

  /** Stops claiming on this channel for `pauseMs` and raises the alert. */
  private pause(code: string, message: string): void {
    const until = this.ctx.clock.now() + this.options.pauseMs;
    const alreadyPaused = this.isPaused();
    this.pausedUntil = { until, code, message };
    if (!alreadyPaused) {
      this.ctx.logger.error("channel paused: the provider refuses every message on this account", {
        alert: "channel-paused",
        channel: this.channel,
        code,
        until: new Date(until).toISOString(),
      });
    }
  }

  private async run(): Promise<void> {
    const { db, clock, logger, limiter } = this.ctx;
    while (!this.stopping) {
      try {
        const capacity = this.capacity();
        if (capacity > 0 && (this.busy || (await hasDue(db.read, this.channel, clock.now())))) {
          const rows = await this.claim();
          if (rows.length > 0) {
            this.track(this.process(rows));
            continue;
          }
        }
        const now = clock.now();
        let delay = this.options.pollMs;
        if (this.isPaused()) delay = Math.min((this.pausedUntil?.until ?? now) - now, 60_000);
        else if (capacity <= 0 && this.inFlight < this.options.concurrency) delay = Math.max(1, limiter.nextFreeAt() - now);
        await this.sleep(delay);
      } catch (error) {
        logger.error("delivery worker step failed", {
          channel: this.channel,
          error: (error as Error).name,
          message: redactSecrets(String((error as Error).message)),
        });
        this.ctx.errors.capture(error, { channel: this.channel, part: "worker-loop" });
        await this.sleep(1000);
      }
    }
  }

  private track(batch: Promise<void>): void {
    const tracked = batch.catch((error) => {
      this.ctx.logger.error("delivery batch failed; its leases will expire and be swept", {
        channel: this.channel,
        error: (error as Error).name,
        message: redactSecrets(String((error as Error).message)),
      });
      this.ctx.errors.capture(error, { channel: this.channel, part: "worker-batch" });
    });
    this.batches.add(tracked);
    void tracked.finally(() => this.batches.delete(tracked));
  }

  /** Waits `ms`, or less if a batch finishes or `stop` is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
