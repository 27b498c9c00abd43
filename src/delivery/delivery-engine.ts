/**
 * The delivery engine: one worker per channel (email, SMS) plus the lease sweeper, built from config and the
 * chosen providers. The workers sleep until a wake-up (`deps.wakeups`, called by the services after their commits)
 * or a due time says there is work, and poll only slowly for work committed by other processes. The server
 * starts the engine after it listens and stops it on SIGTERM; tests drive it by hand (`tick`, `runUntilIdle`,
 * `sweep`) on a fixed clock.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Caches } from "../caches.ts";
import type { Channel, Providers } from "../channels/types.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/database.ts";
import { getBranding } from "../domain/branding/branding.service.ts";
import { unsubscribeUrl } from "../domain/recipient-tokens/recipient-links.ts";
import type { Logger } from "../logger.ts";
import type { ErrorTracker } from "../observability/error-tracker.ts";
import type { HeraldMetrics } from "../observability/herald-metrics.ts";
import { every, type Scheduler } from "../schedulers/scheduler.ts";
import { realTimers, type Timers } from "../timers.ts";
import { createAttemptRecorder } from "./attempt-recorder.ts";
import {
  type ChannelSender,
  ChannelWorker,
  type WorkerOptions,
  type WorkerStatus,
} from "./channel-worker.ts";
import { composeEmail, composeSms } from "./compose.rules.ts";
import { type DeliveryWakeupSignal, OTHER_PROCESS_POLL_MS } from "./delivery-wakeups.ts";
import { type SweepResult, sweepExpiredLeases } from "./sweeper.ts";

/** What the engine is built from (a subset of Deps). */
export interface EngineDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  tokenSecret: string;
  providers: Providers;
  metrics: HeraldMetrics;
  errors: ErrorTracker;
  /** The wake-ups the services send after their commits; the workers listen to them. */
  wakeups: DeliveryWakeupSignal;
  /** Branding, read for every email. */
  caches: Caches;
}

/** The workers' state for `/health/ready` and the alert rules (the sweeper reports as a {@link Scheduler}). */
export interface EngineStatus {
  email: WorkerStatus;
  sms: WorkerStatus;
}

/** The running (or hand-driven) delivery engine. */
export interface DeliveryEngine {
  readonly email: ChannelWorker;
  readonly sms: ChannelWorker;
  /** The lease sweeper, an interval scheduler like the others (its status: last run, last error). */
  readonly sweeper: Scheduler;
  /** Starts both worker loops and the sweeper (idempotent). */
  start(): void;
  /**
   * Stops claiming and sweeping, releases deliveries not yet being sent and waits up to `graceMs` for sends in
   * progress to be recorded.
   */
  stop(graceMs?: number): Promise<void>;
  /** One claim-and-process step on each channel; returns the deliveries processed. */
  tick(): Promise<number>;
  /** Ticks both channels until neither can claim anything more now. */
  runUntilIdle(): Promise<number>;
  /** One sweep of expired leases. */
  sweep(): Promise<SweepResult>;
  status(): EngineStatus;
}

