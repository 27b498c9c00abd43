/** `GET/POST /admin/login` and `POST /admin/logout`. */
import { Hono } from "hono";
import { deleteCookie, setSignedCookie } from "hono/cookie";
import type { Deps } from "../deps.ts";
import { verifyApiKey } from "../domain/api-keys/api-keys.service.ts";
import { hasScope } from "../domain/api-keys/scopes.rules.ts";
import type { AdminEnv } from "./admin-env.ts";
import { LoginForm } from "./pages/login.tsx";
import { renderBare } from "./render.tsx";
import { clientAddress, currentSession } from "./security.ts";
import { encodeSession, SESSION_COOKIE, SESSION_TTL_MS } from "./session.ts";
import { endSession, startSession } from "./session-store.ts";
import type { SignInThrottle } from "./sign-in-throttle.ts";

/** What the sign-in routes need. */
export interface SignInOptions {
  deps: Deps;
  secret: string;
  throttle: SignInThrottle;
}

/** The sign-in form, the sign-in itself and sign-out. */
export function signInRoutes({ deps, secret, throttle }: SignInOptions) {
  const secure = new URL(deps.config.HERALD_PUBLIC_URL).protocol === "https:";
  const app = new Hono<AdminEnv>();

  app.get("/admin/login", async (c) => {
    if (await currentSession(c, { deps, secret })) return c.redirect("/admin", 303);
    return renderBare(c, "Sign in", <LoginForm />);
  });

  app.post("/admin/login", async (c) => {
    const client = clientAddress(c, deps.config.HERALD_CLIENT_IP_HEADER);
    const now = deps.clock.now();
    const waitMs = throttle.retryAfterMs(client, now);
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      return renderBare(
        c,
        "Sign in",
        <LoginForm error={`Too many failed sign-ins. Try again in ${minutes} min.`} />,
        429,
        { "retry-after": String(Math.ceil(waitMs / 1000)) },
      );
    }
    const form = await c.req.parseBody();
    const secretKey = typeof form.key === "string" ? form.key.trim() : "";
    const key = secretKey === "" ? null : await verifyApiKey(deps, secretKey);
    if (!key || !hasScope(key.scopes, "admin")) {
      throttle.fail(client, now);
      const error = !key
        ? "That key is wrong or has been revoked."
        : "That key is not an admin key; the console needs a key with the admin scope.";
      return renderBare(c, "Sign in", <LoginForm error={error} />, 401);
    }
    throttle.succeed(client);
    const session = await startSession(deps, key.id);
    await setSignedCookie(c, SESSION_COOKIE, encodeSession(session), secret, {
      path: "/admin",
      httpOnly: true,
      secure,
      sameSite: "Strict",
      maxAge: SESSION_TTL_MS / 1000,
    });
    deps.logger.info("admin console sign-in", { keyId: key.id });
    return c.redirect("/admin", 303);
  });

  app.post("/admin/logout", async (c) => {
    await endSession(deps, c.get("session"));
    deleteCookie(c, SESSION_COOKIE, { path: "/admin", secure, httpOnly: true, sameSite: "Strict" });
    return c.redirect("/admin/login", 303);
  });

  return app;
}
