/**
 * Top failure reasons. Provider messages can quote the address or number they rejected, so messages are
 * redacted first and the groups that then read the same are merged ("Address blocked: [email]" once, with the
 * sum of the counts), which also makes the ranking about the cause rather than the recipient.
 */
import type { Channel } from "../../channels/types.ts";
import { redactSecrets } from "../../observability/log-redaction.rules.ts";

/** Failed attempts grouped by channel, code and raw message, as the query returns them. */
export interface FailureGroup {
  channel: Channel;
  errorCode: string | null;
  errorMessage: string | null;
  count: number;
  lastAt: number;
}

/** Redacts messages, merges groups that became equal, and keeps the `limit` most frequent. */
export function topFailures(groups: FailureGroup[], limit: number): FailureGroup[] {
  const merged = new Map<string, FailureGroup>();
  for (const g of groups) {
    const errorMessage = g.errorMessage === null ? null : redactSecrets(g.errorMessage);
    const key = JSON.stringify([g.channel, g.errorCode, errorMessage]);
    const seen = merged.get(key);
    if (seen) {
      seen.count += g.count;
      seen.lastAt = Math.max(seen.lastAt, g.lastAt);
    } else merged.set(key, { ...g, errorMessage });
  }
  return [...merged.values()]
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt || a.channel.localeCompare(b.channel))
    .slice(0, limit);
}
