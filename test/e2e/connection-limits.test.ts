/**
 * Connections are a resource an unauthenticated client can hold: a silent connection is closed after the idle
 * timeout, a body that trickles in is cut off with a 408, and the recipient's event stream (quiet for up to 25 s
 * between keep-alives) is exempt. Against a real server process, with short limits.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { RawConnection } from "../helpers/raw-http.ts";
import { startServer } from "../helpers/server-process.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const ADMIN_KEY = "connection-limits-admin-key-0123";
const server = await startServer({
  databaseUrl: `file:${join(tempDir(), "connections.db")}`,
  adminKey: ADMIN_KEY,
  env: { HERALD_IDLE_TIMEOUT_SECONDS: "1", HERALD_BODY_TIMEOUT_MS: "500" },
});
afterAll(() => server.stop("SIGTERM"));
const port = Number(new URL(server.url).port);
const admin = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };

describe("connection limits", () => {
  test("a connection whose request stops half-way through its headers is closed after the idle timeout", async () => {
    const conn = await RawConnection.open(port);
    const opened = Date.now();
    conn.write("GET /health HTTP/1.1\r\nHost: localhost\r\n");
    await conn.closed; // Bun checks idle connections every few seconds
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    expect(conn.received).toBe("");
  }, 20_000);

  test("a kept-alive connection that goes quiet after its request is closed after the idle timeout", async () => {
    const conn = await RawConnection.open(port);
    conn.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await conn.waitFor(/HTTP\/1\.1 200/);
    await conn.closed;
  }, 20_000);

  test("a body that stops arriving gets a 408 problem and changes nothing", async () => {
    const conn = await RawConnection.open(port);
    const body = JSON.stringify({ kind: "technician", name: "Slow" });
    conn.write(
      `PUT /v1/recipients/slow-1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    const answer = await conn.waitFor(/\r\n\r\n[\s\S]*"code"\s*:\s*"request-timeout"/);
    expect(answer.startsWith("HTTP/1.1 408")).toBe(true);
    expect(answer.toLowerCase()).toContain("content-type: application/problem+json");
    const check = await fetch(`${server.url}/v1/recipients/slow-1`, { headers: admin });
    expect(check.status).toBe(404);
  }, 10_000);

  test("the recipient's event stream stays open past the idle timeout", async () => {
    const put = await fetch(`${server.url}/v1/recipients/stream-1`, {
      method: "PUT",
      headers: admin,
      body: JSON.stringify({ kind: "customer" }),
    });
    expect(put.status).toBe(201);
    const issued = await fetch(`${server.url}/v1/recipients/stream-1/tokens`, {
      method: "POST",
      headers: admin,
      body: "{}",
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const conn = await RawConnection.open(port);
    conn.write(
      `GET /v1/me/stream?access_token=${token} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await conn.waitFor(/event: unread/);
    // Ten idle timeouts pass with nothing sent either way (Bun checks idle connections every few seconds; the
    // next keep-alive is 25 s away).
    let closed = false;
    void conn.closed.then(() => {
      closed = true;
    });
    await Bun.sleep(10_000);
    expect(closed).toBe(false);
    conn.close();
  }, 25_000);
});
