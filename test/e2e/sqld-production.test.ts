/**
 * Herald on sqld the way the README's "Scaling out" sets it up, with the real binaries: sqld accepts only clients
 * with a JWT signed by the operator's Ed25519 key (Herald's DATABASE_AUTH_TOKEN), and backs its database up to
 * S3 itself with bottomless replication (moto's S3 API here), which is what replaces Litestream in that mode.
 * sqld runs with the environment scripts/fly.sqld.toml deploys.
 * The sqld machine is then replaced: stopped, its disk lost, and a new one started on an empty disk restores from
 * the bucket; every accepted notification is back with its sent deliveries.
 */
import { expect } from "bun:test";
import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, pollUntil, ROOT, startGroup } from "../helpers/processes.ts";
import { findTool, MOTO_SERVER, requireTool, SQLD } from "../helpers/requires-tool.ts";
import { spawnBun, startServer } from "../helpers/server-process.ts";
import { startSqld } from "../helpers/sqld.ts";

const ADMIN_KEY = "hk_sqld_production_admin_key_0123456789";
const NOTIFICATIONS = 20;
const moto = requireTool(MOTO_SERVER);

/** The sqld environment scripts/fly.sqld.toml deploys. */
function flySqldEnv(): Record<string, string> {
  const fly = Bun.TOML.parse(readFileSync(join(ROOT, "scripts/fly.sqld.toml"), "utf8")) as {
    env: Record<string, string>;
  };
  return fly.env;
}

/** An Ed25519 key pair: the raw public key for sqld (base64url, as SQLD_AUTH_JWT_KEY), a signed JWT for Herald. */
function jwtKeys(): { publicKey: string; token: string } {
  const pair = generateKeyPairSync("ed25519");
  const publicKey = pair.publicKey.export({ format: "jwk" }).x as string;
  const privateKey = pair.privateKey;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "EdDSA", typ: "JWT" })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return {
    publicKey,
    token: `${unsigned}.${sign(null, Buffer.from(unsigned), privateKey).toString("base64url")}`,
  };
}

moto.test(
  "with JWT auth and bottomless backups to S3: a replaced sqld restores every accepted notification",
  async () => {
    // Fails (not skips) without sqld, like every test of a tool CI provides.
    expect(findTool(SQLD)).not.toBeNull();
    const s3Port = freePort();
    const endpoint = `http://127.0.0.1:${s3Port}`;
    const s3 = startGroup([moto.path, "-H", "127.0.0.1", "-p", String(s3Port)], { PATH: process.env.PATH });
    try {
      await pollUntil("moto's S3 server", async () => ((await fetch(`${endpoint}/`)).ok ? true : undefined), {
        timeoutMs: 20_000,
        process: s3,
      });
      expect((await fetch(`${endpoint}/herald-sqld`, { method: "PUT" })).status).toBe(200);
      const { publicKey, token } = jwtKeys();
      // The deployment's own settings (scripts/fly.sqld.toml), but where this machine keeps its data and listens.
      const { SQLD_DB_PATH, SQLD_HTTP_LISTEN_ADDR, SQLD_NODE, ...deployed } = flySqldEnv();
      const sqldOptions = {
        env: {
          ...deployed,
          SQLD_AUTH_JWT_KEY: publicKey,
          LIBSQL_BOTTOMLESS_BUCKET: "herald-sqld",
          LIBSQL_BOTTOMLESS_ENDPOINT: endpoint,
          LIBSQL_BOTTOMLESS_AWS_ACCESS_KEY_ID: "AKIDBOTTOMLESSTEST",
          LIBSQL_BOTTOMLESS_AWS_SECRET_ACCESS_KEY: "bottomless-secret",
        },
        keepOutput: true,
      };
      const first = await startSqld(sqldOptions);

      // Without the token Herald does not start: it says why and exits 78 (a configuration error).
      const refused = spawnBun(["src/main.ts"], {
        PORT: "0",
        DATABASE_URL: first.url,
        HERALD_ADMIN_KEY: ADMIN_KEY,
      });
      expect(await refused.proc.exited).toBe(78);
      await refused.stdout.done;
      expect(refused.stdout.lines.join("\n")).toContain(
        "the database refused Herald's credentials: set DATABASE_AUTH_TOKEN",
      );

      const env = { DATABASE_AUTH_TOKEN: token };
      const herald = await startServer({ databaseUrl: first.url, adminKey: ADMIN_KEY, env });
      const call = (base: string, method: string, path: string, body?: unknown) =>
        fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      // One notification per recipient: the loop guard would stop a burst of the same one to one person.
      const ids: string[] = [];
      for (let i = 0; i < NOTIFICATIONS; i++) {
        const recipient = { kind: "customer", email: `r${i}@example.com`, emailVerified: true };
        expect((await call(herald.url, "PUT", `/v1/recipients/r-${i}`, recipient)).status).toBe(201);
        const res = await call(herald.url, "POST", "/v1/notifications", {
          recipientId: `r-${i}`,
          template: "test-message",
          priority: "HIGH",
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { notification: { id: string } }).notification.id);
      }
      const sentEmails = async (base: string) => {
        const res = await call(base, "GET", "/v1/deliveries?channel=email&status=sent&limit=100");
        return ((await res.json()) as { items: unknown[] }).items.length;
      };
      await pollUntil(
        "every email sent",
        async () => ((await sentEmails(herald.url)) === NOTIFICATIONS ? true : undefined),
        { timeoutMs: 15_000 },
      );

      // The sqld machine is replaced: a clean stop (sqld uploads what is left), then its disk is gone.
      expect(await herald.stop()).toBe(0);
      await first.stop();
      rmSync(first.dataDir, { recursive: true, force: true });

      const second = await startSqld(sqldOptions);
      expect(second.output()).toContain("Finished database restoration");
      const again = await startServer({ databaseUrl: second.url, adminKey: ADMIN_KEY, env });
      try {
        for (const id of ids)
          expect((await call(again.url, "GET", `/v1/notifications/${id}`)).status).toBe(200);
        expect(await sentEmails(again.url)).toBe(NOTIFICATIONS);
      } finally {
        await again.stop();
        await second.stop();
      }
    } finally {
      s3.killGroup("SIGTERM");
    }
  },
  90_000,
);
