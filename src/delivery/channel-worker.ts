/**
 * One channel's worker: claims due deliveries (only as many as the rate limiter and its concurrency allow),
 * marks each send as started, calls the provider with a timeout, and records the result. In the server it
 * runs as a loop (`start`/`stop`) that sleeps until there is work: a wake-up from a commit in this process, the
 * next due time it knows of, the end of a rate-limit window or pause, a finished batch, or the slow poll for work
 * committed by other processes. Tests drive it one step at a time (`tick`, `runUntilIdle`) on a fixed clock, or
 * run the loop on timers they fire by hand.
 */
import { randomUUID } from "node:crypto";
import { ProviderError, type Channel, type SendReceipt } from "../channels/types.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { Timers } from "../timers.ts";
import type { ErrorTracker } from "../observability/error-tracker.ts";
import type { HeraldMetrics } from "../observability/herald-metrics.ts";
import { redactSecrets } from "../observability/log-redaction.rules.ts";
import type { AttemptRecorder } from "./attempt-recorder.ts";
import type { BackoffPolicy } from "./backoff.rules.ts";
import { type DeliveryWakeupSignal, DueTimes } from "./delivery-wakeups.ts";
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
  /**
   * How often an idle loop looks for due deliveries nobody announced (committed by another process); work
   * committed here wakes it at once. See `OTHER_PROCESS_POLL_MS`.
   */
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
  /** Wake-ups from commits in this process; the worker listens to its channel's and announces its own retries. */
  wakeups: DeliveryWakeupSignal;
  /** What the loop sleeps on: real timers in the server; tests fire them by hand. */
  timers: Timers;
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

/** The longest single timer the loop arms for a due time; a later one is re-armed when this fires. */
const MAX_TIMER_MS = 3_600_000;

/** The worker of one channel. */
export class ChannelWorker {
  readonly counters: WorkerCounters = { claimed: 0, sent: 0, retried: 0, failed: 0, paused: 0, leaseLost: 0, throttled: 0 };
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Ends the loop's current sleep early (set while it sleeps). */
  private wake: (() => void) | null = null;
  private pausedUntil: { until: number; code: string; message: string } | null = null;
  private throttledSinceClaim = false;
  /** The previous claim filled its batch, so more is probably due: claim again without looking first. */
  private busy = false;
  /** A wake-up announced deliveries due now: claim without looking first. */
  private signalled = false;
  /** Future due times announced (a retry's backoff, a deferral): the loop sleeps until the earliest. */
  private readonly dueTimes = new DueTimes();
  /** The slow poll's time has come: look (a cheap read) before claiming. */
  private pollDue = false;
  /** The slow poll's timer, armed while the loop sleeps and re-armed after every look. */
  private pollTimer: unknown = null;
  private sleeps = 0;
  private readonly asleepWaiters: (() => void)[] = [];

  constructor(
    readonly channel: Channel,
    private readonly ctx: WorkerContext,
    private readonly options: WorkerOptions,
  ) {
    ctx.wakeups.subscribe(channel, (dueAt) => this.onWakeup(dueAt));
  }

  /** A commit made deliveries due now (claim at once) or later (arm the timer for that time if it is the earliest). */
  private onWakeup(dueAt: number | undefined): void {
    if (dueAt === undefined || dueAt <= this.ctx.clock.now()) {
      this.signalled = true;
      this.wake?.();
    } else {
      const before = this.dueTimes.next();
      this.dueTimes.add(dueAt);
      if (before === null || dueAt < before) this.wake?.(); // re-arms the sleep for the earlier time; no query
    }
  }

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

  /** How many times the loop went to sleep since it was built: tests count them to prove an idle loop rests. */
  get sleepCount(): number {
    return this.sleeps;
  }

  /**
   * Resolves once the loop is asleep (at once if it is): everything a wake-up caused has been claimed by then.
   * For tests that run the loop on timers they fire by hand.
   */
  whenAsleep(): Promise<void> {
    if (this.wake !== null || this.loop === null) return Promise.resolve();
    return new Promise((resolve) => this.asleepWaiters.push(resolve));
  }

