/**
 * A headless chromium (Debian's, through playwright-core) for the page tests, confined to one loopback origin:
 * every request is recorded, and any request for another host is refused, never sent. What the page reports
 * (script errors, console errors, CSP violations, failed requests) is collected for the test to assert on.
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { tempDir } from "./temp-dir.ts";

export interface LoopbackBrowser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requested: string[];
  pageErrors: string[];
  consoleErrors: string[];
  cspViolations: string[];
  failedRequests: string[];
  close(): Promise<void>;
}

/** Opens chromium at `executablePath`, allowed to reach `origin` only. */
export async function openLoopbackBrowser(
  executablePath: string,
  origin: string,
  options: { viewport?: { width: number; height: number }; mobile?: boolean } = {},
): Promise<LoopbackBrowser> {
  const context = await chromium.launchPersistentContext(tempDir("herald-chromium-"), {
    executablePath,
    headless: true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
    ...(options.mobile ? { isMobile: true, hasTouch: true } : {}),
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
  const browser: LoopbackBrowser = {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    requested: [],
    pageErrors: [],
    consoleErrors: [],
    cspViolations: [],
    failedRequests: [],
    close: () => context.close(),
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    browser.requested.push(url);
    return url.startsWith(`${origin}/`) ? route.continue() : route.abort("blockedbyclient");
  });
  const { page } = browser;
  page.on("pageerror", (error) => browser.pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) browser.cspViolations.push(message.text());
    else if (message.type() === "error") browser.consoleErrors.push(message.text());
  });
  page.on("requestfailed", (request) => browser.failedRequests.push(request.url()));
  return browser;
}
