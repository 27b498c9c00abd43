/**
 * Looks up the operator guards for one new notification (the facts `decideChannels` needs): loop guard,
 * suppression list, rollout and SMS budget. A loop stops every channel, so nothing else is looked up then; the
 * SMS budget is consulted only for an SMS that would otherwise be sent.
 *
 * The budget is checked at creation against committed spend (SMS created this UTC day / month that are queued,
 * leased, sent, delivered or unknown), not against what was sent so far. Summing a month of SMS rows costs about
 * 1 µs a row, so each process keeps a running view (`checkSmsBudget`): sums re-read every 2 s (today) and 5 min
 * (earlier this month), plus the SMS it let through since. Overshoot is bounded by what that view cannot see:
 * one group commit in flight during a re-sum (at most 256 notifications, each SMS at most HERALD_SMS_MAX_SEGMENTS
 * segments at the dearest price: 256 × 3 × $0.12 ≈ $92 in the worst case, cents at real volumes), plus SMS other
 * processes sharing the database create within 2 s.
 */
import type { Queryable } from "../../db/database.ts";
import type { Deps } from "../../deps.ts";
import type { Logger } from "../../logger.ts";
import { type DecisionInput, decideChannels, type Guards } from "../notifications/delivery-policy.rules.ts";
import type { RecipientKind } from "../ops-settings/ops-settings.rules.ts";
import { getOpsSettings } from "../ops-settings/ops-settings.service.ts";
import { isLoop, loopWindowStart } from "./loop-guard.rules.ts";
import { type LoopKey, readGuardFacts } from "./guard-facts.repo.ts";
import { rolloutIncludes } from "./rollout.rules.ts";
import { checkSmsBudget, type PendingSmsSpend } from "./sms-budget.service.ts";

/** The decision's input plus what the guards key on. */
export interface GuardInput extends DecisionInput {
  recipient: DecisionInput["recipient"] & { id: string; kind: RecipientKind };
  template: string;
  subject: { type: string; id: string } | null;
  /** Estimated cost of this notification's SMS (0 when it has none). */
  smsCostUsd: number;
  /** Herald's own messages to operators (alerts): rollout and the loop guard do not apply, suppression does. */
  system: boolean;
}

const noGuards: Guards = {
  suppressed: { email: false, sms: false },
  rolloutExcluded: { email: false, sms: false },
  smsOverBudget: false,
  loop: false,
};

/**
 * The guards for one notification, read inside the write transaction that will store it (`tx`), which sees every
 * committed notification and every earlier create of its own batch: the loop guard counts them all. The work
 * may be re-run (after SQLITE_BUSY or a failed neighbour), so SMS spend let through is reserved in `pending`
 * and handed to the budget's view only after commit (`reserveSmsSpend`).
 */
export async function loadGuards(
  deps: Pick<Deps, "db" | "config">,
  tx: Queryable,
  input: GuardInput,
  pending: PendingSmsSpend,
): Promise<Guards> {
  const settings = await getOpsSettings(deps);
  const { recipient } = input;
  const key: LoopKey = { recipientId: recipient.id, template: input.template, subject: input.subject };
  const facts = await readGuardFacts(tx, key, loopWindowStart(input.now, settings.loopGuard), recipient);
  if (!input.system && isLoop(facts.similar, settings.loopGuard)) return { ...noGuards, loop: true };

  const guards: Guards = {
    ...noGuards,
    suppressed: facts.suppressed,
    rolloutExcluded: {
      email: !input.system && !rolloutIncludes(settings.rollout.email, recipient),
      sms: !input.system && !rolloutIncludes(settings.rollout.sms, recipient),
    },
  };
  const sms = decideChannels({ ...input, guards }).find((d) => d.channel === "sms");
  if (!sms || sms.status === "skipped") return guards;
  const urgent = input.priority === "URGENT";
  const smsOverBudget = await checkSmsBudget(deps, input.now, input.smsCostUsd, urgent, { pending });
  return { ...guards, smsOverBudget };
}

/**
 * Logs a notification the loop guard stopped, for the alert on notification loops (the runbook's
 * "notification loops"). Ids only: the template and subject say what loops, never its content.
 */
export function reportLoop(
  logger: Logger,
  notification: {
    id: string;
    recipientId: string;
    template: string;
    subjectType: string | null;
    subjectId: string | null;
  },
): void {
  logger.warn("notification loop: channels skipped", {
    alert: "notification-loop",
    notificationId: notification.id,
    recipientId: notification.recipientId,
    template: notification.template,
    subjectType: notification.subjectType,
    subjectId: notification.subjectId,
  });
}
