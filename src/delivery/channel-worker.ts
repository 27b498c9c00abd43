/**
 * One channel's worker: claims due deliveries (only as many as the shared rate budget and its concurrency
 * allow), composes them, marks each send as started, waits for the time its grant starts, calls the provider
 * with a timeout, and records the result. In the server it runs as a loop (`start`/`stop`) that sleeps until
 * there is work: a wake-up from a commit in this process, the next due time it knows of, the time the rate
 * budget frees a call, the end of a pause, a finished batch, or the slow poll for work committed by other
 * processes. Tests drive it one step at a time (`tick`, `runUntilIdle`) on a fixed clock, or run the loop on
 * timers they fire by hand.
 *
 * The rate limit (send-budget.rules.ts) is kept where the provider sees it: the claim's transaction takes a
 * grant from the budget in the database (so every process and every restart shares it) for a start time at
 * least the worker's lead ahead of the claim, the worker makes the calls no earlier than that time and no later
 * than the grant's end, and a batch that misses its end goes back to the queue unsent.
 */
import { randomUUID } from "node:crypto";
import { type Channel, ProviderError, type SendReceipt } from "../channels/types.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { ErrorTracker } from "../observability/error-tracker.ts";
import type { HeraldMetrics } from "../observability/herald-metrics.ts";
import { redactSecrets } from "../observability/log-redaction.rules.ts";
import type { Timers } from "../timers.ts";
import type { AttemptRecorder } from "./attempt-recorder.ts";
import type { BackoffPolicy } from "./backoff.rules.ts";
import { deletePause, findPause, savePause } from "./channel-pauses.repo.ts";
import {
  claimDue,
  hasDue,
  type LeasedDelivery,
  markSendStarted,
  releaseLeases,
} from "./delivery-queue.repo.ts";
import { type DeliveryWakeupSignal, DueTimes } from "./delivery-wakeups.ts";
import { classifyFailure, type FailureClass } from "./provider-errors.rules.ts";
import { recentGrants, recordGrant } from "./send-budget.repo.ts";
import { callWindowMs, nextFreeAt, planSends, type SendPlan, WINDOW_MS } from "./send-budget.rules.ts";
import { type AttemptOutcome, afterAttempt } from "./transitions.rules.ts";

/**
 * One composed message's provider call, not made yet. Calling it starts the call at once (before its first
 * `await`), so the worker knows the time the provider sees: the time it checked against its grant.
 */
export type ProviderCall = (signal: AbortSignal) => Promise<{ receipt: SendReceipt; costUsd: number }>;

/** Sends leased deliveries through the channel's provider. */
export interface ChannelSender {
  /** The provider's name, recorded on each attempt. */
  readonly providerName: string;
  /**
   * Composes the message (reading what it needs) and resolves with its call; rejects when there is nothing to
   * send. Composing comes first so that the calls of a batch start together at the time their grant allows.
   */
  prepare(row: LeasedDelivery): Promise<ProviderCall>;
}

/** Tuning of one worker (from config). */
export interface WorkerOptions {
  /** Most deliveries one claim takes. */
  batch: number;
  /** Most provider calls in any sliding second, across every process on the database (HERALD_<CHANNEL>_RATE). */
  rate: number;
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

/** While paused, how often the worker looks whether an operator resumed the channel (from any process). */
export const RESUME_CHECK_MS = 1000;

/**
 * The longest lead a claim takes ahead of its grant's start. The lead is what the last batches spent between
 * the claim and being ready to call (two commits and composing): a grant starting that far ahead is met on time
 * instead of missed. On a fixed clock it stays 0.
 */
const MAX_LEAD_MS = 200;

/** What one claim took: the deliveries, their grant and the time of the claim's transaction. */
interface Claim {
  rows: LeasedDelivery[];
  grant: SendPlan;
  claimedAt: number;
}

/** The worker of one channel. */
export class ChannelWorker {
  readonly counters: WorkerCounters = {
    claimed: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    paused: 0,
    leaseLost: 0,
    throttled: 0,
  };
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Ends the loop's current sleep early (set while it sleeps). */
  private wake: (() => void) | null = null;
  private pausedUntil: { until: number; code: string; message: string } | null = null;
  /** While paused: when to look next for the operator's resume (the pause's row gone from channel_pauses). */
  private resumeCheckAt = 0;
  private throttled = false;
  /** When the budget may grant this channel a call again, as of this worker's last claim (a hint, not a promise). */
  private budgetFreeAt = Number.NEGATIVE_INFINITY;
  /** How far ahead of its claim a grant starts (see {@link MAX_LEAD_MS}). */
  private leadMs = 0;
  /** Batches waiting for their grant's start; `stop` ends the waits. */
  private readonly grantWaits = new Set<() => void>();
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
    await this.checkResumed();
    const claim = await this.claim();
    if (claim.rows.length > 0) await this.process(claim);
    return claim.rows.length;
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
    for (const endWait of [...this.grantWaits]) endWait();
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

