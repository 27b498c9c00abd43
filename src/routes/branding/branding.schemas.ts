import { z } from "@hono/zod-openapi";

export const Branding = z
  .object({
    companyName: z.string(),
    logoUrl: z.string().nullable(),
    primaryColor: z.string(),
    accentColor: z.string(),
    footerText: z.string(),
    supportEmail: z.string().nullable(),
    fromName: z.string(),
  })
  .openapi("Branding");
