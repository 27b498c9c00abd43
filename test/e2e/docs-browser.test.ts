/**
 * /docs in a real browser (Debian's chromium through playwright-core): Swagger UI renders the API with every
 * request staying on loopback. Needs chromium: `.ci/run` installs it; elsewhere a missing chromium skips loudly (helpers/requires-tool.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { chromium } from "playwright-core";
import { CHROMIUM, requireTool } from "../helpers/requires-tool.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const chromiumTool = requireTool(CHROMIUM);

chromiumTool.describe("GET /docs in chromium", () => {
  test("renders Swagger UI listing the recipients operations, with no request leaving loopback", async () => {
    const t = await makeTestApp();
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
    afterAll(() => server.stop(true));
    const origin = `http://127.0.0.1:${server.port}`;

    const context = await chromium.launchPersistentContext(tempDir("herald-chromium-"), {
      executablePath: chromiumTool.path,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      // Every request the page makes is recorded; anything not for our server is refused, never sent.
      const requested: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        requested.push(url);
        return url.startsWith(`${origin}/`) ? route.continue() : route.abort("blockedbyclient");
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      const cspViolations: string[] = [];
      page.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
      });

      const response = await page.goto(`${origin}/docs`, { waitUntil: "load" });
      expect(response?.status()).toBe(200);
      expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
      const recipients = page.locator(".opblock", { hasText: "/v1/recipients/{id}" });
      await recipients.first().waitFor({ state: "visible", timeout: 20_000 });

      const methods = await recipients.locator(".opblock-summary-method").allTextContents();
      expect(methods.map((m) => m.trim()).sort()).toEqual(expect.arrayContaining(["DELETE", "GET", "PUT"]));
      expect(await page.locator(".info .title").textContent()).toContain("Herald");
      expect(pageErrors).toEqual([]);
      expect(cspViolations).toEqual([]);
      expect(requested).toContain(`${origin}/openapi.json`);
      expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
