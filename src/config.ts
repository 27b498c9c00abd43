import { z } from "zod";

/**
 * The service's configuration, read from environment variables only. This module is the one place that
 * reads `process.env`; everything else receives a `Config`.
 */
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** What a process may run: everything, the HTTP API only, or the delivery workers and schedulers only. */
export const ROLES = ["all", "api", "worker"] as const;

const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(
        /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/,
        "must start with file:, libsql://, http(s):// or ws(s)://",
      )
      .default("file:./data/herald.db"),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    HERALD_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    HERALD_EMAIL_PROVIDER: z.enum(["outbox", "ses"]).default("outbox"),
    HERALD_SMS_PROVIDER: z.enum(["outbox", "sns"]).default("outbox"),
    HERALD_EMAIL_FROM: z.string().email().default("notifications@herald.local"),
    HERALD_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
    /** Where emails link for "manage notifications" (usually a portal page); `{recipientId}` is filled in. */
    HERALD_PREFERENCES_URL: z.string().url().optional(),
    HERALD_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    HERALD_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    /** Browser origins (comma-separated, e.g. https://portal.example.com) allowed to call /v1/me; none by default. */
    HERALD_CORS_ORIGINS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ""),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i,
              "must be origins like https://portal.example.com (scheme, host, optional port; no path)",
            ),
        ),
      )
      // Browsers send the origin lower-case and without a default port.
      .transform((origins) => origins.map((origin) => new URL(origin).origin)),
    /**
     * Seconds a connection may stay silent (no request, or a request whose bytes stopped) before the server closes
     * it, so idle and slow clients cannot hold file descriptors for ever. Event streams are exempt (they send a
     * keep-alive every 25 s). At most 255 (the runtime's limit).
     */
    /**
     * The header a trusted reverse proxy puts the client's address in (e.g. `fly-client-ip`, `x-real-ip`,
     * `x-forwarded-for`: its last entry, the one the proxy added). Unset: the connection's peer. On Fly.io it
     * defaults to `fly-client-ip`, which Fly's proxy always sets and overwrites.
     */
    HERALD_CLIENT_IP_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/i, "must be a header name")
      .transform((v) => v.toLowerCase())
      .optional(),
    HERALD_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(255).default(30),
    /** Longest a request body may take to arrive in full; a slower one is answered 408 and closed. */
    HERALD_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    HERALD_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    // Metrics (src/observability, GET /metrics).
    /** When set, `GET /metrics` requires `Authorization: Bearer <token>` (the scraper's bearer_token). */
    HERALD_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    HERALD_SEED: bool.default(true),
    /**
     * What this process runs: `all` (HTTP, delivery workers and schedulers), `api` (HTTP only) or `worker`
     * (delivery workers and schedulers, with only /health and /metrics over HTTP). `herald serve --role` sets it.
     */
    HERALD_ROLE: z.enum(ROLES).default("all"),
    NODE_ENV: z.string().default("development"),
    // Delivery engine (src/delivery). Rates are provider calls per second, never exceeded in any 1 s window.
    HERALD_EMAIL_RATE: z.coerce.number().int().min(1).max(1_000_000).default(14),
    HERALD_SMS_RATE: z.coerce.number().int().min(1).max(1_000_000).default(10),
    /** How long a claimed delivery belongs to its worker; must comfortably exceed the provider timeout. */
    HERALD_LEASE_MS: z.coerce.number().int().min(500).default(60_000),
    HERALD_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(50).default(10_000),
    HERALD_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5_000),
    // Schedulers: daily digest and retention (src/domain/digest, src/domain/retention).
    /** How often the digest scheduler looks for recipients whose digest hour has come. */
    HERALD_DIGEST_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
    /** How often the retention scheduler checks whether this period's run is still to do. */
    HERALD_RETENTION_CHECK_MS: z.coerce.number().int().min(1_000).default(3_600_000),
    /** Retention runs once per ISO week (default) or once per UTC day. */
    HERALD_RETENTION_PERIOD: z.enum(["week", "day"]).default("week"),
    /** Finished, not-failed deliveries (and their attempt log) older than this are deleted. */
    // At least 32: the monthly SMS budget and the sms-costs report sum this month's delivery rows.
    HERALD_RETENTION_DELIVERY_DAYS: z.coerce
      .number()
      .int()
      .min(32, "must be at least 32 (the monthly SMS budget reads this month's deliveries)")
      .default(90),
    /** Read notifications older than this are deleted (with their deliveries, unless one failed). */
    HERALD_RETENTION_READ_DAYS: z.coerce.number().int().min(1).default(180),
    /** Rows deleted per transaction, so the writer is never held for long. */
    HERALD_RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
    /** Most deliveries one claim takes, and most one worker holds leased at once. */
    HERALD_WORKER_BATCH: z.coerce.number().int().min(1).max(5_000).default(100),
    HERALD_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50_000).default(200),
    HERALD_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
    HERALD_RETRY_CAP_MS: z.coerce.number().int().min(1).default(3_600_000),
    HERALD_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    /** What the sweeper does with a lease that expired after the send started (the process died mid-send). */
    HERALD_EMAIL_AMBIGUOUS: z.enum(["resend", "hold"]).default("resend"),
    HERALD_SMS_AMBIGUOUS: z.enum(["resend", "hold"]).default("hold"),
    /** How long an account-level provider error (sending paused, bad credentials) stops a channel. */
    HERALD_CHANNEL_PAUSE_MS: z.coerce.number().int().min(1_000).default(300_000),
    HERALD_SES_CONFIGURATION_SET: z.string().min(1).optional(),
    HERALD_SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
    HERALD_SMS_MAX_PRICE_USD: z.coerce.number().positive().optional(),
    // Alerts, readiness and Sentry (src/alerts, src/observability/sentry.tracker.ts).
    /** How often the in-process alert rules are evaluated. */
    HERALD_ALERT_INTERVAL_MS: z.coerce.number().int().min(1_000).default(30_000),
    /** Where alert emails go (through Herald's own email channel); unset: no alert email. */
    HERALD_ALERT_EMAIL: z.string().email().optional(),
    /** Most alert emails sent in any hour, so a flapping rule cannot flood the operator. */
    HERALD_ALERT_EMAIL_MAX_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(10),
    /** SMS spend (USD) over the last hour and the last 24 hours above which an alert fires. */
    HERALD_ALERT_SMS_COST_HOUR_USD: z.coerce.number().positive().default(10),
    HERALD_ALERT_SMS_COST_DAY_USD: z.coerce.number().positive().default(50),
    SENTRY_DSN: z.string().url().optional(),
    /** Sentry's environment tag; NODE_ENV when unset. */
    SENTRY_ENVIRONMENT: z.string().min(1).optional(),
    /** The release reported to Sentry (SENTRY_RELEASE wins over HERALD_RELEASE). */
    SENTRY_RELEASE: z.string().min(1).optional(),
    HERALD_RELEASE: z.string().min(1).optional(),
    HERALD_SMS_SENDER_ID: z
      .string()
      .regex(
        /^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/,
        "must be 1-11 letters, digits or hyphens with at least one letter",
      )
      .optional(),
    // Provider feedback (src/domain/feedback, POST /webhooks/sns).
    /** SNS topic ARNs (comma-separated) whose messages the webhook accepts and confirms; empty refuses them all. */
    HERALD_SNS_TOPIC_ARNS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((arn) => arn.trim())
          .filter((arn) => arn !== ""),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(/^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[\w.-]{1,256}$/, "must be SNS topic ARNs"),
        ),
      ),
    // Cost and abuse guards (src/domain/guards): defaults of the operator settings, which PUT /v1/settings overrides.
    HERALD_SMS_DAILY_BUDGET_USD: z.coerce.number().positive().default(50),
    HERALD_SMS_MONTHLY_BUDGET_USD: z.coerce.number().positive().default(1500),
    /** More than this many notifications of one template and subject to one recipient in the window is a loop. */
    HERALD_LOOP_MAX: z.coerce.number().int().min(1).max(10_000).default(5),
    HERALD_LOOP_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  })
  .superRefine((c, ctx) => {
    // A send must finish (or time out) well inside its lease, or a live worker's delivery would look abandoned.
    if (c.HERALD_PROVIDER_TIMEOUT_MS * 2 > c.HERALD_LEASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HERALD_PROVIDER_TIMEOUT_MS"],
        message: "must be at most half of HERALD_LEASE_MS",
      });
    }
    if (c.HERALD_RETRY_CAP_MS < c.HERALD_RETRY_BASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HERALD_RETRY_CAP_MS"],
        message: "must be at least HERALD_RETRY_BASE_MS",
      });
    }
  });

