import type { Preferences } from "../preferences/preferences.types.ts";
import { nextLocalTime, quietHoursEnd } from "./local-time.rules.ts";

/** Notification priorities, most urgent first. */
export const priorities = ["URGENT", "HIGH", "MEDIUM", "LOW"] as const;
export type Priority = (typeof priorities)[number];

/** Sort rank of a priority for the job table (0 = most urgent). */
export const priorityRank = (p: Priority): number => priorities.indexOf(p);

/** What a priority does with one channel: send it, collect it into the daily digest, or not use it. */
export type ChannelMode = "send" | "digest" | "off";

/** The priority table: configuration, not scattered ifs (DESIGN.md "Priority policy"). */
export interface PriorityPolicy {
  email: ChannelMode;
  sms: ChannelMode;
  /** URGENT bypasses quiet hours; the others wait until the window ends. */
  quietHours: "bypass" | "defer";
}

/** The default table from DESIGN.md. */
export const defaultPolicy: Record<Priority, PriorityPolicy> = {
  URGENT: { email: "send", sms: "send", quietHours: "bypass" },
  HIGH: { email: "send", sms: "send", quietHours: "defer" },
  MEDIUM: { email: "send", sms: "off", quietHours: "defer" },
  LOW: { email: "digest", sms: "off", quietHours: "defer" },
};

export type Channel = "email" | "sms";

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
  /** The next SMS would exceed the daily or monthly SMS budget (URGENT is exempt). */
  smsOverBudget: boolean;
  /** Too many notifications of this template and subject to this recipient within the loop window. */
  loop: boolean;
}

/**
 * Decides each channel (email, SMS) for a new notification, in order: loop guard → priority table → template
 * has the part → recipient's channel opt-out → category opt-out → contact present and verified → suppression
 * list → rollout → SMS budget (non-URGENT) → digest (LOW, or a category the recipient digests) → `sendAt` →
 * quiet hours in the recipient's zone (deferred to the end of the window, never dropped; URGENT bypasses).
 * An SMS stopped by the budget sends an email instead when the priority table alone had kept email off.
 * The in-app copy is always stored and is not a channel here.
 */
export function decideChannels(input: DecisionInput): ChannelDecision[] {
  const policy = (input.policy ?? defaultPolicy)[input.priority];
  const email = decide("email", policy, input);
  const sms = decide("sms", policy, input);
  if (sms.reason === "budget" && email.status === "skipped" && email.reason === "priority") {
    const fallback = decide("email", { ...policy, email: "send" }, input);
    if (fallback.status !== "skipped")
      return [{ ...fallback, reason: fallback.reason ?? "budget-fallback" }, sms];
  }
  return [email, sms];
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
  if (channel === "sms" && guards?.smsOverBudget && input.priority !== "URGENT") return skip("budget");

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
