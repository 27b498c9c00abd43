/**
 * Decides the channels of one new notification with the operator guards: loop guard, suppression list, rollout
 * (facts looked up, then `decideChannels` once) and the SMS budget (read only for an SMS those decisions would
 * send). A loop stops every channel, so nothing else is looked up then.
 *
 * The budget is checked at creation against committed spend (SMS created this UTC day / month that are queued,
 * leased, sent, delivered, bounced or unknown), not against what was sent so far, read from the per-day totals
 * that triggers keep exact (`sms_spend_days`) inside the transaction that stores the notification: it sees every
 * process's committed SMS and the earlier creates of its own batch, so the limit holds exactly.
 */
import type { Queryable } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import type { Logger } from "../../logger.ts";
import {
  type ChannelDecision,
  type DecisionInput,
  decideChannels,
  type Guards,
  skipSmsOverBudget,
  smsBudgetApplies,
} from "../notifications/delivery-policy.rules.ts";
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
  loop: false,
};

/**
 * Each channel's decision for one notification, with the guards read inside the write transaction that will
 * store it (`tx`), which sees every committed notification and every earlier create of its own batch: the loop
 * guard and the SMS budget count them all.
 */
export async function decideGuarded(
  deps: Pick<Deps, "db" | "config" | "caches">,
  tx: Queryable,
  input: GuardInput,
): Promise<[ChannelDecision, ChannelDecision]> {
  const settings = await getOpsSettings(deps);
  const { recipient } = input;
  const key: LoopKey = { recipientId: recipient.id, template: input.template, subject: input.subject };
  const facts = await readGuardFacts(tx, key, loopWindowStart(input.now, settings.loopGuard), recipient);
  const loop = !input.system && isLoop(facts.similar, settings.loopGuard);
  const guards: Guards = loop
    ? { ...noGuards, loop: true }
    : {
        suppressed: facts.suppressed,
        rolloutExcluded: {
          email: !input.system && !rolloutIncludes(settings.rollout.email, recipient),
          sms: !input.system && !rolloutIncludes(settings.rollout.sms, recipient),
        },
        loop: false,
      };
  const decisions = decideChannels({ ...input, guards });
  if (!smsBudgetApplies(decisions, input.priority)) return decisions;
  const overBudget = await checkSmsBudget(deps, tx, input.now, input.smsCostUsd);
  return overBudget ? skipSmsOverBudget(decisions, { ...input, guards }) : decisions;
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
