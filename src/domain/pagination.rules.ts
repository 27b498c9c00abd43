import { z } from "zod";

/**
 * Opaque cursor pagination parameters shared by every list, in the API's query strings and the CLI's flags
 * alike (so both refuse the same values).
 */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: "Page size (1-200)" }),
  cursor: z.string().max(200).optional().meta({ description: "`nextCursor` from the previous page" }),
});
