import { z } from "zod";

/**
 * The service's configuration, read from environment variables only. This module is the one place that
 * reads `process.env`; everything else receives a `Config`.
 */
const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, "must start with file:, libsql://, http(s):// or ws(s)://")
    .default("file:./data/herald.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  HERALD_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  HERALD_EMAIL_PROVIDER: z.enum(["outbox", "ses"]).default("outbox"),
  HERALD_SMS_PROVIDER: z.enum(["outbox", "sns"]).default("outbox"),
  HERALD_EMAIL_FROM: z.string().email().default("notifications@herald.local"),
  HERALD_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
  /** Where emails link for "manage notifications"; `{recipientId}` is replaced. Usually a portal page. */
  HERALD_PREFERENCES_URL: z.string().default("http://localhost:3000/v1/me/preferences"),
  HERALD_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  HERALD_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  HERALD_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  HERALD_SEED: bool.default(true),
  NODE_ENV: z.string().default("development"),
});

/** Validated configuration. Field names mirror the environment variables. */
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; the message names every bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses an environment (default `process.env`). Empty strings count as unset so that `FOO=` in an env file
 * falls back to the default instead of failing.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ key: String(issue.path[0] ?? "?"), message: issue.message })),
    );
  }
  return result.data;
}
