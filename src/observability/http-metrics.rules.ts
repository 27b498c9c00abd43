/**
 * Labels of `herald_http_request_duration_seconds`, bounded so that no client can create series at will: the
 * route is the matched pattern (never the raw path, which carries ids and tokens), methods outside the standard
 * set collapse to `other`, and the status is its class.
 */
const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The label set for one request: `route` as Hono matched it (`/v1/recipients/:id`), `method`, `status` ("2xx"). */
export function httpRequestLabels(
  routePath: string,
  method: string,
  status: number,
): { route: string; method: string; status: string } {
  return {
    route: routePath,
    method: methods.has(method) ? method : "other",
    status: status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other",
  };
}
