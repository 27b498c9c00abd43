import { z } from "@hono/zod-openapi";
import { EpochMs, Priority } from "../../http/schemas.ts";

export const EventType = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits and . _ - (e.g. repair.approved)")
  .openapi({ param: { name: "eventType", in: "path" }, example: "repair.approved" });

/**
 * A rule's priority, or null for "the template's default". A union rather than `Priority.nullable()`: on a
 * registered component, the latter is published as `allOf: [Priority, {type: [string, null]}]`, which no null
 * satisfies.
 */
export const RulePriority = z.union([Priority, z.null()]);

/** A dotted path into an event's data, such as `repair.id`. */
export const SubjectPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w-]+(\.[\w-]+)*$/, "a dotted path into the event's data, such as repair.id");

export const RuleInput = z
  .object({
    description: z.string().max(500).optional(),
    template: z.string().min(1).max(100),
    recipients: z
      .array(z.string().min(1).max(100))
      .min(1)
      .openapi({ description: "Paths into the event's data that hold recipients", example: ["customer"] }),
    priority: RulePriority.optional(),
    category: z.string().min(1).max(64).nullable().optional(),
    subjectPath: SubjectPath.nullable().optional().openapi({
      description:
        "Where in the event's data the id of what the event is about is (e.g. `repair.id`): its notifications' subject, by which the loop guard counts. Null or absent: `<namespace>.id` (`repair.id` for `repair.*` events). A top-level `subject` in the event wins.",
      example: "repair.id",
    }),
    active: z.boolean().optional(),
  })
  .strict()
  .openapi("RuleInput", {
    example: {
      description: "Tell the customer their request was approved.",
      template: "repair-approved",
      recipients: ["customer"],
      priority: null,
      category: "repair",
      subjectPath: "repair.id",
      active: true,
    },
  });

export const Rule = z
  .object({
    eventType: z.string(),
    description: z.string(),
    template: z.string(),
    recipients: z.array(z.string()),
    priority: RulePriority,
    category: z.string().nullable(),
    subjectPath: z.string().nullable().openapi({ description: "Null: `<namespace>.id` of the event type" }),
    active: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Rule");
