import { z } from "@hono/zod-openapi";

export const UnsubscribeQuery = z.object({
  token: z
    .string()
    .min(1)
    .max(600)
    .openapi({ description: "The signed token from the email's unsubscribe link" }),
});
