import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { fieldIssues } from "../errors.ts";
import { validationError } from "./problem.ts";

/**
 * A router whose request validation failures become 400 problem+json with every issue listed, instead of
 * zod-openapi's default plain JSON.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(fieldIssues(result.error.issues));
    },
  });
}

/** The router type every resource module returns. */
export type Router = ReturnType<typeof createRouter>;
