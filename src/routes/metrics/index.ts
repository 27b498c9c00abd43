import { createHash, timingSafeEqual } from "node:crypto";
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { createRouter } from "../../http/router.ts";
import { PROMETHEUS_CONTENT_TYPE, scrape } from "./metrics.routes.ts";

/** Compares digests, so the comparison takes the same time whatever the lengths and contents. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `GET /metrics`, guarded by HERALD_METRICS_TOKEN when it is set. */
export function metricsRoutes(deps: Deps) {
  const token = deps.config.HERALD_METRICS_TOKEN;
  return createRouter().openapi(scrape, async (c) => {
    if (token) {
      const given = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      if (!given || !sameSecret(given, token)) {
        throw new AppError("unauthenticated", "Send 'Authorization: Bearer <HERALD_METRICS_TOKEN>'");
      }
    }
    const text = await deps.metrics.registry.render();
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  });
}
