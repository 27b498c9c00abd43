/**
 * The admin console's gatekeepers: response headers for every /admin response, the session check for every page
 * but the sign-in form and the stylesheet, and the CSRF check for every state-changing form.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import { deleteCookie, getSignedCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import type { Deps } from "../deps.ts";
import type { AdminEnv } from "./admin-env.ts";
import { csrfMatches, csrfToken, decodeSession, SESSION_COOKIE } from "./session.ts";
import { isSessionLive } from "./session-store.ts";

/**
 * The console's Content-Security-Policy: everything from Herald itself, no inline script or style (the pages
 * have none; charts use SVG presentation attributes), no framing, forms post back to Herald only.
 *
 * The template preview shows the rendered email in `<iframe sandbox="" srcdoc>`, which needs no change here:
 * a srcdoc frame is not fetched, so `frame-src` (from `default-src`) does not govern it, and `frame-ancestors`
 * is checked only on fetched responses. Its document inherits this policy, though: no script (the empty
 * sandbox forbids it too), no remote image, and no inline style unless the page names it (see
 * {@link adminCsp}).
 */
export const ADMIN_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Most inline-style hashes a preview adds to the CSP: about 55 bytes each, so at most ~4 KB of header. */
export const MAX_PREVIEW_STYLE_HASHES = 64;

/** The email branding page (settings.tsx). */
export const BRANDING_PAGE = "/admin/settings/branding";

/**
 * The console's policy for one response: {@link ADMIN_CSP}, plus, on a page that previews an email (template
 * preview, branding), the hashes of that email's own inline styles (inline-styles.rules.ts) and the https
 * origins of its images (the logo), so the frame shows the email as it is sent. Hashes allow those exact styles
 * and nothing else (`'unsafe-hashes'` extends them to `style` attributes); scripts stay forbidden everywhere.
 */
export function adminCsp(inlineStyles: readonly string[] = [], imageOrigins: readonly string[] = []): string {
  let policy = ADMIN_CSP;
  // Past the cap the preview shows unstyled rather than send a header proxies refuse (nginx's default is 8 KB).
  if (inlineStyles.length > 0 && inlineStyles.length <= MAX_PREVIEW_STYLE_HASHES)
    policy = policy.replace("style-src 'self'", `style-src 'self' 'unsafe-hashes' ${inlineStyles.join(" ")}`);
  if (imageOrigins.length > 0)
    policy = policy.replace("img-src 'self' data:", `img-src 'self' data: ${imageOrigins.join(" ")}`);
  return policy;
}

/**
 * Headers on every /admin response, whatever produced it (page, redirect, error): the console's CSP (replacing
 * the app-wide one; a page may set `inlineStyles` to add the hashes of the inline styles it previews),
 * `nosniff`, and `no-store`, since pages show people's contacts and messages.
 *
 * @example app.use("/admin/*", adminHeaders);
 */
export const adminHeaders: MiddlewareHandler<AdminEnv> = async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", adminCsp(c.get("inlineStyles"), c.get("imageOrigins")));
  c.res.headers.set("x-content-type-options", "nosniff");
  c.res.headers.set("cache-control", "no-store");
};

/** The paths that answer without a session. */
export const publicPaths = (path: string) => path === "/admin/login" || path.startsWith("/admin/assets/");

/** Options for {@link requireSession}. */
export interface SessionCheckOptions {
  deps: Pick<Deps, "db" | "clock">;
  /** The cookie-signing secret (`sessionSecret(deps.tokenSecret)`). */
  secret: string;
}

/**
 * Lets a request through only with a valid session whose key is still live and admin-scoped (asked on every
 * request, so a revoked key's sessions end at once); otherwise sends the browser to the sign-in form. Sets
 * `session` and `csrf` for the pages.
 *
 * @example app.use("/admin/*", requireSession({ deps, secret }));
 */
export function requireSession(options: SessionCheckOptions): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (publicPaths(c.req.path)) return next();
    const session = await currentSession(c, options);
    if (!session) {
      // A stale cookie is dropped, so the browser stops sending it.
      if (hasSessionCookie(c)) deleteCookie(c, SESSION_COOKIE, { path: "/admin" });
      return c.redirect("/admin/login", 303);
    }
    c.set("session", session);
    c.set("csrf", csrfToken(options.secret, session.id));
    return next();
  };
}

/** The valid session of this request, or null (no cookie, bad signature, expired, signed out, key not live). */
export async function currentSession(c: Context, options: SessionCheckOptions) {
  const value = await getSignedCookie(c, options.secret, SESSION_COOKIE);
  if (!value) return null;
  const session = decodeSession(value, options.deps.clock.now());
  if (!session || !(await isSessionLive(options.deps, session))) return null;
  return session;
}

const hasSessionCookie = (c: Context) => (c.req.header("cookie") ?? "").includes(`${SESSION_COOKIE}=`);

/**
 * Refuses (403) a state-changing request whose form lacks the session's CSRF token. Runs after
 * {@link requireSession}; the sign-in form, which has no session yet, is exempt.
 *
 * @example app.use("/admin/*", requireCsrf(secret, forbidden));
 */
export function requireCsrf(
  secret: string,
  refuse: (c: Context<AdminEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || publicPaths(c.req.path)) return next();
    const contentType = c.req.header("content-type") ?? "";
    const form =
      contentType.startsWith("application/x-www-form-urlencoded") ||
      contentType.startsWith("multipart/form-data")
        ? await c.req.parseBody()
        : {};
    if (!csrfMatches(secret, c.get("session").id, form._csrf)) return refuse(c);
    return next();
  };
}

/**
 * Refuses (403) a form posted from another site, including the sign-in form, which no CSRF token can protect (a
 * page elsewhere could sign the operator's browser in with the attacker's key). Browsers say where a form came
 * from in `Sec-Fetch-Site`, or failing that in `Origin` (compared with the Host and with HERALD_PUBLIC_URL, which
 * differ behind a TLS-terminating proxy); a request with neither is not from a browser form and passes.
 *
 * @example app.use("/admin/*", sameSiteForms(config, forbidden));
 */
export function sameSiteForms(
  config: Pick<Config, "HERALD_PUBLIC_URL">,
  refuse: (c: Context<AdminEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AdminEnv> {
  const publicHost = new URL(config.HERALD_PUBLIC_URL).host;
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined) return site === "same-origin" || site === "none" ? next() : refuse(c);
    const origin = c.req.header("origin");
    if (origin === undefined) return next();
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" (a sandboxed or privacy-sensitive context) or garbage: not this site.
    }
    return host !== null && (host === c.req.header("host") || host === publicHost) ? next() : refuse(c);
  };
}

/**
 * The client's address for the sign-in throttle. Behind a reverse proxy every connection comes from the proxy, so
 * one address would be everyone's and five wrong keys from anyone would lock every operator out: there the proxy's
 * header names the client (`HERALD_CLIENT_IP_HEADER`, `fly-client-ip` on Fly; for `x-forwarded-for` its last
 * entry, the one the trusted proxy added). Otherwise the connection's peer as Bun reports it, or `unknown` when
 * the request did not come through Bun's server (in-process tests).
 */
export function clientAddress(c: Context, header: string | undefined): string {
  if (header) {
    const value = c.req.header(header)?.split(",").at(-1)?.trim();
    if (value) return value.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
