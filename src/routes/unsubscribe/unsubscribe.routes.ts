import { createRoute } from "@hono/zod-openapi";
import { htmlContent, problemOf } from "../../http/schemas.ts";
import { UnsubscribeQuery } from "./unsubscribe.schemas.ts";

const invalid = { 400: problemOf("No token, or a query parameter other than token") };

export const page = createRoute({
  method: "get",
  path: "/unsubscribe",
  tags: ["unsubscribe"],
  summary: "Confirmation page for an email's unsubscribe link",
  description:
    "Changes nothing: mail scanners and link previews open links. The page's button POSTs to the same URL.",
  request: { query: UnsubscribeQuery },
  responses: {
    200: htmlContent("The confirmation page"),
    ...invalid,
    403: problemOf("The link is not valid"),
    404: problemOf("No such recipient"),
  },
});

export const unsubscribe = createRoute({
  method: "post",
  path: "/unsubscribe",
  tags: ["unsubscribe"],
  summary: "Turn off email for the link's recipient (RFC 8058 one-click, or the confirmation page's button)",
  request: { query: UnsubscribeQuery },
  responses: {
    200: htmlContent("Unsubscribed"),
    ...invalid,
    403: problemOf("The link is not valid"),
    404: problemOf("No such recipient"),
  },
});
