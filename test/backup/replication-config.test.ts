import { describe, expect, test } from "bun:test";
import {
  databasePathFromUrl,
  loadReplicationConfig,
  replicationTarget,
} from "../../src/backup/replication.config.ts";
import { ConfigError } from "../../src/config.ts";

describe("databasePathFromUrl", () => {
  test("resolves every file: URL form to one absolute path, relative ones against the working directory", () => {
    expect(databasePathFromUrl("file:./data/herald.db", "/app")).toBe("/app/data/herald.db");
    expect(databasePathFromUrl("file:data/herald.db", "/app")).toBe("/app/data/herald.db");
    expect(databasePathFromUrl("file:/data/herald.db", "/app")).toBe("/data/herald.db");
    expect(databasePathFromUrl("file:///data/herald.db", "/app")).toBe("/data/herald.db");
    expect(databasePathFromUrl("file://localhost/data/herald.db", "/app")).toBe("/data/herald.db");
    expect(databasePathFromUrl("file:/data/herald.db?mode=rwc", "/app")).toBe("/data/herald.db");
  });

  test("has no path for databases Litestream cannot replicate", () => {
    expect(databasePathFromUrl("libsql://herald.example.com", "/app")).toBeNull();
    expect(databasePathFromUrl("https://herald.example.com", "/app")).toBeNull();
    expect(databasePathFromUrl("file::memory:", "/app")).toBeNull();
  });
});

describe("loadReplicationConfig", () => {
  test("takes the replica URL as given, with the S3 region and endpoint", () => {
    expect(
      loadReplicationConfig({
        LITESTREAM_REPLICA_URL: "s3://backups/herald",
        LITESTREAM_S3_REGION: "eu-west-1",
        LITESTREAM_S3_ENDPOINT: "https://fly.storage.tigris.dev",
      }),
    ).toEqual({
      replicaUrl: "s3://backups/herald",
      s3Region: "eu-west-1",
      s3Endpoint: "https://fly.storage.tigris.dev",
      metricsAddr: "",
    });
  });

  test("builds an S3 URL from a bucket, and falls back to the variables `fly storage create` sets", () => {
    expect(
      loadReplicationConfig({ LITESTREAM_S3_BUCKET: "backups", LITESTREAM_S3_PATH: "prod/herald" })
        .replicaUrl,
    ).toBe("s3://backups/prod/herald");
    expect(
      loadReplicationConfig({
        BUCKET_NAME: "tigris-bucket",
        AWS_REGION: "auto",
        AWS_ENDPOINT_URL_S3: "https://fly.storage.tigris.dev",
      }),
    ).toEqual({
      replicaUrl: "s3://tigris-bucket/herald",
      s3Region: "auto",
      s3Endpoint: "https://fly.storage.tigris.dev",
      metricsAddr: "",
    });
  });

  test("fails naming the key when no replica is configured (empty counts as unset) or the scheme is unknown", () => {
    const keysOf = (env: Record<string, string>) => {
      try {
        loadReplicationConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((i) => i.key);
      }
      throw new Error("expected a ConfigError");
    };
    expect(keysOf({})).toEqual(["LITESTREAM_REPLICA_URL"]);
    expect(keysOf({ LITESTREAM_REPLICA_URL: "" })).toEqual(["LITESTREAM_REPLICA_URL"]);
    expect(keysOf({ LITESTREAM_REPLICA_URL: "ftp://host/dir" })).toEqual(["LITESTREAM_REPLICA_URL"]);
    expect(keysOf({ LITESTREAM_REPLICA_URL: "s3://b/h", LITESTREAM_S3_ENDPOINT: "not a url" })).toEqual([
      "LITESTREAM_S3_ENDPOINT",
    ]);
  });
});

describe("replicationTarget", () => {
  test("gives litestream the database path and replica through the variables litestream.yml reads", () => {
    const target = replicationTarget(
      "file:./data/herald.db",
      { LITESTREAM_REPLICA_URL: "file:///backups/herald", KEEP: "1" },
      "/srv/herald",
    );
    expect(target.databasePath).toBe("/srv/herald/data/herald.db");
    expect(target.env).toMatchObject({
      KEEP: "1",
      HERALD_DB_PATH: "/srv/herald/data/herald.db",
      LITESTREAM_REPLICA_URL: "file:///backups/herald",
      LITESTREAM_S3_REGION: "",
      LITESTREAM_S3_ENDPOINT: "",
    });
  });

  test("refuses a remote database", () => {
    expect(() =>
      replicationTarget("libsql://db.example.com", { LITESTREAM_REPLICA_URL: "s3://b/h" }, "/"),
    ).toThrow(ConfigError);
  });
});