  /**
   * Ends the pause now (the operator fixed the cause): deletes its row, so every process sees it, and wakes the
   * loop. True if the channel was paused here or in the table.
   */
  async resume(): Promise<boolean> {
    const recorded = await this.ctx.db.write((tx) => deletePause(tx, this.channel));
    const here = this.isPaused();
    if (here) this.resumed("resumed here");
    return recorded || here;
  }

  /** While paused, at most once a second: a pause whose row is gone was resumed by an operator (any process). */
  private async checkResumed(): Promise<void> {
    const now = this.ctx.clock.now();
    if (!this.isPaused() || now < this.resumeCheckAt) return;
    this.resumeCheckAt = now + RESUME_CHECK_MS;
    if ((await findPause(this.ctx.db.read, this.channel, now)) === null)
      this.resumed("resumed by an operator");
  }

  private resumed(how: string): void {
    this.pausedUntil = null;
    this.pollDue = true;
    this.ctx.logger.info(`channel ${how}`, { channel: this.channel });
    this.wake?.();
  }

  private isPaused(): boolean {
    return this.pausedUntil !== null && this.ctx.clock.now() < this.pausedUntil.until;
  }

  /**
   * How many deliveries the next claim may take: none while stopping, paused, in maintenance, at the
   * concurrency limit, or before the budget frees a call (as this worker last saw it; the claim checks again).
   */
  private capacity(): number {
    if (this.stopping || this.isPaused() || !this.ctx.sendingAllowed()) return 0;
    const wanted = Math.min(this.options.batch, this.options.concurrency - this.inFlight);
    if (wanted <= 0 || this.ctx.clock.now() + this.leadMs < this.budgetFreeAt) return 0;
    return wanted;
  }

  /**
   * Takes a grant from the shared budget and leases as many due deliveries as it allows, in one transaction:
   * the grant counts only the deliveries found, and a claim that finds the budget spent leases nothing.
   */
  private async claim(): Promise<Claim> {
    const none: Claim = { rows: [], grant: { calls: 0, startsAt: 0, endsAt: 0 }, claimedAt: 0 };
    const wanted = this.capacity();
    if (wanted <= 0) return none;
    const { db, clock } = this.ctx;
    const { channel } = this;
    const { rate, leaseMs, owner } = this.options;
    const token = randomUUID();
    const lead = this.leadMs;
    const claimed = await db.write(async (tx) => {
      // The clock is read inside the transaction: the budget's state and its time go together.
      const now = clock.now();
      const grants = await recentGrants(tx, channel, now);
      const plan = planSends(grants, rate, wanted, now + lead);
      const rows =
        plan.calls > 0 ? await claimDue(tx, { channel, limit: plan.calls, now, leaseMs, owner, token }) : [];
      // The window fits the calls actually leased (fewer than planned when fewer were due).
      const grant = { ...plan, calls: rows.length, endsAt: plan.startsAt + callWindowMs(rows.length) };
      await recordGrant(tx, { channel, ...grant });
      return {
        rows,
        grant,
        claimedAt: now,
        planned: plan.calls,
        freeAt: nextFreeAt([...grants, grant], rate, grant.startsAt),
      };
    });
    this.budgetFreeAt = claimed.freeAt;
    this.counters.claimed += claimed.rows.length;
    // More is probably due when the claim took all it was granted, or was granted nothing (the budget was spent
    // before it looked): the loop claims again as soon as the budget allows, without looking first.
    this.busy = claimed.rows.length === claimed.planned;
    return claimed;
  }

