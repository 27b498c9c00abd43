/**
 * The scale-out deployment examples against the code and the binaries they run: scripts/fly.scale-out.toml
 * (Herald's api and worker process groups on a libSQL server), scripts/fly.sqld.toml (sqld itself) and the
 * systemd template scripts/herald@.service. test/e2e/sqld-production.test.ts runs sqld with fly.sqld.toml's
 * environment; this file checks what can be checked without Fly or systemd.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROLES } from "../../src/config.ts";
import { SHUTDOWN_GRACE_MS } from "../../src/main.ts";
import { ROOT } from "../helpers/processes.ts";
import { findTool, requireTool, SQLD } from "../helpers/requires-tool.ts";
import { makeTestApp } from "../helpers/test-app.ts";
import { readUnit } from "./systemd-unit.ts";

interface Check {
  path: string;
  port?: number;
  processes?: string[];
}
interface ScaleOutToml {
  kill_timeout: number;
  processes: Record<string, string>;
  env: Record<string, string>;
  mounts?: unknown[];
  http_service: { internal_port: number; processes: string[]; checks: Check[] };
  checks: Record<string, Check>;
}
interface SqldToml {
  env: Record<string, string>;
  mounts: { destination: string }[];
  checks: Record<string, Check>;
}
const toml = <T>(path: string) => Bun.TOML.parse(readFileSync(join(ROOT, path), "utf8")) as T;
const scaleOut = toml<ScaleOutToml>("scripts/fly.scale-out.toml");
const sqldApp = toml<SqldToml>("scripts/fly.sqld.toml");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

describe("scripts/fly.scale-out.toml", () => {
  test("runs one image as an api group and a worker group, each `herald serve` with its role", () => {
    expect(Object.keys(scaleOut.processes).sort()).toEqual(["api", "worker"]);
    for (const [group, command] of Object.entries(scaleOut.processes)) {
      expect(command).toBe(`herald serve --role ${group}`);
      expect(ROLES).toContain(group as (typeof ROLES)[number]);
    }
    // `herald` is the image's operator command (the CLI, through the entrypoint).
    expect(dockerfile).toContain("/usr/local/bin/herald");
  });

  test("public HTTP goes to the api group only; workers are checked on readiness", () => {
    expect(scaleOut.http_service.processes).toEqual(["api"]);
    expect(scaleOut.http_service.checks.map((c) => c.path)).toEqual(["/health", "/health/ready"]);
    const workerChecks = Object.values(scaleOut.checks).filter((c) => c.processes?.includes("worker"));
    expect(workerChecks.map((c) => [c.path, c.port])).toEqual([
      ["/health/ready", scaleOut.http_service.internal_port],
    ]);
  });

  test("carries no state: no volume, and the database URL and token are secrets, not settings", () => {
    expect(scaleOut.mounts).toBeUndefined();
    expect(scaleOut.env.DATABASE_URL).toBeUndefined();
    expect(scaleOut.env.DATABASE_AUTH_TOKEN).toBeUndefined();
    expect(Number(scaleOut.env.PORT)).toBe(scaleOut.http_service.internal_port);
    expect(scaleOut.kill_timeout * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS);
  });

  test("each role answers the checks its group gets: api both, worker /health/ready", async () => {
    for (const role of ["api", "worker"] as const) {
      const t = await makeTestApp({ env: { HERALD_ROLE: role } });
      const paths =
        role === "api"
          ? scaleOut.http_service.checks.map((c) => c.path)
          : Object.values(scaleOut.checks).map((c) => c.path);
      for (const path of paths) expect((await t.call("GET", path, { key: null })).status).toBe(200);
    }
  });
});

describe("scripts/fly.sqld.toml", () => {
  const sqld = requireTool(SQLD);
  sqld.test(
    "sets only variables the sqld binary reads, besides the image's and bottomless's own",
    async () => {
      const path = findTool(SQLD) as string;
      const help = await new Response(Bun.spawn([path, "--help"], { stdout: "pipe" }).stdout).text();
      for (const name of Object.keys(sqldApp.env)) {
        if (name === "SQLD_NODE") continue; // read by the image's entrypoint, not by sqld
        if (name.startsWith("LIBSQL_BOTTOMLESS_")) continue; // bottomless's own, exercised by the e2e test
        expect(help).toContain(`[env: ${name}=`);
      }
    },
  );

  test("keeps the database on the volume and checks the port it listens on", () => {
    expect(sqldApp.mounts[0]?.destination).toBe(dirname(sqldApp.env.SQLD_DB_PATH ?? ""));
    const port = Number(/:(\d+)$/.exec(sqldApp.env.SQLD_HTTP_LISTEN_ADDR ?? "")?.[1]);
    expect(Object.values(sqldApp.checks).map((c) => [c.path, c.port])).toEqual([["/health", port]]);
    expect(sqldApp.env.SQLD_ENABLE_BOTTOMLESS_REPLICATION).toBe("true");
  });
});

describe("scripts/herald@.service", () => {
  const template = readUnit("scripts/herald@.service");
  const single = readUnit("scripts/herald.service");
  const one = (key: string) => template.get(key)?.[0];

  test("runs `herald serve` with the role and port of its instance's file, after the shared secrets", () => {
    expect(one("ExecStart")).toBe(`${one("WorkingDirectory")}/node_modules/.bin/bun src/cli.ts serve`);
    expect(template.get("EnvironmentFile")).toEqual(["/etc/herald/herald.env", "/etc/herald/%i.env"]);
    const inline = (template.get("Environment") ?? []).map((pair) => pair.split("=")[0]);
    for (const name of ["HERALD_ROLE", "PORT", "DATABASE_URL", "DATABASE_AUTH_TOKEN", "HERALD_ADMIN_KEY"])
      expect(inline).not.toContain(name);
  });

  test("stops and restarts like the single-process unit, with no local database or Litestream", () => {
    for (const key of [
      "KillMode",
      "KillSignal",
      "TimeoutStopSec",
      "RestartPreventExitStatus",
      "UMask",
      "User",
    ])
      expect(template.get(key)).toEqual(single.get(key));
    expect(one("ExecStart")).not.toContain("supervise");
    expect(template.get("StateDirectory")).toBeUndefined();
  });
});
