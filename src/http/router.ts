import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { fieldIssues } from "../errors.ts";
import { acceptsQueryCredential, QUERY_CREDENTIAL } from "./auth.ts";
import type { AppEnv } from "./env.ts";
import { validationError } from "./problem.ts";

/**
 * A router whose request validation failures become 400 problem+json with every issue listed, instead of
 * zod-openapi's default plain JSON, and whose routes with a query schema reject query parameters the schema
 * does not name (a typo like `?recipient=` for `?recipientId=` would otherwise be dropped and widen the query).
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(fieldIssues(result.error.issues));
    },
  });
  const register = router.openapi;
  router.openapi = ((route, handler, hook) => {
    const query = route.request?.query;
    if (!(query instanceof z.ZodObject)) return register(route, handler, hook);
    const declared = route.middleware ?? [];
    const middleware = [
      ...(Array.isArray(declared) ? declared : [declared]),
      rejectUnknownQuery(Object.keys(query.shape)),
    ];
    return register({ ...route, middleware }, handler, hook);
  }) as typeof register;
  return router;
}

/** The router type every resource module returns. */
export type Router = ReturnType<typeof createRouter>;

/**
 * Fails with a 400 naming every query parameter outside `known` (the credential parameter counts as known
 * where authentication reads it). Runs after the route's own middleware (so authorization answers first)
 * and before its validators.
 */
export function rejectUnknownQuery(known: readonly string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(known);
  return async (c, next) => {
    const credential = acceptsQueryCredential(c.req.path) ? QUERY_CREDENTIAL : null;
    const unknown = Object.keys(c.req.queries()).filter((name) => !allowed.has(name) && name !== credential);
    if (unknown.length > 0) {
      const expected =
        known.length > 0 ? `; this route accepts ${known.join(", ")}` : "; this route accepts none";
      throw validationError(
        unknown.map((name) => ({ path: name, message: `Unknown query parameter${expected}` })),
      );
    }
    await next();
  };
}
