/**
 * Notification priorities, most urgent first: the one list the database schema, the API's schemas, the delivery
 * policy and the reports use.
 */
import { z } from "zod";

export const PRIORITIES = ["URGENT", "HIGH", "MEDIUM", "LOW"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A priority as every input contract checks it (one schema, one `Priority` component in the API's document). */
export const PrioritySchema = z.enum(PRIORITIES).meta({ id: "Priority" });

/** Sort rank of a priority for the job table (0 = most urgent). */
export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);
