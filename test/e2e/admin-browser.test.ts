/**
 * The admin console in a real browser (Debian's chromium through playwright-core), as an operator uses it: sign
 * in with the admin key, open every section from the navigation, filter the notifications, retry a failed
 * delivery, save a template with a Liquid syntax error and find the error at its field, turn maintenance on and
 * off. Every page is also opened at a phone's width (375 px) and must not scroll sideways. The test fails on any
 * script error, console error, CSP violation, failed request, and any request that leaves loopback.
 *
 * It takes the README's screenshots as it goes: into a temp directory, or into test/e2e/admin-screenshots/
 * when run as `npm run docs:screenshots` (HERALD_SCREENSHOT_DIR).
 */
import { afterAll, expect } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { deliveries } from "../../db/schema.ts";
import { ADMIN_SECTIONS } from "../admin/admin-session.ts";
import { type LoopbackBrowser, openLoopbackBrowser } from "../helpers/browser.ts";
import { CHROMIUM, requireTool } from "../helpers/requires-tool.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const chromiumTool = requireTool(CHROMIUM);
const SCREENSHOTS = process.env.HERALD_SCREENSHOT_DIR ?? tempDir("herald-admin-shots-");

/** Everything the page reported that a working console never does. */
function problems(browser: LoopbackBrowser, origin: string) {
  return {
    pageErrors: browser.pageErrors,
    consoleErrors: browser.consoleErrors,
    cspViolations: browser.cspViolations,
    failedRequests: browser.failedRequests,
    offMachine: browser.requested.filter((url) => !url.startsWith(`${origin}/`)),
  };
}
/**
 * Takes the console error chromium logs for a page answered with `status` out of the record: the test asked for
 * that refusal (a portal key at the sign-in, a template with an error), and every other error still fails it.
 */
function expectRefusalLogged(browser: LoopbackBrowser, status: number) {
  const index = browser.consoleErrors.findIndex((m) => m.includes(`status of ${status}`));
  expect(index).toBeGreaterThanOrEqual(0);
  browser.consoleErrors.splice(index, 1);
}
const none = { pageErrors: [], consoleErrors: [], cspViolations: [], failedRequests: [], offMachine: [] };

