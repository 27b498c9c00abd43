/**
 * The recipient's preference page in a real browser (Debian's chromium through playwright-core) at a phone's
 * width (375 px): the link from an email opens it, it fits the screen, every control has a label a screen
 * reader and `getByLabel` find, and a recipient can change their choices and see them saved. No script, no
 * request leaves loopback, no console error, no CSP violation. Needs chromium: `.ci/run` installs it; elsewhere
 * a missing chromium skips loudly (helpers/requires-tool.ts).
 */
import { afterAll, expect, test } from "bun:test";
import { linkToken } from "../../src/domain/recipient-tokens/recipient-links.ts";
import { openLoopbackBrowser } from "../helpers/browser.ts";
import { CHROMIUM, requireTool } from "../helpers/requires-tool.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const chromiumTool = requireTool(CHROMIUM);

chromiumTool.describe("the preference page in chromium at 375 px", () => {
  test("a recipient turns SMS off, digests a topic, drops one by email, sets quiet hours and sees them saved", async () => {
    const t = await makeTestApp();
    await t.call("PUT", "/v1/recipients/tech-7", {
      body: {
        kind: "technician",
        name: "Sam",
        email: "sam@example.com",
        phone: "+15551230007",
        timezone: "Europe/Berlin",
      },
    });
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
    afterAll(() => server.stop(true));
    const origin = `http://127.0.0.1:${server.port}`;
    const link = `${origin}/preferences?token=${linkToken(t.deps.tokenSecret, "preferences", "tech-7")}`;

    const browser = await openLoopbackBrowser(chromiumTool.path, origin, {
      viewport: { width: 375, height: 740 },
      mobile: true,
    });
    const { page } = browser;
    try {
      const response = await page.goto(link, { waitUntil: "load" });
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("heading", { name: "Notification preferences" }).isVisible()).resolves.toBe(
        true,
      );
      // Fits a phone: nothing wider than the screen, so no sideways scrolling.
      const width = await page.evaluate("document.documentElement.scrollWidth");
      expect(width).toBeLessThanOrEqual(375);
      // Controls big enough to tap (WCAG 2.5.8 asks for 24 px; the page aims at 44).
      const save = page.getByRole("button", { name: "Save preferences" });
      expect((await save.boundingBox())?.height).toBeGreaterThanOrEqual(44);

      await page.getByLabel("Text messages (SMS)").uncheck();
      await page.getByLabel("repair in the daily digest email").check();
      await page.getByLabel("system by email").uncheck();
      await page.getByLabel("Hold email and SMS during quiet hours").check();
      await page.getByLabel("From").fill("21:00");
      await page.getByLabel("Until").fill("06:30");
      await page.getByLabel("Send it at").selectOption("7");
      await Promise.all([page.waitForURL(/saved=1/), save.click()]);

      await expect(page.getByRole("status").textContent()).resolves.toContain("Your preferences are saved.");
      expect(await page.getByLabel("Text messages (SMS)").isChecked()).toBe(false);
      expect(await page.getByLabel("repair in the daily digest email").isChecked()).toBe(true);
      expect(await page.getByLabel("From").inputValue()).toBe("21:00");

      const stored = await (await t.call("GET", "/v1/recipients/tech-7/preferences")).json();
      expect(stored).toEqual({
        emailEnabled: true,
        smsEnabled: false,
        categoryOptOuts: { email: ["system"], sms: [] },
        quietHours: { enabled: true, start: "21:00", end: "06:30" },
        digestHour: 7,
        digestCategories: ["repair"],
      });
      if (process.env.HERALD_SCREENSHOTS) {
        await page.screenshot({
          path: `${process.env.HERALD_SCREENSHOTS}/preferences-375.png`,
          fullPage: true,
        });
      }
      expect([
        ...browser.pageErrors,
        ...browser.consoleErrors,
        ...browser.cspViolations,
        ...browser.failedRequests,
      ]).toEqual([]);
      expect(browser.requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
