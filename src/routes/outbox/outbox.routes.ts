import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonContent } from "../../http/schemas.ts";
import { OutboxPage, OutboxQuery } from "./outbox.schemas.ts";

export const list = createRoute({
  tags: ["outbox"],
  security: bearer,
  middleware: [requireScope("admin")],
  method: "get",
  path: "/v1/outbox",
  summary: "Messages the outbox providers captured instead of sending (newest first)",
  description:
    "With HERALD_EMAIL_PROVIDER / HERALD_SMS_PROVIDER set to `outbox` (the default), nothing leaves the machine: it is kept here.",
  request: { query: OutboxQuery },
  responses: { 200: jsonContent(OutboxPage, "A page of captured messages"), ...commonErrors },
});
