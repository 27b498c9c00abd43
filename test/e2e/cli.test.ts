/** The `herald` CLI as operators run it: real processes against a temp-file database. */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { KEY_CACHE_MS } from "../../src/caches.ts";
import { ROOT, startServer } from "../helpers/server-process.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** Polls `request` until it answers `expected` or `ms` pass; returns the last status (a bounded wait, no sleep-and-hope). */
async function statusWithin(ms: number, request: () => Promise<Response>, expected: number): Promise<number> {
  const deadline = performance.now() + ms;
  for (;;) {
    const { status } = await request();
    if (status === expected || performance.now() > deadline) return status;
    await Bun.sleep(50);
  }
}

// Real processes (bun start-up, migrations, the shutdown grace period) outlast the 5 s default on a busy machine.
setDefaultTimeout(30_000);

/** Runs `bun src/cli.ts <args>` to completion. */
async function herald(args: string[], env: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, HERALD_LOG_LEVEL: "warn", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

function freshDb() {
  const path = join(tempDir(), "cli.db");
  return { path, env: { DATABASE_URL: `file:${path}` } };
}

async function query(path: string, statement: string) {
  const client = createClient({ url: `file:${path}` });
  try {
    return (await client.execute(statement)).rows;
  } finally {
    client.close();
  }
}

describe("herald", () => {
  test("help lists every command; unknown commands and bad arguments exit 64", async () => {
    const { env } = freshDb();
    const help = await herald(["help"], env);
    expect(help.code).toBe(0);
    for (const name of ["serve", "migrate", "seed", "keys", "help"])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect((await herald([], env)).stdout).toBe(help.stdout);

    const keysHelp = await herald(["help", "keys"], env);
    expect(keysHelp.stdout).toContain("herald keys create --name NAME --scope admin|portal");
    expect((await herald(["keys", "--help"], env)).stdout).toBe(keysHelp.stdout);

    const unknown = await herald(["launch-rockets"], env);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("unknown command 'launch-rockets'");
    expect((await herald(["keys", "create", "--scope", "admin"], env)).code).toBe(64);
    expect((await herald(["keys", "create", "--name", "x", "--scope", "root"], env)).code).toBe(64);
    expect(
      (await herald(["keys", "create", "--name", "x", "--scope", "admin", "--frobnicate"], env)).code,
    ).toBe(64);
    expect((await herald(["keys", "revoke"], env)).code).toBe(64);
  });

  test("an invalid environment exits 78 naming the key, but help still works", async () => {
    const bad = await herald(["keys", "list"], { DATABASE_URL: "postgres://nope" });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain("DATABASE_URL");
    expect((await herald(["help"], { DATABASE_URL: "postgres://nope" })).code).toBe(0);
  });

  test("migrate creates the schema; seed adds the default content once", async () => {
    const { path, env } = freshDb();
    expect((await herald(["migrate"], env)).code).toBe(0);
    const tables = (await query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")).map(
      (r) => r.name,
    );
    expect(tables).toEqual(expect.arrayContaining(["api_keys", "recipients", "templates"]));
    expect((await query(path, "SELECT count(*) AS n FROM templates"))[0]?.n).toBe(0);

    expect((await herald(["seed"], env)).code).toBe(0);
    const seeded = Number((await query(path, "SELECT count(*) AS n FROM templates"))[0]?.n);
    expect(seeded).toBeGreaterThan(0);
    expect((await herald(["seed"], env)).code).toBe(0);
    expect(Number((await query(path, "SELECT count(*) AS n FROM templates"))[0]?.n)).toBe(seeded);
  });

  test("keys create prints the secret once and it works on the running API; revoke makes it a 401", async () => {
    const { path, env } = freshDb();
    const server = await startServer({
      databaseUrl: env.DATABASE_URL,
      adminKey: "cli-test-admin-key-0123456789",
      args: ["src/cli.ts", "serve"],
    });
    const api = (key: string, method: string, route: string, body?: unknown) =>
      fetch(`${server.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const created = await herald(["keys", "create", "--name", "portal backend", "--scope", "portal"], env);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(created.stdout).toBe(`${secret}\n`); // stdout is the secret alone, so KEY=$(herald keys create …) works
    expect(secret).toMatch(/^hk_[\w-]{40,}$/);
    expect(created.stderr).toContain("shown only now");

    expect((await api(secret, "PUT", "/v1/recipients/cli-1", { kind: "technician" })).status).toBe(201);
    expect((await api(secret, "GET", "/v1/templates")).status).toBe(403); // portal scope only

    const asJson = await herald(
      ["keys", "create", "--name", "ops", "--scope", "admin", "--scope", "portal", "--json"],
      env,
    );
    const opsKey = JSON.parse(asJson.stdout);
    expect(opsKey).toMatchObject({ name: "ops", scopes: ["admin", "portal"], revokedAt: null });
    expect((await api(opsKey.key, "GET", "/v1/templates")).status).toBe(200);

    const list = await herald(["keys", "list", "--json"], env);
    expect(list.code).toBe(0);
    const keys = JSON.parse(list.stdout) as { id: string; name: string; prefix: string }[];
    expect(keys.map((k) => k.name).sort()).toEqual(["HERALD_ADMIN_KEY", "ops", "portal backend"]);
    const table = await herald(["keys", "list"], env);
    expect(table.stdout.split("\n")[0]).toBe("ID\tNAME\tPREFIX\tSCOPES\tCREATED\tREVOKED");
    for (const output of [list.stdout, list.stderr, table.stdout, table.stderr]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(opsKey.key);
    }
    // The database holds only hashes.
    expect(JSON.stringify(await query(path, "SELECT * FROM api_keys"))).not.toContain(secret);

    const portal = keys.find((k) => k.name === "portal backend");
    const revoked = await herald(["keys", "revoke", portal?.prefix ?? "?"], env);
    expect(revoked.code).toBe(0);
    // The server trusts a verified key for up to KEY_CACHE_MS; a revocation by another process lands within it.
    expect(await statusWithin(KEY_CACHE_MS * 3, () => api(secret, "GET", "/v1/recipients/cli-1"), 401)).toBe(
      401,
    );
    expect((await api(opsKey.key, "GET", "/v1/recipients/cli-1")).status).toBe(200);
    expect((await herald(["keys", "revoke", opsKey.id], env)).code).toBe(0);
    expect(
      await statusWithin(KEY_CACHE_MS * 3, () => api(opsKey.key, "GET", "/v1/recipients/cli-1"), 401),
    ).toBe(401);

    const missing = await herald(["keys", "revoke", "no-such-key"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("does not exist");
    expect(await server.stop("SIGTERM")).toBe(0);
  });
});
