import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../domain/pagination.rules.ts";
import { SuppressionFilter, SuppressionKey } from "../../domain/suppressions/suppressions.input.ts";
import { Channel, EpochMs, pageInfo } from "../../http/schemas.ts";

export const Suppression = z
  .object({
    channel: Channel,
    contact: z.string().openapi({ description: "Normalised: lower-case email address or E.164 number" }),
    reason: z.enum(["bounce", "complaint", "opt-out", "manual"]),
    source: z.string().openapi({ description: "ses, sns or operator" }),
    detail: z
      .string()
      .nullable()
      .openapi({ description: "Bounce subtype, complaint feedback type or operator note" }),
    createdAt: EpochMs,
  })
  .openapi("Suppression");

export const SuppressionPage = z
  .object({ items: z.array(Suppression), ...pageInfo })
  .openapi("SuppressionPage");

export const SuppressionQuery = PageQuery.extend(SuppressionFilter.shape);

export const SuppressionParams = z.object({
  channel: Channel.openapi({ param: { name: "channel", in: "path" } }),
  // meta, not openapi: a domain schema may be built before @hono/zod-openapi extends zod.
  contact: SuppressionKey.shape.contact.meta({
    param: { name: "contact", in: "path" },
    description: "URL-encoded email address or E.164 number",
    example: "ann%40example.com",
  }),
});
