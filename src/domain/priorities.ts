/**
 * Notification priorities, most urgent first: the one list the database schema, the API's schemas, the delivery
 * policy and the reports use.
 */
export const PRIORITIES = ["URGENT", "HIGH", "MEDIUM", "LOW"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Sort rank of a priority for the job table (0 = most urgent). */
export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);
