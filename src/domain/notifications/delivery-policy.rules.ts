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
  | "send-at"
  | "quiet-hours"
  | "digest";

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
}

/**
 * Decides each channel (email, SMS) for a new notification, in order: priority table → template has the
 * part → recipient's channel opt-out → category opt-out → contact present and verified → digest (LOW) →
 * `sendAt` → quiet hours in the recipient's zone (deferred to the end of the window, never dropped; URGENT
 * bypasses). The in-app copy is always stored and is not a channel here.
 */
export function decideChannels(input: DecisionInput): ChannelDecision[] {
  const policy = (input.policy ?? defaultPolicy)[input.priority];
  return (["email", "sms"] as const).map((channel) => decide(channel, policy, input));
}

function decide(channel: Channel, policy: PriorityPolicy, input: DecisionInput): ChannelDecision {
  const skip = (reason: DecisionReason): ChannelDecision => ({ channel, status: "skipped", reason, runAt: null });
  const { recipient, preferences } = input;
  const mode = policy[channel];
  if (mode === "off") return skip("priority");
  if (!input.templateHas[channel]) return skip("no-template");
  if (!(channel === "email" ? preferences.emailEnabled : preferences.smsEnabled)) return skip("channel-opt-out");
  if (preferences.categoryOptOuts[channel].includes(input.category)) return skip("category-opt-out");
  const contact = channel === "email" ? recipient.email : recipient.phone;
  const verified = channel === "email" ? recipient.emailVerified : recipient.phoneVerified;
  if (!contact) return skip("no-contact");
  if (!verified) return skip("unverified-contact");

  const zone = recipient.timezone;
  if (mode === "digest") {
    const after = Math.max(input.now, input.sendAt ?? 0);
    return { channel, status: "digest", reason: "digest", runAt: nextLocalTime(after, zone, preferences.digestHour * 60) };
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
