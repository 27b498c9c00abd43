/**
 * The options of a report as a query string (`GET /v1/reports/{name}`, the console's report form): one contract,
 * so the console refuses exactly what the API refuses. Plain zod; descriptions are zod metadata, which the API's
 * OpenAPI document reads.
 */
import { z } from "zod";
import { WINDOW_PATTERN } from "./report-window.rules.ts";

export const ReportQuery = z.object({
  window: z
    .string()
    .regex(WINDOW_PATTERN, "must be a number of hours or days, like 24h or 7d")
    .optional()
    .meta({
      description:
        "Window ending now (`24h`, `7d`, at most 366d): volume, failures, top-sms-recipients (default 7d), loops' skip count (default 24h)",
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: "Rows in ranked lists (default 20)" }),
});