/** A per-process lease owner id: host, pid and a random part (pids repeat across restarts). */
function processOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** Builds the engine; nothing runs until `start` (or a test's `tick`). */
export function createDeliveryEngine(
  deps: EngineDeps,
  options: { random?: () => number; sendingAllowed?: () => boolean; timers?: Timers } = {},
): DeliveryEngine {
  const { config, db, clock, logger, providers, metrics, errors, wakeups } = deps;
  const timers = options.timers ?? realTimers;
  const sendingAllowed = options.sendingAllowed ?? (() => true);
  const recorder = createAttemptRecorder(db, clock);
  const base: Omit<WorkerOptions, "batch" | "rate"> = {
    concurrency: config.HERALD_WORKER_CONCURRENCY,
    leaseMs: config.HERALD_LEASE_MS,
    timeoutMs: config.HERALD_PROVIDER_TIMEOUT_MS,
    pollMs: OTHER_PROCESS_POLL_MS,
    pauseMs: config.HERALD_CHANNEL_PAUSE_MS,
    backoff: { baseMs: config.HERALD_RETRY_BASE_MS, capMs: config.HERALD_RETRY_CAP_MS },
    random: options.random ?? Math.random,
    owner: processOwnerId(),
  };

  const emailSender: ChannelSender = {
    providerName: providers.email.name,
    async prepare(row) {
      const branding = await getBranding(deps);
      const message = composeEmail(row, {
        fromName: branding.fromName,
        fromAddress: config.HERALD_EMAIL_FROM,
        unsubscribeUrl: unsubscribeUrl(config.HERALD_PUBLIC_URL, deps.tokenSecret, row.recipientId),
        now: clock.now(),
      });
      return async (signal) => ({ receipt: await providers.email.sendEmail(message, signal), costUsd: 0 });
    },
  };
  const smsSender: ChannelSender = {
    providerName: providers.sms.name,
    async prepare(row) {
      const { message, costUsd } = composeSms(row, config.HERALD_SMS_MAX_SEGMENTS);
      return async (signal) => ({ receipt: await providers.sms.sendSms(message, signal), costUsd });
    },
  };

  const worker = (channel: Channel, sender: ChannelSender, rate: number) =>
    new ChannelWorker(
      channel,
      {
        db,
        clock,
        logger,
        recorder,
        sender,
        metrics,
        errors,
        sendingAllowed,
        wakeups,
        timers,
      },
      { ...base, rate, batch: Math.min(config.HERALD_WORKER_BATCH, rate) },
    );
  const email = worker("email", emailSender, config.HERALD_EMAIL_RATE);
  const sms = worker("sms", smsSender, config.HERALD_SMS_RATE);

  const sweepContext = {
    db,
    clock,
    logger,
    metrics,
    wakeups,
    policy: { email: config.HERALD_EMAIL_AMBIGUOUS, sms: config.HERALD_SMS_AMBIGUOUS },
    providerNames: { email: providers.email.name, sms: providers.sms.name },
  };
  let lastSweep: SweepResult = { requeued: 0, failed: 0, held: { email: 0, sms: 0 }, resent: 0 };
  const sweeper = every(
    "sweeper",
    config.HERALD_SWEEP_INTERVAL_MS,
    async () => {
      lastSweep = await sweepExpiredLeases(sweepContext);
      const { requeued, failed, resent, held } = lastSweep;
      return { requeued, failed, resent, heldEmail: held.email, heldSms: held.sms };
    },
    { clock, logger, errors },
  );
  let running = false;

  return {
    email,
    sms,
    sweeper,
    start() {
      if (running) return;
      running = true;
      email.start();
      sms.start();
      sweeper.start();
      // The owner is what this process writes into `lease_owner`: an operator (or a crash drill) can tell which
      // process holds a lease.
      logger.info("delivery engine started", {
        owner: base.owner,
        email: providers.email.name,
        sms: providers.sms.name,
        emailRate: config.HERALD_EMAIL_RATE,
        smsRate: config.HERALD_SMS_RATE,
      });
    },
    // By default, wait just past the provider timeout: no send in progress can take longer.
    async stop(graceMs = config.HERALD_PROVIDER_TIMEOUT_MS + 1_000) {
      running = false;
      await Promise.all([email.stop(graceMs), sms.stop(graceMs), sweeper.stop()]);
    },
    async tick() {
      const [e, s] = await Promise.all([email.tick(), sms.tick()]);
      return e + s;
    },
    async runUntilIdle() {
      const [e, s] = await Promise.all([email.runUntilIdle(), sms.runUntilIdle()]);
      return e + s;
    },
    // Through the scheduler, so a hand-driven sweep is recorded (last run, last error) like a scheduled one.
    async sweep() {
      await sweeper.runOnce();
      return lastSweep;
    },
    status: () => ({ email: email.status(), sms: sms.status() }),
  };
}
