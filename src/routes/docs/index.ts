import { dirname, join, normalize } from "node:path";
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import type { AppEnv } from "../../http/env.ts";

/** Swagger UI's files, served from the installed swagger-ui-dist package so /docs works offline. */
const assetsDir = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const ASSETS = "/docs/assets/swagger-ui-dist/";

const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".map": "application/json",
  ".html": "text/html; charset=utf-8",
};

/**
 * Starts Swagger UI. Served as a file rather than inline, so the Content-Security-Policy can forbid inline
 * scripts on every page.
 */
const INIT_SCRIPT = `window.onload = () => {
  window.ui = SwaggerUIBundle({ dom_id: "#swagger-ui", url: "/openapi.json" });
};
`;

/** `GET /docs` (Swagger UI for /openapi.json) and its local assets. */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    "/docs",
    swaggerUI({
      url: "/openapi.json",
      baseUrl: "/docs/assets",
      title: "Herald API",
      manuallySwaggerUIHtml: (asset) =>
        `<div id="swagger-ui"></div>${asset.css.map((href) => `<link rel="stylesheet" href="${href}">`).join("")}${asset.js.map((src) => `<script src="${src}"></script>`).join("")}<script src="/docs/init.js"></script>`,
    }),
  );
  app.get("/docs/init.js", (c) =>
    c.body(INIT_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get(`${ASSETS}*`, async (c) => {
    const name = normalize(c.req.path.slice(ASSETS.length));
    if (name.startsWith("..") || name.includes("/")) return c.notFound();
    const file = Bun.file(join(assetsDir, name));
    if (!(await file.exists())) return c.notFound();
    const ext = name.slice(name.lastIndexOf("."));
    return new Response(file, {
      headers: {
        "content-type": types[ext] ?? "application/octet-stream",
        "cache-control": "public, max-age=86400",
      },
    });
  });
  return app;
}
