import type { OpenAPIHono } from "@hono/zod-openapi";
import { ProblemSchema } from "../../src/http/schemas.ts";

/** Something with a `safeParse`: the zod schemas zod-openapi keeps in its registry. */
interface ParsingSchema {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly Issue[] } };
}
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}
interface DeclaredResponse {
  content?: Record<string, { schema?: unknown }>;
}
interface DeclaredRoute {
  method: string;
  path: string;
  responses: Record<string, DeclaredResponse>;
}

/** Thrown by {@link checkResponse} when a response breaks the route's declared contract. */
export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractViolation";
  }
}

/** Anything carrying zod-openapi's registry: the app or any router. */
export type Documented = Pick<OpenAPIHono, "openAPIRegistry">;

const routeCache = new WeakMap<object, { route: DeclaredRoute; pattern: RegExp; params: number }[]>();

/** The app's declared routes with a matcher for each `{param}` path, literal paths first. */
function declaredRoutes(app: Documented) {
  let routes = routeCache.get(app);
  if (routes) return routes;
  routes = app.openAPIRegistry.definitions
    .flatMap((def) => (def.type === "route" ? [def.route as unknown as DeclaredRoute] : []))
    .map((route) => {
      const parts = route.path.split("/");
      const source = parts
        .map((part) => (/^\{.+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      return {
        route,
        pattern: new RegExp(`^${source}$`),
        params: parts.filter((p) => p.startsWith("{")).length,
      };
    })
    // `/v1/templates/defaults` must win over `/v1/templates/{name}`.
    .sort((a, b) => a.params - b.params);
  routeCache.set(app, routes);
  return routes;
}

/** The route definition serving `method path`, if the app declares one. */
export function findDeclaredRoute(app: Documented, method: string, path: string): DeclaredRoute | undefined {
  const pathname = new URL(path, "http://local").pathname;
  const verb = method.toLowerCase();
  return declaredRoutes(app).find((r) => r.route.method === verb && r.pattern.test(pathname))?.route;
}

const mediaType = (header: string | null) => (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
const isJson = (type: string) => type === "application/json" || type.endsWith("+json");

function describeIssues(issues: readonly Issue[]): string {
  return issues
    .slice(0, 10)
    .map((i) => `  ${i.path.map(String).join(".") || "(body)"}: ${i.message}`)
    .join("\n");
}

function parse(schema: unknown, body: unknown, where: string) {
  const parser = schema as Partial<ParsingSchema>;
  if (typeof parser?.safeParse !== "function") return; // a plain JSON-schema object: nothing to run
  const result = (parser as ParsingSchema).safeParse(body);
  if (!result.success) {
    throw new ContractViolation(
      `${where}: the body does not match the declared schema\n${describeIssues(result.error.issues)}`,
    );
  }
}

/**
 * Checks `response` (to `method path` on `app`) against the route's OpenAPI declaration: the status must be
 * declared, the content type must be one the status declares, and the body must parse with its zod schema.
 * Responses of undeclared routes (404/405 for unknown paths, /docs assets) are checked only for being
 * problem+json when they are errors. Streams (`text/event-stream`) are not read.
 */
export async function checkResponse(
  app: Documented,
  method: string,
  path: string,
  response: Response,
): Promise<void> {
  const where = `${method} ${path} → ${response.status}`;
  const type = mediaType(response.headers.get("content-type"));
  const route = findDeclaredRoute(app, method, path);
  if (!route) {
    if (response.status >= 400) {
      if (type !== "application/problem+json")
        throw new ContractViolation(`${where}: error is ${type}, not problem+json`);
      parse(ProblemSchema, await response.clone().json(), where);
    }
    return;
  }
  const declared = route.responses[String(response.status)] ?? route.responses.default;
  if (!declared) {
    const statuses = Object.keys(route.responses).join(", ");
    throw new ContractViolation(
      `${where}: status not declared for ${route.method.toUpperCase()} ${route.path} (declared: ${statuses})`,
    );
  }
  const content = declared.content ?? {};
  if (Object.keys(content).length === 0) {
    const text = response.body ? await response.clone().text() : "";
    if (text !== "") throw new ContractViolation(`${where}: declares no body but got ${text.length} bytes`);
    return;
  }
  const entry = content[type];
  if (!entry) {
    throw new ContractViolation(
      `${where}: content type '${type}' not declared (declared: ${Object.keys(content).join(", ")})`,
    );
  }
  if (type === "text/event-stream") return; // endless by design
  const body = isJson(type) ? await response.clone().json() : await response.clone().text();
  parse(entry.schema, body, where);
}
