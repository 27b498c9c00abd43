/**
 * The alerts scheduler: every HERALD_ALERT_INTERVAL_MS evaluates the in-process alert rules and queues the alert
 * emails their state changes owe. Needs no window claim: evaluation reads the current state and writes the next
 * one in one transaction, and each email is marked sent in the transaction that queues it, so overlapping runs
 * (a second process, a manual run) cannot double anything.
 */
import { sendOwedAlertEmails } from "../alerts/alert-email.ts";
import { type AlertDeps, evaluateAlerts } from "../alerts/alert-evaluator.ts";
import { every, type Scheduler, type TickResult } from "./scheduler.ts";

/** The scheduler's name in health, metrics and logs. */
export const ALERTS_SCHEDULER = "alerts";

/** One evaluation plus the owed emails. */
export async function alertsTick(deps: AlertDeps): Promise<TickResult> {
  const { firing, changes } = await evaluateAlerts(deps);
  const emails = await sendOwedAlertEmails(deps);
  return {
    firing: firing.length,
    changed: changes.length,
    emailsQueued: emails.queued,
    emailsDeferred: emails.deferred,
  };
}

/** The `alerts` scheduler. */
export function alertsScheduler(deps: AlertDeps): Scheduler {
  return every(ALERTS_SCHEDULER, deps.config.HERALD_ALERT_INTERVAL_MS, () => alertsTick(deps), deps);
}
