import { describe, expect, test } from "bun:test";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { litestreamBinary } from "../../src/backup/litestream.ts";
import {
  databasePathFromUrl,
  litestreamEnv,
  loadReplicationConfig,
} from "../../src/backup/replication.config.ts";
import { loadConfig } from "../../src/config.ts";
import { SHUTDOWN_GRACE_MS } from "../../src/main.ts";
import { ROOT } from "../helpers/processes.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { readUnit } from "./systemd-unit.ts";

// fly.toml and the Dockerfile are checked against the code they deploy, so a renamed route, a moved database or
// a changed port fails here and not on the first deploy.

interface FlyToml {
  kill_signal: string;
  kill_timeout: number;
  deploy: { release_command: string; strategy: string };
  env: Record<string, string>;
  mounts: { source: string; destination: string }[];
  http_service: { internal_port: number; checks: { path: string; method: string }[] };
  vm: { memory: string }[];
}
const fly = Bun.TOML.parse(readFileSync(join(ROOT, "fly.toml"), "utf8")) as FlyToml;

/** The Dockerfile's instructions (continuation lines joined, comments dropped) in order. */
function parseDockerfile(text: string): { instruction: string; args: string }[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line === "") continue;
    current += `${line.replace(/\\$/, "").trim()} `;
    if (!line.endsWith("\\")) {
      logical.push(current.trim());
      current = "";
    }
  }
  return logical.map((line) => {
    const [instruction = "", ...rest] = line.split(" ");
    return { instruction: instruction.toUpperCase(), args: rest.join(" ") };
  });
}
const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const runtimeStage = dockerfile.slice(dockerfile.findLastIndex((i) => i.instruction === "FROM"));
const dockerEnv: Record<string, string> = Object.fromEntries(
  runtimeStage
    .filter((i) => i.instruction === "ENV")
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])),
);
const jsonArgs = (instruction: string): string[] =>
  JSON.parse(runtimeStage.find((i) => i.instruction === instruction)?.args ?? "null");

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The systemd unit's settings. */
const systemdUnit = () => readUnit("scripts/herald.service");

