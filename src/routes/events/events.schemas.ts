import { z } from "@hono/zod-openapi";
import { ActionUrl, EpochMs } from "../../http/schemas.ts";
import { CreatedNotification, Subject } from "../notifications/notifications.schemas.ts";

export const EventInput = z
  .object({
    type: z.string().min(1).max(100).openapi({ example: "repair.approved" }),
    data: z.record(z.string(), z.unknown()).openapi({
      description: "The event's payload: the template context, with recipients at the paths the rule names",
      example: {
        repair: { id: "R-123", title: "Leaking valve", address: "12 Main St" },
        customer: { id: "cust-7", name: "Dana", email: "dana@example.com", emailVerified: true },
      },
    }),
    dedupeKey: z.string().min(1).max(200).nullable().optional(),
    actionUrl: ActionUrl.nullable().optional(),
    subject: Subject.nullable().optional(),
    sendAt: EpochMs.nullable().optional(),
  })
  .strict()
  .openapi("EventInput", {
    // Sent as it is, it works against the seeded `repair.approved` rule (the customer is upserted from the data).
    example: {
      type: "repair.approved",
      data: {
        repair: { id: "R-123", title: "Leaking valve", address: "12 Main St" },
        customer: { id: "cust-7", name: "Dana", email: "dana@example.com", emailVerified: true },
      },
      dedupeKey: "repair-R-123-approved",
      actionUrl: "https://portal.example.com/repairs/R-123",
    },
  });

export const EventResult = z
  .object({ eventType: z.string(), notifications: z.array(CreatedNotification) })
  .openapi("EventResult");
