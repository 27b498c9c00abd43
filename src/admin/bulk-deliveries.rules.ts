/**
 * The delivery list's bulk actions: a posted form (the list's filter fields and `action`) as the filter the
 * deliveries service's bulk verbs take, or the reasons it is refused. Pure. Retry takes the failed, unknown and
 * cancelled deliveries of the filter (or the one of those statuses it names); cancel takes the queued ones and,
 * as `herald deliveries cancel` does, refuses to run without a narrowing filter, so no form empties the queue.
 */
import {
  type DeliveryFilter,
  type RetryableStatus,
  retryableStatuses,
} from "../delivery/deliveries.service.ts";
import { deliveryFilter } from "./list-filters.rules.ts";

/** What the bulk form can do to the filtered set. */
export const bulkActions = ["retry", "cancel"] as const;
export type BulkAction = (typeof bulkActions)[number];

/** A bulk action with the filter its verb takes. */
export type BulkRequest =
  | { action: "retry"; filter: DeliveryFilter & { status: RetryableStatus[] } }
  | { action: "cancel"; filter: Omit<DeliveryFilter, "status"> };

type Form = Record<string, string | undefined>;

const isRetryable = (status: string): status is RetryableStatus =>
  (retryableStatuses as readonly string[]).includes(status);

/**
 * A confirmation's `expected`: the count the operator was shown and confirmed (the verb checks it in its own
 * transaction). Null when the form is not a confirmation.
 */
export function confirmedCount(form: Form, issues: string[]): number | null {
  if (form.confirm !== "1") return null;
  const expected = Number(form.expected);
  if (!/^\d{1,15}$/.test(form.expected ?? "")) {
    issues.push("expected must be the count the confirmation showed");
    return null;
  }
  return expected;
}

/** The posted bulk form as a request, or the issues that refuse it. */
export function bulkRequest(form: Form): { request: BulkRequest | null; issues: string[] } {
  const parsed = deliveryFilter(form);
  const issues = [...parsed.issues];
  const action = (form.action ?? "").trim();
  if (!(bulkActions as readonly string[]).includes(action)) issues.push("action must be retry or cancel");
  if (issues.length > 0) return { request: null, issues };

  const { limit: _limit, cursor: _cursor, status, ...filter } = parsed.filter;
  if (action === "retry") {
    const chosen = status ?? [...retryableStatuses];
    if (!chosen.every(isRetryable)) {
      return {
        request: null,
        issues: [
          `only ${retryableStatuses.join(", ")} deliveries can be retried, not ${chosen.join(", ")}: choose one of those statuses, or any`,
        ],
      };
    }
    return { request: { action, filter: { ...filter, status: chosen } }, issues: [] };
  }
  if (status?.some((s) => s !== "queued")) {
    issues.push(
      `only queued deliveries can be cancelled, not ${status.join(", ")}: choose queued, or any status`,
    );
  }
  const narrowed = [
    filter.channel,
    filter.createdFrom,
    filter.createdTo,
    filter.recipientId,
    filter.destination,
  ];
  if (narrowed.every((value) => value === undefined)) {
    issues.push(
      "choose a channel, a date, a recipient or a contact before cancelling: refusing to cancel the whole queue",
    );
  }
  return issues.length > 0 ? { request: null, issues } : { request: { action: "cancel", filter }, issues };
}
