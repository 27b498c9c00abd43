import type { Channel } from "../../channels/types.ts";
import type { Preferences } from "../preferences/preferences.types.ts";
import type { Priority } from "../priorities.ts";
import { nextLocalTime, quietHoursEnd } from "./local-time.rules.ts";

/** What a priority does with one channel: send it, collect it into the daily digest, or not use it. */
export type ChannelMode = "send" | "digest" | "off";

/** The priority table: configuration, not scattered ifs (src/README.md "Priority policy"). */
export interface PriorityPolicy {
  email: ChannelMode;
  sms: ChannelMode;
  /** URGENT bypasses quiet hours; the others wait until the window ends. */
  quietHours: "bypass" | "defer";
}

/** The default table (src/README.md "Priority policy"). */
export const defaultPolicy: Record<Priority, PriorityPolicy> = {
  URGENT: { email: "send", sms: "send", quietHours: "bypass" },
  HIGH: { email: "send", sms: "send", quietHours: "defer" },
  MEDIUM: { email: "send", sms: "off", quietHours: "defer" },
  LOW: { email: "digest", sms: "off", quietHours: "defer" },
};

/** Why a channel is not sent right now. Stable strings: the API and reports show them. */
export type DecisionReason =
  | "priority"
  | "no-template"
  | "channel-opt-out"
  | "category-opt-out"
  | "no-contact"
  | "unverified-contact"
  | "suppressed"
  | "rollout"
  | "budget"
  | "loop"
  | "send-at"
  | "quiet-hours"
  | "digest"
  | "budget-fallback";

/** One channel's decision for a new notification. */
export interface ChannelDecision {
  channel: Channel;
  status: "queued" | "deferred" | "digest" | "skipped";
  /** Absent only for a plain `queued` (send now). */
  reason?: DecisionReason;
  /** When the channel becomes due (null for skipped). */
  runAt: number | null;
}

/** Everything the decision needs, as plain data. */
export interface DecisionInput {
  now: number;
  priority: Priority;
  category: string;
  /** Which parts the template has. */
  templateHas: Record<Channel, boolean>;
  recipient: {
    email: string | null;
    emailVerified: boolean;
    phone: string | null;
    phoneVerified: boolean;
    timezone: string;
  };
  preferences: Preferences;
  sendAt: number | null;
  policy?: Record<Priority, PriorityPolicy>;
  /** Operator guards, looked up before deciding (absent: none applies). */
  guards?: Guards;
}

/** What the operator guards say about this notification (facts looked up by `channel-guards.service.ts`). */
export interface Guards {
  /** The contact is on the suppression list (bounce, complaint, opt-out, operator). */
  suppressed: Record<Channel, boolean>;
  /** The channel's gradual rollout does not include this recipient. */
  rolloutExcluded: Record<Channel, boolean>;
  /** Too many notifications of this template and subject to this recipient within the loop window. */
  loop: boolean;
}

/**
 * Decides each channel (email, SMS) for a new notification, in order: loop guard → priority table → template
 * has the part → recipient's channel opt-out → category opt-out → contact present and verified → suppression
 * list → rollout → digest (LOW, or a category the recipient digests) → `sendAt` → quiet hours in the
 * recipient's zone (deferred to the end of the window, never dropped; URGENT bypasses). The SMS budget comes
 * last, only for an SMS these decisions would send ({@link smsBudgetApplies}, then {@link skipSmsOverBudget}),
 * so the budget is read only when it can matter and the channels are decided once.
 * The in-app copy is always stored and is not a channel here.
 */
export function decideChannels(input: DecisionInput): [ChannelDecision, ChannelDecision] {
  const policy = (input.policy ?? defaultPolicy)[input.priority];
  return [decide("email", policy, input), decide("sms", policy, input)];
}

/** True when the SMS budget decides the SMS: the decisions would send it and it is not URGENT (exempt). */
export function smsBudgetApplies(decisions: readonly ChannelDecision[], priority: Priority): boolean {
  const sms = decisions.find((d) => d.channel === "sms");
  return priority !== "URGENT" && sms !== undefined && sms.status !== "skipped";
}

/**
 * The decisions once the SMS budget is exhausted: the SMS is skipped with reason `budget`, and an email goes
 * instead when the priority table alone had kept email off (`budget-fallback`; the recipient's own choices,
 * quiet hours and digest still apply to it).
 */
export function skipSmsOverBudget(
  [email, sms]: readonly [ChannelDecision, ChannelDecision],
  input: DecisionInput,
): [ChannelDecision, ChannelDecision] {
  const skipped: ChannelDecision = { channel: sms.channel, status: "skipped", reason: "budget", runAt: null };
  if (email.status === "skipped" && email.reason === "priority") {
    const policy = (input.policy ?? defaultPolicy)[input.priority];
    const fallback = decide("email", { ...policy, email: "send" }, input);
    if (fallback.status !== "skipped")
      return [{ ...fallback, reason: fallback.reason ?? "budget-fallback" }, skipped];
  }
  return [email, skipped];
}

function decide(channel: Channel, policy: PriorityPolicy, input: DecisionInput): ChannelDecision {
  const skip = (reason: DecisionReason): ChannelDecision => ({
    channel,
    status: "skipped",
    reason,
    runAt: null,
  });
  const { recipient, preferences, guards } = input;
  const mode = policy[channel];
  if (guards?.loop) return skip("loop");
  if (mode === "off") return skip("priority");
  if (!input.templateHas[channel]) return skip("no-template");
  if (!(channel === "email" ? preferences.emailEnabled : preferences.smsEnabled))
    return skip("channel-opt-out");
  if (preferences.categoryOptOuts[channel].includes(input.category)) return skip("category-opt-out");
  const contact = channel === "email" ? recipient.email : recipient.phone;
  const verified = channel === "email" ? recipient.emailVerified : recipient.phoneVerified;
  if (!contact) return skip("no-contact");
  if (!verified) return skip("unverified-contact");
  if (guards?.suppressed[channel]) return skip("suppressed");
  if (guards?.rolloutExcluded[channel]) return skip("rollout");

  const zone = recipient.timezone;
  const digested =
    mode === "digest" ||
    (channel === "email" &&
      input.priority !== "URGENT" &&
      preferences.digestCategories.includes(input.category));
  if (digested) {
    const after = Math.max(input.now, input.sendAt ?? 0);
    return {
      channel,
      status: "digest",
      reason: "digest",
      runAt: nextLocalTime(after, zone, preferences.digestHour * 60),
    };
  }
  let runAt = input.now;
  let reason: DecisionReason | undefined;
  if (input.sendAt !== null && input.sendAt > input.now) {
    runAt = input.sendAt;
    reason = "send-at";
  }
  if (policy.quietHours === "defer" && preferences.quietHours.enabled) {
    const end = quietHoursEnd(runAt, zone, preferences.quietHours);
    if (end !== null) {
      runAt = end;
      reason = "quiet-hours";
    }
  }
  return reason ? { channel, status: "deferred", reason, runAt } : { channel, status: "queued", runAt };
}
