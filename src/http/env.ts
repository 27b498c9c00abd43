import type { Scope } from "../domain/api-keys/scopes.rules.ts";

/** Who is calling: an API key with scopes, or a recipient holding a recipient token. */
export type Principal =
  | { kind: "api-key"; keyId: string; scopes: Scope[] }
  | { kind: "recipient"; recipientId: string; incarnation: number };

/** Hono environment shared by every router. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