  /**
   * Sends the deliveries of one claim and records every result: composes them, marks their sends as started,
   * waits for the grant's start, and calls the provider for each one still inside the grant (the others go back
   * to the queue unsent).
   */
  private async process(claim: Claim): Promise<void> {
    const { db, clock, logger, sender } = this.ctx;
    const { rows, grant } = claim;
    // biome-ignore lint/style/noNonNullAssertion: a claim returns at least one row when processed
    const token = rows[0]!.leaseToken;
    const ids = rows.map((r) => r.id);
    this.inFlight += rows.length;
    try {
      if (this.stopping) {
        await db.write((tx) => releaseLeases(tx, token, ids, clock.now()));
        return;
      }
      const calls = await Promise.all(
        rows.map((row) =>
          sender.prepare(row).catch(
            (error: unknown): ProviderCall =>
              () =>
                Promise.reject(error),
          ),
        ),
      );
      const owned = await db.write((tx) => markSendStarted(tx, token, ids, clock.now()));
      for (const row of rows) {
        if (!owned.has(row.id)) {
          this.counters.leaseLost++;
          logger.warn("lease lost before sending; not sent", { deliveryId: row.id, channel: this.channel });
        }
      }
      // The next grants start as far ahead of their claims as this one needed to get here.
      const spent = clock.now() - claim.claimedAt;
      this.leadMs = Math.min(MAX_LEAD_MS, Math.max(spent, Math.floor(this.leadMs * 0.9)));
      if (!(await this.waitUntil(grant.startsAt))) {
        await db.write((tx) => releaseLeases(tx, token, [...owned], clock.now()));
        return;
      }
      const deadline = deadlineIn(this.options.timeoutMs);
      const attempts: Promise<void>[] = [];
      const late: string[] = [];
      try {
        for (const [i, row] of rows.entries()) {
          if (!owned.has(row.id)) continue;
          // Strictly before the end: the provider reads its clock a moment after this check.
          if (clock.now() >= grant.endsAt) late.push(row.id);
          // biome-ignore lint/style/noNonNullAssertion: one call per row
          else attempts.push(this.attempt(row, calls[i]!, deadline));
        }
        if (late.length > 0) await this.giveBackLate(token, late, grant);
        await Promise.all(attempts);
      } finally {
        deadline.clear();
      }
      if (this.throttled) await this.blockBudget();
    } finally {
      this.inFlight -= rows.length;
      this.wake?.();
    }
  }

  /**
   * Waits until `at` on the worker's timers (a grant's start is at most the lead ahead, so this is short).
   * Resolves false when `stop` ended the wait.
   */
  private async waitUntil(at: number): Promise<boolean> {
    const { clock, timers } = this.ctx;
    for (let now = clock.now(); now < at && !this.stopping; now = clock.now()) {
      await new Promise<void>((resolve) => {
        const end = () => {
          this.grantWaits.delete(end);
          timers.clear(handle);
          resolve();
        };
        const handle = timers.set(end, at - now);
        this.grantWaits.add(end);
      });
    }
    return !this.stopping;
  }

  /** Deliveries whose grant ended before they could be sent go back to the queue, attempt refunded. */
  private async giveBackLate(token: string, ids: string[], grant: SendPlan): Promise<void> {
    const { db, clock, logger } = this.ctx;
    const now = clock.now();
    await db.write((tx) => releaseLeases(tx, token, ids, now));
    logger.warn("send window missed; deliveries given back to the queue unsent", {
      channel: this.channel,
      deliveries: ids.length,
      lateMs: now - grant.endsAt,
    });
    this.signalled = true;
  }

