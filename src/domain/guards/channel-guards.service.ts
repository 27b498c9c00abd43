/**
 * Looks up the operator guards for one new notification (the facts `decideChannels` needs): loop guard,
 * suppression list, rollout and SMS budget. A loop stops every channel, so nothing else is looked up then; the
 * SMS budget is consulted only for an SMS that would otherwise be sent.
 *
 * The budget is checked at creation against committed spend (SMS created this UTC day / month that are queued,
 * leased, sent, delivered, bounced or unknown), not against what was sent so far, read from the per-day totals
 * that triggers keep exact (`sms_spend_days`) inside the transaction that stores the notification: it sees every
 * process's committed SMS and the earlier creates of its own batch, so the limit holds exactly.
 */
import type { Queryable } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import type { Logger } from "../../logger.ts";
import { type DecisionInput, decideChannels, type Guards } from "../notifications/delivery-policy.rules.ts";
import type { RecipientKind } from "../ops-settings/ops-settings.rules.ts";
import { getOpsSettings } from "../ops-settings/ops-settings.service.ts";
import { type LoopKey, readGuardFacts } from "./guard-facts.repo.ts";
import { isLoop, loopWindowStart } from "./loop-guard.rules.ts";
import { rolloutIncludes } from "./rollout.rules.ts";
import { checkSmsBudget } from "./sms-budget.service.ts";

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
 * committed notification and every earlier create of its own batch: the loop guard and the SMS budget count them
 * all.
 */
export async function loadGuards(
  deps: Pick<Deps, "db" | "config" | "caches">,
  tx: Queryable,
  input: GuardInput,
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
  const smsOverBudget = await checkSmsBudget(deps, tx, input.now, input.smsCostUsd, urgent);
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
