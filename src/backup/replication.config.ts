import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../config.ts";

/**
 * Where Litestream copies the database, read from the environment the operator gave the supervisor or the
 * `herald backup|restore` commands. These keys belong to Litestream's side of the deployment (litestream.yml
 * reads the `LITESTREAM_*` variables this module derives), so they are kept apart from Herald's own `Config`.
 */
export interface ReplicationConfig {
  /** `s3://bucket/path`, `file:///dir`, … (the scheme picks Litestream's replica type). */
  replicaUrl: string;
  /** S3 region; empty lets Litestream discover the bucket's region. */
  s3Region: string;
  /** S3-compatible endpoint (Tigris, R2, MinIO); empty for AWS. */
  s3Endpoint: string;
  /** Address for Litestream's Prometheus metrics, or empty for none. */
  metricsAddr: string;
}

const replicaSchemes = ["s3:", "file:", "gcs:", "abs:", "sftp:"];

const schema = z
  .object({
    LITESTREAM_REPLICA_URL: z
      .string()
      .refine((url) => replicaSchemes.some((s) => url.startsWith(s)), {
        message: `must start with ${replicaSchemes.map((s) => `${s}//`).join(", ")}`,
      })
      .optional(),
    LITESTREAM_S3_BUCKET: z.string().optional(),
    /** Set by `fly storage create` (Tigris); used when LITESTREAM_S3_BUCKET is not. */
    BUCKET_NAME: z.string().optional(),
    LITESTREAM_S3_PATH: z
      .string()
      .regex(/^[\w.\-/]+$/, "may contain only letters, digits, '.', '-', '_' and '/'")
      .default("herald"),
    LITESTREAM_S3_REGION: z.string().optional(),
    AWS_REGION: z.string().optional(),
    LITESTREAM_S3_ENDPOINT: z.string().url().optional(),
    AWS_ENDPOINT_URL_S3: z.string().url().optional(),
    LITESTREAM_METRICS_ADDR: z.string().optional(),
  })
  .transform((env, ctx) => {
    const bucket = env.LITESTREAM_S3_BUCKET ?? env.BUCKET_NAME;
    const replicaUrl =
      env.LITESTREAM_REPLICA_URL ?? (bucket ? `s3://${bucket}/${env.LITESTREAM_S3_PATH}` : undefined);
    if (!replicaUrl) {
      ctx.addIssue({
        code: "custom",
        path: ["LITESTREAM_REPLICA_URL"],
        message: "is required (s3://BUCKET/PATH or file:///DIR), or set LITESTREAM_S3_BUCKET",
      });
      return z.NEVER;
    }
    return {
      replicaUrl,
      s3Region: env.LITESTREAM_S3_REGION ?? env.AWS_REGION ?? "",
      s3Endpoint: env.LITESTREAM_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? "",
      metricsAddr: env.LITESTREAM_METRICS_ADDR ?? "",
    } satisfies ReplicationConfig;
  });

/**
 * Reads the replication settings from `env`. Empty strings count as unset, as in `loadConfig`.
 * @throws ConfigError naming every bad key.
 */
export function loadReplicationConfig(env: Record<string, string | undefined>): ReplicationConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ key: String(issue.path[0] ?? "?"), message: issue.message })),
    );
  }
  return result.data;
}

/**
 * The local file behind a `file:` DATABASE_URL, made absolute against `cwd` (Litestream and Herald must name
 * the same file whatever directory each starts in). Null for remote URLs (libsql://, http(s)://), which
 * Litestream cannot replicate.
 */
export function databasePathFromUrl(url: string, cwd: string): string | null {
  if (!url.startsWith("file:")) return null;
  // file:./a.db, file:a.db, file:/abs/a.db, file:///abs/a.db, file://localhost/abs/a.db; drop any ?query.
  const path = decodeURIComponent(
    url
      .slice("file:".length)
      .replace(/^\/\/(localhost)?(?=\/)/, "")
      .split("?")[0] ?? "",
  );
  if (path === "" || path === ":memory:") return null;
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** The variables litestream.yml expands, for a database file and its replication settings. */
export function litestreamEnv(databasePath: string, replication: ReplicationConfig): Record<string, string> {
  return {
    HERALD_DB_PATH: databasePath,
    LITESTREAM_REPLICA_URL: replication.replicaUrl,
    LITESTREAM_S3_REGION: replication.s3Region,
    LITESTREAM_S3_ENDPOINT: replication.s3Endpoint,
    LITESTREAM_METRICS_ADDR: replication.metricsAddr,
  };
}

/** A database file and the environment every litestream command for it runs with. */
export interface ReplicationTarget {
  databasePath: string;
  /** `env` plus the variables litestream.yml expands. */
  env: Record<string, string | undefined>;
  replication: ReplicationConfig;
}

/**
 * Resolves what Litestream works on from Herald's DATABASE_URL and the operator's environment.
 * @throws ConfigError when the replication settings are invalid or the database is not a local file.
 */
export function replicationTarget(
  databaseUrl: string,
  env: Record<string, string | undefined>,
  cwd: string,
): ReplicationTarget {
  const databasePath = databasePathFromUrl(databaseUrl, cwd);
  if (!databasePath) {
    throw new ConfigError([
      { key: "DATABASE_URL", message: "must be a local file: URL for Litestream to replicate it" },
    ]);
  }
  const replication = loadReplicationConfig(env);
  return { databasePath, replication, env: { ...env, ...litestreamEnv(databasePath, replication) } };
}