  /**
   * After the provider said "slow down": no call on this channel, from any process, for a full window. Recorded
   * as a grant of the whole rate, so it lives in the budget like any other.
   */
  private async blockBudget(): Promise<void> {
    this.throttled = false;
    const { db, clock } = this.ctx;
    const now = clock.now();
    await db.write((tx) =>
      recordGrant(tx, { channel: this.channel, startsAt: now, endsAt: now, calls: this.options.rate }),
    );
    this.budgetFreeAt = Math.max(this.budgetFreeAt, now + WINDOW_MS);
  }

  /** One provider call and its recorded result. The call starts before the first `await`. */
  private async attempt(row: LeasedDelivery, call: ProviderCall, deadline: Deadline): Promise<void> {
    const { clock, logger, recorder, sender } = this.ctx;
    const started = performance.now();
    let receipt: SendReceipt | null = null;
    let costUsd = 0;
    let failure: FailureClass | null = null;
    let error: ProviderError | null = null;
    try {
      ({ receipt, costUsd } = await Promise.race([call(deadline.signal), deadline.expired]));
    } catch (thrown) {
      error =
        thrown instanceof ProviderError
          ? thrown
          : new ProviderError(
              (thrown as Error)?.name ?? "Error",
              String((thrown as Error)?.message ?? thrown),
            );
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
      this.throttled = true;
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
      logger.warn("lease lost before the result was recorded", {
        deliveryId: row.id,
        channel: this.channel,
        status,
      });
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
  private countOutcome(
    row: LeasedDelivery,
    status: "sent" | "retry" | "paused" | "failed",
    costUsd: number,
  ): void {
    const { metrics, clock } = this.ctx;
    const outcome = status === "sent" ? "sent" : status === "failed" ? "failed" : "retried";
    metrics.deliveries.inc({ channel: this.channel, outcome, reason: "" });
    if (status !== "sent") return;
    const latencyMs = Math.max(0, clock.now() - row.dueAt);
    metrics.deliveryLatency.observe({ channel: this.channel }, latencyMs / 1000);
    metrics.recent.delivery[this.channel].record(latencyMs, clock.now());
    if (this.channel === "sms") metrics.smsCost.inc({}, costUsd);
  }

  /** Stops claiming on this channel for `pauseMs` and raises the alert. */
  private pause(code: string, message: string): void {
    const until = this.ctx.clock.now() + this.options.pauseMs;
    const alreadyPaused = this.isPaused();
    this.pausedUntil = { until, code, message };
    this.resumeCheckAt = this.ctx.clock.now() + RESUME_CHECK_MS;
    const pause = { channel: this.channel, code, message, pausedAt: this.ctx.clock.now(), until };
    this.ctx.db
      .write((tx) => savePause(tx, pause))
      .catch((error: unknown) => {
        // Without its row the pause still holds here; it just cannot be seen or resumed from another process.
        this.ctx.logger.error("could not record the channel pause", {
          channel: this.channel,
          error: (error as Error).name,
        });
      });
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
          await this.checkResumed();
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
              const claim = await this.claim();
              if (claim.rows.length > 0) {
                this.track(this.process(claim));
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
    const { clock } = this.ctx;
    const now = clock.now();
    if (this.stopping) return { ms: 0, after: "recheck" };
    // Paused by an account-level error: nothing to do until it ends or an operator resumes it (looked for every
    // RESUME_CHECK_MS, one primary-key read).
    if (this.isPaused())
      return { ms: Math.min((this.pausedUntil?.until ?? now) - now, RESUME_CHECK_MS), after: "look" };
    // Maintenance: the poll re-checks it; switching maintenance off in this process wakes the loop at once.
    if (!this.ctx.sendingAllowed()) return { ms: null, after: "recheck" };
    // Every lease slot taken: a finished batch wakes the loop.
    if (capacity <= 0 && this.inFlight >= this.options.concurrency) return { ms: null, after: "recheck" };
    // Work (or a look) waits only for the rate budget: sleep until it frees a call (less the lead, so the next
    // grant starts then).
    if (capacity <= 0 && (announced || this.pollDue)) {
      return { ms: Math.max(1, this.budgetFreeAt - this.leadMs - now), after: "recheck" };
    }
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