describe("fly.toml and the Dockerfile agree with the code", () => {
  test("the service listens where Fly routes and the image exposes, and the environment is a valid config", () => {
    const config = loadConfig(fly.env);
    expect(config.PORT).toBe(fly.http_service.internal_port);
    expect(Number(dockerEnv.PORT)).toBe(fly.http_service.internal_port);
    expect(runtimeStage.find((i) => i.instruction === "EXPOSE")?.args).toBe(
      String(fly.http_service.internal_port),
    );
    expect(loadConfig(dockerEnv).DATABASE_URL).toBe(config.DATABASE_URL);
  });

  test("the volume is mounted on the directory of the database, which the image prepares for its user", () => {
    const database = databasePathFromUrl(fly.env.DATABASE_URL ?? "", "/app");
    expect(fly.mounts).toHaveLength(1);
    expect(fly.mounts[0]?.destination).toBe(dirname(database ?? ""));
    expect(fly.env.HERALD_DATA_DIR).toBe(fly.mounts[0]?.destination);
    expect(dockerEnv.HERALD_DATA_DIR).toBe(fly.mounts[0]?.destination);
    const run = runtimeStage
      .filter((i) => i.instruction === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(run).toContain(`chown bun:bun ${fly.mounts[0]?.destination}`);
  });

  test("every health check path is a route of the app and answers 200", async () => {
    const t = await makeTestApp();
    const healthcheck = runtimeStage.find((i) => i.instruction === "HEALTHCHECK")?.args ?? "";
    const dockerPath = /127\.0\.0\.1:\$\{process\.env\.PORT\}(\/[\w/]+)/.exec(healthcheck)?.[1];
    const paths = [...fly.http_service.checks.map((c) => c.path), dockerPath];
    expect(paths).toEqual(["/health", "/health/ready", "/health/ready"]);
    for (const path of paths) expect((await t.call("GET", path as string, { key: null })).status).toBe(200);
  });

  test("the image starts the supervisor through the entrypoint, and both scripts exist and are executable", () => {
    const [entrypoint] = jsonArgs("ENTRYPOINT");
    expect(entrypoint).toBe("/app/scripts/docker-entrypoint.sh");
    const local = join(ROOT, (entrypoint as string).replace(/^\/app\//, ""));
    expect(isExecutable(local)).toBe(true);
    expect(readFileSync(local, "utf8")).toStartWith("#!/bin/sh\n");
    expect(jsonArgs("CMD")).toEqual(["bun", "scripts/supervise.ts"]);
    expect(isExecutable(join(ROOT, "scripts/supervise.ts"))).toBe(true);
    expect(runtimeStage.find((i) => i.instruction === "WORKDIR")?.args).toBe("/app");
  });

  test("the release command is a script of this repository", () => {
    const [runtime, script] = fly.deploy.release_command.split(" ");
    expect(runtime).toBe("bun");
    expect(existsSync(join(ROOT, script as string))).toBe(true);
  });

  test("the Litestream binary the image links is where npm installs it, and it runs", () => {
    const run = runtimeStage
      .filter((i) => i.instruction === "RUN")
      .map((i) => i.args)
      .join("\n");
    const linked = /ln -s \/app\/(\S+) \/usr\/local\/bin\/litestream/.exec(run)?.[1];
    expect(linked).toBe("node_modules/@flydotio/litestream-linux-x64/litestream");
    const local = join(ROOT, linked as string);
    expect(litestreamBinary()).toBe(local);
    expect(runtimeStage[0]?.args).toStartWith("--platform=linux/amd64 ");
    const version = Bun.spawnSync([local, "version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString()).toMatch(/^v0\.3\./);
  });

  test("the image runs the Bun version the project pins", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const arg = dockerfile.find((i) => i.instruction === "ARG" && i.args.startsWith("BUN_VERSION="));
    expect(arg?.args).toBe(`BUN_VERSION=${String(pkg.dependencies.bun).replace(/^[\^~]/, "")}`);
  });

  test("Fly waits for a graceful stop longer than Herald's shutdown grace period", () => {
    expect(fly.kill_signal).toBe("SIGTERM");
    expect(fly.kill_timeout * 1000).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS + 10_000);
  });

  test("the build context keeps what the image runs and leaves out local data and dependencies", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const needed of [
      "src",
      "db",
      "templates",
      "scripts",
      "litestream.yml",
      "package.json",
      "tsconfig.json",
    ]) {
      expect(ignored).not.toContain(needed);
    }
    for (const excluded of ["node_modules", ".git", "data", "*.db", "test"])
      expect(ignored).toContain(excluded);
  });

  test("links in emails point at this app: fly.toml sets no public URL, and on Fly Herald derives it from the app name", () => {
    expect(fly.env.HERALD_PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ ...fly.env, FLY_APP_NAME: "acme-herald" }).HERALD_PUBLIC_URL).toBe(
      "https://acme-herald.fly.dev",
    );
  });

  test("the systemd unit keeps the database private and reads secrets from a root-owned environment file", () => {
    const unit = systemdUnit();
    const one = (key: string) => unit.get(key)?.[0];
    expect(one("UMask")).toBe("0077");
    expect(one("StateDirectoryMode")).toBe("0700");
    expect(one("EnvironmentFile")).toBe("/etc/herald/herald.env");
    const inline = (unit.get("Environment") ?? []).map((pair) => pair.split("=")[0]);
    for (const secret of [
      "HERALD_ADMIN_KEY",
      "HERALD_TOKEN_SECRET",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_ACCESS_KEY_ID",
    ]) {
      expect(inline).not.toContain(secret);
    }
    expect(one("ExecStart")).not.toContain("$(");
  });

  test("the systemd unit runs the same supervisor on the same port, stops it the same way and can write the database", () => {
    const unit = systemdUnit();
    const one = (key: string) => unit.get(key)?.[0];
    const environment = Object.fromEntries(
      (unit.get("Environment") ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(one("ExecStart")).toBe(`${one("WorkingDirectory")}/node_modules/.bin/bun scripts/supervise.ts`);
    expect(Number(environment.PORT)).toBe(fly.http_service.internal_port);
    const database = databasePathFromUrl(environment.DATABASE_URL ?? "", "/");
    expect(dirname(database ?? "")).toBe(`/var/lib/${one("StateDirectory")}`);
    expect(one("ReadWritePaths")).toBe(dirname(database ?? ""));
    expect(one("KillMode")).toBe("mixed");
    expect(one("KillSignal")).toBe(fly.kill_signal);
    expect(Number(one("TimeoutStopSec"))).toBe(fly.kill_timeout);
    expect(one("RestartPreventExitStatus")).toBe("78");
  });

  test("litestream.yml reads only the variables the supervisor sets, and the bucket's own credentials", () => {
    const yml = readFileSync(join(ROOT, "litestream.yml"), "utf8");
    const settings = yml
      .split("\n")
      .filter((line) => !line.trim().startsWith("#"))
      .join("\n");
    const used = new Set([...settings.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    const set = litestreamEnv(
      "/data/herald.db",
      loadReplicationConfig({ LITESTREAM_REPLICA_URL: "s3://b/herald" }),
    );
    // Credentials pass straight from the operator's environment to Litestream; Herald's code never copies them.
    const credentials = ["LITESTREAM_ACCESS_KEY_ID", "LITESTREAM_SECRET_ACCESS_KEY"];
    expect([...used].sort()).toEqual([...Object.keys(set), ...credentials].sort());
    expect(yml).toContain(`path: "\${HERALD_DB_PATH}"`);
    expect(yml).toContain(`url: "\${LITESTREAM_REPLICA_URL}"`);
  });
});
