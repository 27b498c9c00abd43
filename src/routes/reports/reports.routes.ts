import { createRoute } from "@hono/zod-openapi";
import { ReportQuery } from "../../domain/reports/report-options.input.ts";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonContent, problemOf } from "../../http/schemas.ts";
import { Report, ReportParams } from "./reports.schemas.ts";

export const get = createRoute({
  tags: ["operations"],
  security: bearer,
  middleware: [requireScope("admin")],
  method: "get",
  path: "/v1/reports/{name}",
  summary:
    "One operator report: delivery-rates, sms-costs, volume, failures, top-sms-recipients, loops, retention",
  description:
    "The same figures as `herald report <name> --json`, computed now from the database. The body's `report` field names the report; unknown names are a 404 whose `reports` lists the valid ones.",
  request: { params: ReportParams, query: ReportQuery },
  responses: {
    200: jsonContent(Report, "The report"),
    404: problemOf("No report of that name (`reports` lists the valid names)"),
    ...commonErrors,
  },
});
