/**
 * Gradual rollout of a channel: which recipients a channel is switched on for. Percentages use a stable hash of
 * the recipient id, so the same recipient stays in (or out) across requests, restarts and processes, and
 * raising the percentage only adds recipients.
 */
import type { RecipientKind, Rollout } from "../ops-settings/ops-settings.rules.ts";

const utf8 = new TextEncoder();

/**
 * The recipient's bucket, 0-99: FNV-1a (32-bit) of the id's UTF-8 bytes, modulo 100. Fixed forever: changing it
 * would reshuffle who is in a percentage rollout.
 */
export function rolloutBucket(recipientId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(recipientId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}

/** True when `rollout` includes the recipient. */
export function rolloutIncludes(rollout: Rollout, recipient: { id: string; kind: RecipientKind }): boolean {
  switch (rollout.mode) {
    case "all":
      return true;
    case "none":
      return false;
    case "staff":
      return recipient.kind === "staff";
    case "kinds":
      return rollout.kinds.includes(recipient.kind);
    case "percent":
      return rolloutBucket(recipient.id) < rollout.percent;
  }
}