  /** Resolves once the batches in flight have been sent and recorded (or have failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.batches]);
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
    // A retry is due again at its backoff time (a pause's at once): the loop arms its timer for it.
    if (transition.status === "queued") this.ctx.wakeups.notify(this.channel, transition.runAt);
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
    const { db, clock, logger } = this.ctx;
    // A (re)start looks once: deliveries may have been queued while no loop ran.
    this.pollDue = true;
    try {
      while (!this.stopping) {
        try {
          const capacity = this.capacity();
          const now = clock.now();
          const dueReached = (this.dueTimes.next() ?? Number.POSITIVE_INFINITY) <= now;
          const announced = this.busy || this.signalled || dueReached;
          if (capacity > 0 && (announced || this.pollDue)) {
            this.signalled = false;
            this.pollDue = false;
            this.dueTimes.takeDue(now);
            this.cancelPoll(); // every look restarts the poll's interval
            // Announced work is claimed directly; the poll looks first, so an idle poll never takes the writer.
            if (announced || (await hasDue(db.read, this.channel, now))) {
              const rows = await this.claim();
              if (rows.length > 0) {
                this.track(this.process(rows));
                continue;
              }
            }
          }
          if (this.pollTimer === null) this.armPoll();
          const wait = this.nextWait(capacity, announced);
          this.sleeps++;
          if ((await this.sleep(wait.ms)) && wait.after === "look") this.pollDue = true;
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
    } finally {
      this.cancelPoll();
    }
  }

  /** Arms the slow poll: when it fires, the loop looks for work nobody announced. */
  private armPoll(): void {
    this.pollTimer = this.ctx.timers.set(() => {
      this.pollTimer = null;
      this.pollDue = true;
      this.wake?.();
    }, this.options.pollMs);
  }

  private cancelPoll(): void {
    if (this.pollTimer === null) return;
    this.ctx.timers.clear(this.pollTimer);
    this.pollTimer = null;
  }

  /**
   * How long the loop sleeps when it cannot claim now (null: until woken), and whether to look for work when
   * that time is up. Besides this timer, the slow poll, wake-ups, a finished batch and `stop` end the sleep.
   */
  private nextWait(capacity: number, announced: boolean): { ms: number | null; after: "look" | "recheck" } {
    const { clock, limiter } = this.ctx;
    const now = clock.now();
    if (this.stopping) return { ms: 0, after: "recheck" };
    // Paused by an account-level error: nothing to do until it ends (capped, so a long pause is re-checked).
    if (this.isPaused()) return { ms: Math.min((this.pausedUntil?.until ?? now) - now, 60_000), after: "look" };
    // Maintenance: the poll re-checks it; switching maintenance off in this process wakes the loop at once.
    if (!this.ctx.sendingAllowed()) return { ms: null, after: "recheck" };
    // Every lease slot taken: a finished batch wakes the loop.
    if (capacity <= 0 && this.inFlight >= this.options.concurrency) return { ms: null, after: "recheck" };
    // Work (or a look) waits only for the rate limit: sleep until its window frees a grant.
    if (capacity <= 0 && (announced || this.pollDue)) return { ms: Math.max(1, limiter.nextFreeAt() - now), after: "recheck" };
    // The next known due time, exactly (capped: a timer cannot wait for weeks; it re-arms when it fires early).
    const dueAt = this.dueTimes.next();
    if (dueAt !== null) return { ms: Math.min(Math.max(1, dueAt - now), MAX_TIMER_MS), after: "recheck" };
    return { ms: null, after: "recheck" };
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

  /**
   * Waits `ms` (null: until woken), or less if woken (a wake-up, the poll, a finished batch, `stop`). Resolves
   * true when the time ran out, false when woken.
   */
  private sleep(ms: number | null): Promise<boolean> {
    return new Promise((resolve) => {
      let handle: unknown = null;
      const finish = (timedOut: boolean) => {
        if (this.wake !== wake) return;
        this.wake = null;
        if (handle !== null) this.ctx.timers.clear(handle);
        resolve(timedOut);
      };
      const wake = () => finish(false);
      this.wake = wake;
      if (ms !== null) handle = this.ctx.timers.set(() => finish(true), Math.max(1, ms));
      for (const resolveWaiter of this.asleepWaiters.splice(0)) resolveWaiter();
    });
  }
}
