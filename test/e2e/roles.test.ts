/**
 * `herald serve --role api` and `--role worker` as real processes on one database, started together: the API
 * process accepts a notification, the worker process (which serves no API) delivers it, and each says in
 * `/health/ready` what it runs. On a local file and on a real libSQL server (sqld).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { pollUntil } from "../helpers/processes.ts";
import { requireTool, SQLD } from "../helpers/requires-tool.ts";
import { type ServerProcess, startServer } from "../helpers/server-process.ts";
import { startSqld } from "../helpers/sqld.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const ADMIN_KEY = "hk_roles_test_admin_key_0123456789abcdef";

async function apiAndWorker(databaseUrl: string): Promise<{ api: ServerProcess; worker: ServerProcess }> {
  const start = (role: string) =>
    startServer({ databaseUrl, adminKey: ADMIN_KEY, args: ["src/cli.ts", "serve", "--role", role] });
  // Together, as a deployment starts its machines: both migrate and seed the same database at once.
  const [api, worker] = await Promise.all([start("api"), start("worker")]);
  return { api, worker };
}

async function deliveredAcrossProcesses(databaseUrl: string) {
  const { api, worker } = await apiAndWorker(databaseUrl);
  try {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
    const apiReady = await (await fetch(`${api.url}/health/ready`)).json();
    expect(apiReady).toMatchObject({
      status: "ready",
      role: "api",
      components: { emailWorker: { status: "healthy", detail: "runs in the worker processes (role api)" } },
    });
    const workerReady = (await (await fetch(`${worker.url}/health/ready`)).json()) as {
      role: string;
      components: Record<string, unknown>;
    };
    expect(workerReady.role).toBe("worker");
    expect(workerReady.components.emailWorker).toEqual({ status: "healthy" });
    // The worker serves no API, with or without a key.
    expect((await fetch(`${worker.url}/v1/recipients/r-1`, { headers })).status).toBe(404);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);

    const put = await fetch(`${api.url}/v1/recipients/r-1`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ kind: "customer", email: "r1@example.com", emailVerified: true }),
    });
    expect(put.status).toBe(201);
    const created = await fetch(`${api.url}/v1/notifications`, {
      method: "POST",
      headers,
      body: JSON.stringify({ recipientId: "r-1", template: "test-message", priority: "HIGH" }),
    });
    expect(created.status).toBe(201);
    const { notification } = (await created.json()) as { notification: { id: string } };
    // The API process starts no workers: the worker process finds the delivery on its poll and sends it.
    await pollUntil(
      "the worker process to send the email",
      async () => {
        const res = await fetch(`${api.url}/v1/deliveries?notificationId=${notification.id}`, { headers });
        const { items } = (await res.json()) as { items: { channel: string; status: string }[] };
        const email = items.find((d) => d.channel === "email");
        return email?.status === "sent" ? email : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(api.logs().some((l) => l.msg === "delivery engine started")).toBe(false);
    expect(worker.logs().some((l) => l.msg === "delivery engine started")).toBe(true);
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
  }
}

describe("serve --role api and --role worker on one database", () => {
  test("on a local file: the API accepts, the worker delivers", async () => {
    await deliveredAcrossProcesses(`file:${join(tempDir("herald-roles-"), "herald.db")}`);
  }, 60_000);

  requireTool(SQLD).test(
    "on a libSQL server: the API accepts, the worker delivers",
    async () => {
      await deliveredAcrossProcesses((await startSqld()).url);
    },
    60_000,
  );
});