/** Validated configuration. Field names mirror the environment variables. */
export type Config = z.infer<typeof configSchema>;

/** What a Herald process runs (`HERALD_ROLE`, `herald serve --role`). */
export type Role = (typeof ROLES)[number];
/** True when a process of `role` runs the delivery workers and the schedulers. */
export const runsDelivery = (role: Role) => role !== "api";
/** True when a process of `role` serves the API (a `worker` answers only /health and /metrics). */
export const servesApi = (role: Role) => role !== "worker";

/** Thrown when the environment is invalid; the message names every bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * HERALD_PUBLIC_URL as set; on Fly.io, when it is not set, the app's own address `https://<FLY_APP_NAME>.fly.dev`
 * (Fly sets FLY_APP_NAME on every machine), so the signed links in emails never point at another app. A custom
 * domain is set explicitly.
 */
function publicUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.HERALD_PUBLIC_URL) return env.HERALD_PUBLIC_URL;
  return env.FLY_APP_NAME ? `https://${env.FLY_APP_NAME}.fly.dev` : undefined;
}

/**
 * Parses an environment (default `process.env`). Empty strings count as unset so that `FOO=` in an env file
 * falls back to the default instead of failing.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse({
    ...cleaned,
    HERALD_PUBLIC_URL: publicUrl(cleaned),
    HERALD_CLIENT_IP_HEADER:
      cleaned.HERALD_CLIENT_IP_HEADER ?? (cleaned.FLY_APP_NAME ? "fly-client-ip" : undefined),
  });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ key: String(issue.path[0] ?? "?"), message: issue.message })),
    );
  }
  return result.data;
}
