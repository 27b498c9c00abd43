/**
 * A browser's part in admin console tests: sign in through the form, keep the session cookie, read the CSRF token
 * from a page, and send forms with it. Every request goes through `app.request`, in process.
 */
import { expect } from "bun:test";
import type { TestApp } from "../helpers/test-app.ts";

/** The console's sections, as the issue names them and the navigation must list them, in order. */
export const ADMIN_SECTIONS = [
  "Overview",
  "Notifications",
  "Deliveries",
  "Templates",
  "Recipients",
  "Suppressions",
  "Settings",
  "Alerts",
  "Reports",
] as const;

/** A signed-in console session. */
export interface AdminBrowser {
  /** The `herald_admin=…` pair the browser sends back. */
  cookie: string;
  get(path: string): Promise<Response>;
  /** POSTs `fields` as a form; adds the page's CSRF token unless `fields._csrf` is given (even as ""). */
  post(path: string, fields?: Record<string, string>): Promise<Response>;
  /** The CSRF token of this session, as its pages carry it. */
  csrf(): Promise<string>;
}

/** POSTs the sign-in form with `key`. */
export async function postSignIn(
  t: TestApp,
  key: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await t.app.request("/admin/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ key }).toString(),
  });
}

/** The `name=value` pair of the session cookie a response sets. */
export function sessionCookieOf(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  const pair = header.split(";")[0] ?? "";
  expect(pair).toStartWith("herald_admin=");
  return pair;
}

/** The value of the `_csrf` hidden field in a page. */
export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no CSRF field on the page");
  return match[1];
}

/** Signs in with `key` (the test app's admin key by default) and returns the browser holding the session. */
export async function signIn(t: TestApp, key = t.adminKey): Promise<AdminBrowser> {
  const response = await postSignIn(t, key);
  expect(response.status).toBe(303);
  return browserWith(t, sessionCookieOf(response));
}

/** A browser that sends `cookie`. */
export function browserWith(t: TestApp, cookie: string): AdminBrowser {
  const browser: AdminBrowser = {
    cookie,
    get: async (path) => await t.app.request(path, { headers: { cookie } }),
    async post(path, fields = {}) {
      const body = new URLSearchParams(fields);
      if (fields._csrf === undefined) body.set("_csrf", await browser.csrf());
      return t.app.request(path, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      });
    },
    async csrf() {
      const page = await browser.get("/admin/templates");
      expect(page.status).toBe(200);
      return csrfIn(await page.text());
    },
  };
  return browser;
}
