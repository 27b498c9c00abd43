/**
 * `/admin`: the operator's console, server-rendered with hono/jsx (no scripts, no build step, local CSS). Sign in
 * with an admin-scoped API key; the session is a signed cookie. Pages call the same domain verbs as the API.
 */
import { readFileSync } from "node:fs";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError, errorStatus } from "../errors.ts";
import type { ServerDeps } from "../server-deps.ts";
import type { AdminEnv } from "./admin-env.ts";
import { alertsPage } from "./pages/alerts.tsx";
import { deliveryPages } from "./pages/deliveries.tsx";
import { notificationPages } from "./pages/notifications.tsx";
import { overviewPage } from "./pages/overview.tsx";
import { recipientPages } from "./pages/recipients.tsx";
import { reportPages } from "./pages/reports.tsx";
import { settingsPages } from "./pages/settings.tsx";
import { suppressionPages } from "./pages/suppressions.tsx";
import { templatePages } from "./pages/templates.tsx";
import { renderBare } from "./render.tsx";
import { adminHeaders, requireCsrf, requireSession, sameSiteForms } from "./security.ts";
import { sessionSecret } from "./session.ts";
import { signInRoutes } from "./sign-in.tsx";
import { createSignInThrottle } from "./sign-in-throttle.ts";

/** Largest form the console accepts (a sign-in or an action form is a few hundred bytes). */
const MAX_FORM_BYTES = 16 * 1024;
/**
 * Largest template form: every field at the API's limits (about 315,000 characters) plus a sample context,
 * URL-encoded, which can double markup-heavy text.
 */
const MAX_TEMPLATE_FORM_BYTES = 2 * 1024 * 1024;
const isTemplateForm = (path: string) => path === "/admin/templates" || path.startsWith("/admin/templates/");

/** The console's stylesheet, read once when the console is built. */
const stylesheet = () => readFileSync(new URL("./admin.css", import.meta.url), "utf8");

/** The answer to a form that did not come from a current console page. */
function refused(c: Context<AdminEnv>) {
  return renderBare(
    c,
    "Refused",
    <main id="main" class="login">
      <h1>Refused</h1>
      <p class="error">
        This form was not sent from a current console page (another site, or a missing or wrong CSRF token).
        Reload the page and try again.
      </p>
    </main>,
    403,
  );
}

/** Builds the console on `deps`; mount with `app.route("/", adminRoutes(deps))`. */
export function adminRoutes(deps: ServerDeps) {
  const secret = sessionSecret(deps.tokenSecret);
  const throttle = createSignInThrottle();
  const css = stylesheet();

  const app = new Hono<AdminEnv>();
  app.use("/admin/*", adminHeaders);
  const formLimit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => renderBare(c, "Too large", <p class="error">The form is too large.</p>, 413),
    });
  const smallForms = formLimit(MAX_FORM_BYTES);
  const templateForms = formLimit(MAX_TEMPLATE_FORM_BYTES);
  app.use("/admin/*", (c, next) => (isTemplateForm(c.req.path) ? templateForms : smallForms)(c, next));
  app.use("/admin/*", sameSiteForms(deps.config, refused));
  app.use("/admin/*", requireSession({ deps, secret }));
  app.use("/admin/*", requireCsrf(secret, refused));

  app.get("/admin/assets/admin.css", (c) => c.body(css, 200, { "content-type": "text/css; charset=utf-8" }));
  app.route("/", signInRoutes({ deps, secret, throttle }));
  app.route("/", overviewPage(deps));
  app.route("/", notificationPages(deps));
  app.route("/", deliveryPages(deps));
  app.route("/", alertsPage(deps));
  app.route("/", recipientPages(deps));
  app.route("/", suppressionPages(deps));
  app.route("/", templatePages(deps));
  app.route("/", settingsPages(deps));
  app.route("/", reportPages(deps));

  // Expected failures (unknown id, bad cursor, a delivery that cannot be retried) as a page, not problem+json.
  app.onError((error, c) => {
    if (!(error instanceof AppError)) throw error;
    const status = errorStatus[error.code] as 400 | 404 | 409;
    return renderBare(
      c,
      "Error",
      <main id="main" class="login">
        <h1>{status === 404 ? "Not found" : "Cannot do that"}</h1>
        <p class="error">{error.message}</p>
        <p>
          <a href="/admin">Back to the overview</a>
        </p>
      </main>,
      status,
    );
  });
  return app;
}
