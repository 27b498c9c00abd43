/**
 * /docs in a real browser (Debian's chromium through playwright-core): Swagger UI renders the API with every
 * request staying on loopback. Needs chromium: `.ci/run` installs it; elsewhere a missing chromium skips loudly (helpers/requires-tool.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { openLoopbackBrowser } from "../helpers/browser.ts";
import { CHROMIUM, requireTool } from "../helpers/requires-tool.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const chromiumTool = requireTool(CHROMIUM);

chromiumTool.describe("GET /docs in chromium", () => {
  test("renders Swagger UI listing the recipients operations, with no request leaving loopback", async () => {
    const t = await makeTestApp();
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
    afterAll(() => server.stop(true));
    const origin = `http://127.0.0.1:${server.port}`;

    const browser = await openLoopbackBrowser(chromiumTool.path, origin);
    const { page, requested, pageErrors, cspViolations } = browser;
    try {
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
      await browser.close();
    }
  }, 60_000);
});
