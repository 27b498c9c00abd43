/**
 * SIGTERM/SIGINT on the real server process: stop accepting, let in-flight requests finish and queued writes
 * commit, close the database, exit 0, and never hang on a connection that does not end.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { SHUTDOWN_GRACE_MS } from "../../src/main.ts";
import { jsonRequestHead, RawConnection } from "../helpers/raw-http.ts";
import { type ServerProcess, startServer } from "../helpers/server-process.ts";
import { tempDir } from "../helpers/temp-dir.ts";

// Real processes (bun start-up, migrations, the shutdown grace period) outlast the 5 s default on a busy machine.
setDefaultTimeout(30_000);

const ADMIN_KEY = "shutdown-test-admin-key-0123456789";
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

async function start() {
  const dbPath = join(tempDir(), "shutdown.db");
  const server = await startServer({ databaseUrl: `file:${dbPath}`, adminKey: ADMIN_KEY });
  return { server, dbPath };
}

async function storedNames(dbPath: string): Promise<Map<string, string>> {
  const client = createClient({ url: `file:${dbPath}` });
  try {
    const rows = (await client.execute("SELECT id, name FROM recipients")).rows;
    return new Map(rows.map((r) => [String(r.id), String(r.name)]));
  } finally {
    client.close();
  }
}

const portOf = (server: ServerProcess) => Number(new URL(server.url).port);

describe("graceful shutdown", () => {
  test("SIGTERM and SIGINT on an idle server exit 0 after logging the shutdown", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const { server } = await start();
      expect(await server.stop(signal)).toBe(0);
      const messages = server.logs().map((l) => l.msg);
      expect(messages).toContain("shutting down");
      expect(messages.at(-1)).toBe("stopped");
    }
  });

  test("a request in flight at SIGTERM is answered and its write committed, while new connections are refused", async () => {
    const { server, dbPath } = await start();
    const body = JSON.stringify({ kind: "technician", name: "Finished After SIGTERM" });
    const conn = await RawConnection.open(portOf(server));
    conn.write(jsonRequestHead("PUT", "/v1/recipients/in-flight", auth, body.length));
    await conn.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/); // the server is handling this request now

    server.proc.kill("SIGTERM");
    await server.stdout.waitFor((line) => line.includes('"shutting down"'));
    await expect(fetch(`${server.url}/health`)).rejects.toThrow(); // no longer accepting

    conn.write(body);
    const response = await conn.waitFor(/\r\n\r\n[\s\S]*"name":"Finished After SIGTERM"/);
    expect(response).toMatch(/HTTP\/1\.1 201 Created/);
    expect(await server.proc.exited).toBe(0);
    expect((await storedNames(dbPath)).get("in-flight")).toBe("Finished After SIGTERM");
  });

  test("a connection that never finishes is closed after the grace period and the process still exits 0", async () => {
    const { server, dbPath } = await start();
    const conn = await RawConnection.open(portOf(server));
    conn.write(jsonRequestHead("PUT", "/v1/recipients/never-finished", auth, 1000));
    await conn.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    conn.write('{"kind":"technician","name":"'); // and never the rest

    const signalled = Date.now();
    expect(await server.stop("SIGTERM")).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 100);
    expect(took).toBeLessThan(SHUTDOWN_GRACE_MS + 10_000);
    await conn.closed;
    expect(server.logs().some((l) => l.msg === "closing connections still open after the grace period")).toBe(
      true,
    );
    expect((await storedNames(dbPath)).has("never-finished")).toBe(false);
  });

  test("an open event stream (GET /v1/me/stream) is closed after the grace period and the process exits 0", async () => {
    const { server } = await start();
    const json = { ...auth, "content-type": "application/json" };
    const put = await fetch(`${server.url}/v1/recipients/streamer`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ kind: "customer" }),
    });
    expect(put.status).toBe(201);
    const issued = await fetch(`${server.url}/v1/recipients/streamer/tokens`, {
      method: "POST",
      headers: json,
      body: "{}",
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };

    const stream = await fetch(`${server.url}/v1/me/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read(); // the current unread count: the stream is live
    expect(new TextDecoder().decode(first.value)).toContain("data:");

    const signalled = Date.now();
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_GRACE_MS + 10_000);
    expect(server.logs().some((l) => l.msg === "closing connections still open after the grace period")).toBe(
      true,
    );
    // The client sees the stream end (cleanly or cut), not hang.
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true }));
      if (next.done) break;
    }
  });

  test("writes acknowledged around SIGTERM are all durable", async () => {
    const { server, dbPath } = await start();
    const outcomes: { id: string; status: number | "refused" }[] = [];
    const put = async (id: string) => {
      try {
        const res = await fetch(`${server.url}/v1/recipients/${id}`, {
          method: "PUT",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ kind: "customer", name: `name of ${id}` }),
        });
        await res.arrayBuffer();
        outcomes.push({ id, status: res.status });
      } catch {
        outcomes.push({ id, status: "refused" });
      }
    };
    const first = put("flood-0");
    const rest = Array.from({ length: 200 }, (_, i) => put(`flood-${i + 1}`));
    await first; // the server is busy committing the flood
    const exited = server.stop("SIGTERM");
    await Promise.all(rest);
    expect(await exited).toBe(0);

    const stored = await storedNames(dbPath);
    const acknowledged = outcomes.filter((o) => o.status === 201);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== "refused")).toEqual([]);
    expect(acknowledged.filter((o) => stored.get(o.id) !== `name of ${o.id}`)).toEqual([]);
  });
});
