import { createRoute } from "@hono/zod-openapi";
import { htmlContent, problemOf } from "../../http/schemas.ts";
import { LinkQuery, PreferenceFormBody, SaveQuery } from "./preference-page.schemas.ts";

const base = { tags: ["preference page"] };
const linkErrors = {
  400: problemOf("No token, or a malformed form"),
  403: problemOf("The link is not valid"),
  404: problemOf("No such recipient (erased)"),
};

export const page = createRoute({
  ...base,
  method: "get",
  path: "/preferences",
  summary: "The recipient's preference page (the link in every email)",
  description:
    "Server-rendered: email and SMS on or off, topics per channel and for the daily digest, quiet hours and the digest hour, and a link to unsubscribe from all email. No login: the signed token in the link names the recipient. When HERALD_PREFERENCES_URL is set, emails link to that page instead.",
  request: { query: LinkQuery },
  responses: { 200: htmlContent("The page"), ...linkErrors },
});

export const save = createRoute({
  ...base,
  method: "post",
  path: "/preferences",
  summary: "Save the preference page's form",
  description:
    "Replaces the recipient's preferences with what the form says (topics the page did not list keep their setting), then redirects to the page (303) with a notice. Quiet hours that end where they start re-show the page with the error (400).",
  request: {
    query: SaveQuery,
    body: {
      content: { "application/x-www-form-urlencoded": { schema: PreferenceFormBody } },
      required: true,
    },
  },
  responses: {
    303: { description: "Saved: back to the page" },
    ...linkErrors,
    400: {
      description: "Quiet hours that end where they start (the page, with the error), or a malformed form",
      content: {
        "text/html": htmlContent("").content["text/html"],
        "application/problem+json": problemOf("").content["application/problem+json"],
      },
    },
  },
});
