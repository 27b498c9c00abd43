/**
 * Where a delivery goes after an attempt, or after its lease expired: pure decisions over the row's counters
 * and the classified outcome (src/README.md "The job table's invariants").
 */
import type { Channel } from "../channels/types.ts";
import { type BackoffPolicy, retryDelayMs } from "./backoff.rules.ts";
import type { FailureClass } from "./provider-errors.rules.ts";

/** What the sweeper does with a lease that expired after `send_started_at` (HERALD_<CHANNEL>_AMBIGUOUS). */
export type AmbiguousPolicy = "resend" | "hold";

/** The new state of a delivery. `refundAttempt` gives back the attempt counted at claim. */
export type Transition =
  | { status: "sent" }
  | { status: "queued"; runAt: number; refundAttempt: boolean }
  | { status: "failed" }
  | { status: "unknown" };

/** The outcome of one provider call. */
export type AttemptOutcome = { ok: true } | { ok: false; failure: FailureClass };

/**
 * The transition after an attempt: sent; retry with backoff while attempts remain; failed when the error is
 * permanent or the budget is spent; back to the queue now, attempt refunded, when the whole channel paused
 * (the delivery is not at fault and will go out once the account is fixed).
 */
export function afterAttempt(
  row: { attempts: number; maxAttempts: number },
  outcome: AttemptOutcome,
  now: number,
  backoff: BackoffPolicy,
  random: () => number,
): Transition {
  if (outcome.ok) return { status: "sent" };
  const { kind } = outcome.failure;
  if (kind === "account") return { status: "queued", runAt: now, refundAttempt: true };
  if (kind === "permanent" || row.attempts >= row.maxAttempts) return { status: "failed" };
  return { status: "queued", runAt: now + retryDelayMs(row.attempts, backoff, random), refundAttempt: false };
}

/**
 * The transition of a delivery whose lease expired (its worker died or hung). Before the send started nothing
 * went out, so it simply goes back to the queue. After the send started the message may or may not have been
 * accepted: the channel's policy decides between sending again (a possible duplicate) and holding it as
 * `unknown` for an operator (for SMS, where a duplicate costs money and annoys). The attempt was counted at
 * claim, so a delivery that kills its process every time still runs out of attempts and fails.
 */
export function afterLeaseExpired(
  row: { channel: Channel; attempts: number; maxAttempts: number; sendStarted: boolean },
  policy: Record<Channel, AmbiguousPolicy>,
  now: number,
): Transition {
  if (row.sendStarted && policy[row.channel] === "hold") return { status: "unknown" };
  if (row.attempts >= row.maxAttempts) return { status: "failed" };
  return { status: "queued", runAt: now, refundAttempt: false };
}