chromiumTool.test(
  "an operator signs in, visits every section, filters, retries, meets a template error and toggles maintenance",
  async () => {
    // Real time: ids are ULIDs of their creation time and the pages filter by date.
    const t = await makeTestApp({ now: Date.now() });
    const recipients = [
      {
        id: "tech-1",
        kind: "technician",
        name: "Alex Rivera",
        email: "alex@example.com",
        phone: "+15551230001",
      },
      {
        id: "cust-2",
        kind: "customer",
        name: "Dana Whitfield",
        email: "dana@example.com",
        phone: "+15551230002",
      },
    ];
    for (const { id, ...body } of recipients) {
      const put = await t.call("PUT", `/v1/recipients/${id}`, {
        body: { ...body, emailVerified: true, phoneVerified: true, timezone: "UTC" },
      });
      expect(put.status).toBe(201);
    }
    const context = {
      repair: { id: "R-10423", title: "Replace compressor", address: "12 Main St, Springfield" },
      technician: { name: "Alex Rivera" },
      customer: { name: "Dana Whitfield" },
      approvedBy: "Sam Ortiz",
      scheduledFor: "Tuesday 9:00",
    };
    const created: { id: string; priority: string; deliveryIds: string[] }[] = [];
    for (const [i, priority] of ["URGENT", "HIGH", "MEDIUM", "LOW", "HIGH", "URGENT"].entries()) {
      const res = await t.call("POST", "/v1/notifications", {
        body: {
          recipientId: recipients[i % 2]?.id,
          template: "repair-approved",
          priority,
          subject: { type: "repair", id: `R-${1000 + i}` },
          context: { ...context, repair: { ...context.repair, id: `R-${1000 + i}` } },
        },
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as {
        notification: { id: string };
        decisions: { deliveryId?: string | null }[];
      };
      const deliveryIds = body.decisions.flatMap((d) => (d.deliveryId ? [d.deliveryId] : []));
      created.push({ id: body.notification.id, priority, deliveryIds });
    }
    // One email failed for good, as a provider would have left it.
    const failedId = created[1]?.deliveryIds[0] as string;
    await t.deps.db.write((tx) =>
      tx.run(
        sql`UPDATE deliveries SET status = 'failed', attempts = 3, last_error = 'mailbox unavailable' WHERE id = ${failedId}`,
      ),
    );

    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
    afterAll(() => server.stop(true));
    const origin = `http://127.0.0.1:${server.port}`;
    mkdirSync(SCREENSHOTS, { recursive: true });
    const browser = await openLoopbackBrowser(chromiumTool.path, origin, {
      viewport: { width: 1280, height: 860 },
    });
    const { page } = browser;
    const shoot = (name: string) =>
      page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false, animations: "disabled" });
    try {
      // Sign in: the console sends a browser without a session to the form.
      await page.goto(`${origin}/admin`);
      expect(new URL(page.url()).pathname).toBe("/admin/login");
      await page.getByLabel("Admin API key").fill(t.portalKey);
      await page.getByRole("button", { name: "Sign in" }).click();
      expect(await page.getByRole("alert").or(page.locator(".error")).first().textContent()).toContain(
        "not an admin key",
      );
      expectRefusalLogged(browser, 401);
      await page.getByLabel("Admin API key").fill(t.adminKey);
      await Promise.all([
        page.waitForURL(`${origin}/admin`),
        page.getByRole("button", { name: "Sign in" }).click(),
      ]);
      await shoot("overview");

      // Every section from the navigation, each answering with its heading.
      const nav = page.getByRole("navigation", { name: "Sections" });
      for (const section of ADMIN_SECTIONS) {
        const response = page.waitForResponse((r) => r.request().isNavigationRequest());
        await nav.getByRole("link", { name: section, exact: true }).click();
        expect((await response).status()).toBe(200);
        await expect(
          nav.getByRole("link", { name: section, exact: true }).getAttribute("aria-current"),
        ).resolves.toBe("page");
        expect(await page.locator("h1").count()).toBe(1);
      }

      // Notifications filtered to URGENT: exactly the two URGENT ones, each with its red badge.
      await nav.getByRole("link", { name: "Notifications", exact: true }).click();
      await page.getByLabel("Priority").selectOption("URGENT");
      await Promise.all([
        page.waitForURL(/priority=URGENT/),
        page.getByRole("button", { name: "Filter" }).click(),
      ]);
      const urgent = created.filter((n) => n.priority === "URGENT").map((n) => n.id);
      for (const id of urgent)
        await expect(page.locator(`a[href="/admin/notifications/${id}"]`).count()).resolves.toBe(1);
      await expect(
        page.locator("tbody .priority-high, tbody .priority-medium, tbody .priority-low").count(),
      ).resolves.toBe(0);
      await shoot("notifications");

      // The failed delivery: found by the status filter, retried from its page, back in the queue.
      await nav.getByRole("link", { name: "Deliveries", exact: true }).click();
      await page.getByLabel("Status").selectOption("failed");
      await Promise.all([
        page.waitForURL(/status=failed/),
        page.getByRole("button", { name: "Filter" }).click(),
      ]);
      await page.locator(`a[href="/admin/deliveries/${failedId}"]`).first().click();
      await expect(page.getByText("mailbox unavailable").first().isVisible()).resolves.toBe(true);
      await shoot("delivery");
      await Promise.all([
        page.waitForURL(/done=retried/),
        page.getByRole("button", { name: "Retry now" }).click(),
      ]);
      await expect(page.getByRole("status").first().textContent()).resolves.toContain("back in the queue");
      const [row] = await t.deps.db.read.select().from(deliveries).where(eq(deliveries.id, failedId));
      expect(row?.status).toBe("queued");

      // A template saved with a Liquid syntax error: refused, the error at its field with line and column.
      await nav.getByRole("link", { name: "Templates", exact: true }).click();
      await page.locator('a[href="/admin/templates/repair-approved"]').first().click();
      const message = page.locator("#f-message");
      await message.fill("Repair {{ repair.id } approved");
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect(message.getAttribute("aria-invalid")).resolves.toBe("true");
      const error = await page.locator("#err-message").textContent();
      expect(error).toMatch(/line 1, column \d+/);
      await expect(message.inputValue()).resolves.toBe("Repair {{ repair.id } approved");
      expectRefusalLogged(browser, 422);
      await shoot("template-error");
      const template = await t.call("GET", "/v1/templates/repair-approved");
      expect(((await template.json()) as { message: string }).message).not.toContain("{{ repair.id }");

      // Maintenance on with a note: the banner says so on every page; off again: gone.
      await nav.getByRole("link", { name: "Settings", exact: true }).click();
      await page.getByLabel("Note for other operators (optional)").fill("SES identity check");
      await page.getByRole("button", { name: "Turn maintenance on" }).click();
      await nav.getByRole("link", { name: "Deliveries", exact: true }).click();
      await expect(page.getByText("Maintenance mode is on").first().isVisible()).resolves.toBe(true);
      await expect(page.getByText("SES identity check").first().isVisible()).resolves.toBe(true);
      await nav.getByRole("link", { name: "Settings", exact: true }).click();
      await shoot("settings");
      await page.getByRole("button", { name: "Turn maintenance off" }).click();
      await expect(page.getByText("Maintenance mode is on").count()).resolves.toBe(0);

      await nav.getByRole("link", { name: "Reports", exact: true }).click();
      await page.locator('a[href="/admin/reports/delivery-rates"]').first().click();
      await shoot("report");

      // At a phone's width every section fits: no sideways scrolling of the page (tables scroll in their box).
      await page.setViewportSize({ width: 375, height: 740 });
      for (const path of [
        "/admin",
        "/admin/notifications",
        `/admin/notifications/${created[0]?.id}`,
        "/admin/deliveries",
        `/admin/deliveries/${failedId}`,
        "/admin/templates",
        "/admin/templates/repair-approved",
        "/admin/recipients?id=tech-1",
        "/admin/suppressions",
        "/admin/settings",
        "/admin/settings/branding",
        "/admin/alerts",
        "/admin/reports",
        "/admin/reports/sms-costs",
      ]) {
        const response = await page.goto(`${origin}${path}`);
        expect(response?.status()).toBe(200);
        const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
        // What sticks out, when something does: elements whose content is wider than their box.
        const sticking =
          width <= 375
            ? []
            : await page.evaluate(
                `[...document.querySelectorAll("main *")].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible").map((e) => e.tagName + ": " + (e.textContent ?? "").slice(0, 40))`,
              );
        expect({ path, width: width <= 375 ? "fits" : width, sticking }).toEqual({
          path,
          width: "fits",
          sticking: [],
        });
      }
      // Keyboard: the first Tab reaches the skip link, which leads to the main content.
      await page.goto(`${origin}/admin`);
      await page.keyboard.press("Tab");
      await expect(page.evaluate("document.activeElement?.getAttribute('href')")).resolves.toBe("#main");

      expect(problems(browser, origin)).toEqual(none);
    } finally {
      await browser.close();
    }
  },
  90_000,
);
