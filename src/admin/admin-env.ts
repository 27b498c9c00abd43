import type { AppEnv } from "../http/env.ts";
import type { AdminSession } from "./session.ts";

/** The Hono environment of the admin console: the app's, plus the signed-in session and its CSRF token. */
export interface AdminEnv {
  Variables: AppEnv["Variables"] & {
    session: AdminSession;
    csrf: string;
  };
}
