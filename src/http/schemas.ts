import { z } from "@hono/zod-openapi";
import { CHANNELS } from "../channels/types.ts";
import { PrioritySchema } from "../domain/priorities.ts";
import { isWebUrl } from "../domain/web-url.rules.ts";
import { errorStatus } from "../errors.ts";
import { MAX_JSON_DEPTH } from "./json-depth.ts";

/** Shared OpenAPI schemas and the error responses every route declares. */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus, ...(keyof typeof errorStatus)[]]),
    requestId: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Error responses shared by every authenticated route; spread into `responses`. */
export const commonErrors = {
  400: problem(
    `Invalid request (validation failed, malformed JSON, or JSON nested deeper than ${MAX_JSON_DEPTH} levels)`,
  ),
  401: problem("Missing or invalid credentials"),
  403: problem("The credential lacks the scope this route needs"),
  413: problem("Body larger than 1 MiB"),
  415: problem("The body is not application/json"),
  500: problem("Unexpected error"),
  503: problem("The database stayed locked by another process; retry after the Retry-After seconds"),
} as const;

/** Builds one problem response entry for a route's `responses`. */
export const problemOf = problem;

/** A JSON body entry for `responses` / `request.body`. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** An HTML page response (the recipient pages). */
export function htmlContent(description: string) {
  return { description, content: { "text/html": { schema: z.string() } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description = "JSON body") {
  return { required: true, description, content: { "application/json": { schema } } };
}

/** Pagination envelope fields. */
export const pageInfo = { nextCursor: z.string().nullable() };

/** A notification priority (defined with the domain's input contracts, which use it too). */
export const Priority = PrioritySchema;
export const Channel = z.enum(CHANNELS).openapi("Channel");

/** Epoch milliseconds (UTC). */
export const EpochMs = z
  .number()
  .int()
  .openapi({ description: "Epoch milliseconds (UTC)", example: 1768478400000 });

/** The bearer security requirement every /v1 route declares. */
export const bearer = [{ bearerAuth: [] }];

/** A notification's link: an http(s) URL (web-url.rules.ts), what the email's button and the inbox open. */
export const ActionUrl = z
  .string()
  .url()
  .max(2048)
  .refine(isWebUrl, "must be an http:// or https:// URL")
  .openapi({ description: "An http(s) URL the notification links to (email button, inbox item)" });
