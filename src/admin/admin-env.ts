import type { AppEnv } from "../http/env.ts";
import type { AdminSession } from "./session.ts";

/** The Hono environment of the admin console: the app's, plus the signed-in session and its CSRF token. */
export interface AdminEnv {
  Variables: AppEnv["Variables"] & {
    session: AdminSession;
    csrf: string;
    /** CSP hash sources of inline styles a page previews (a rendered email), added to its `style-src`. */
    inlineStyles?: readonly string[];
    /** https origins of images a previewed email shows (the branding logo), added to its `img-src`. */
    imageOrigins?: readonly string[];
  };
}
