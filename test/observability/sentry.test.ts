/**
 * Sentry is a process-wide singleton: this file initialises it once (through bootstrap, with SENTRY_DSN pointing
 * at a local endpoint) and inspects the envelopes that would leave the machine.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { scrubEvent } from "../../src/observability/sentry.tracker.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const envelopes: string[] = [];
const sink = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const raw = Buffer.from(await request.arrayBuffer());
    const gzipped = request.headers.get("content-encoding") === "gzip";
    envelopes.push((gzipped ? gunzipSync(raw) : raw).toString("utf8"));
    return Response.json({ id: "0" });
  },
});
afterAll(() => sink.stop(true));

const t = await makeTestApp({
  seed: false,
  env: {
    SENTRY_DSN: `http://publickey@127.0.0.1:${sink.port}/42`,
    SENTRY_ENVIRONMENT: "staging-test",
    HERALD_RELEASE: "herald@9.9.9",
  },
});
// A route that fails the way unexpected errors do: quoting the input it choked on.
t.app.post("/v1/test-failure", async (c) => {
  const body = (await c.req.json()) as { email: string; phone: string };
  throw new Error(`cannot notify ${body.email} at ${body.phone}`);
});

// A route whose path carries contacts, as DELETE /v1/suppressions/:channel/:contact does.
t.app.delete("/v1/test-failure/:email/:phone", () => {
  throw new Error("the suppression store is unavailable");
});

const email = "dana.reyes@example.com";
const phone = "+15551230042";

describe("Sentry", () => {
  test("an unhandled route error reaches Sentry with environment and release, and no key, body or contact data", async () => {
    const res = await t.call("POST", "/v1/test-failure?token=query-secret-123", {
      body: { email, phone, note: "body-secret-456" },
      headers: { cookie: "session=cookie-secret-789" },
      checkResponse: false,
    });
    expect(res.status).toBe(500);
    expect(await t.deps.errors.flush(5_000)).toBe(true);

    const events = envelopes.filter((e) => e.includes('"type":"event"'));
    expect(events).toHaveLength(1);
    const sent = events[0] as string;
    expect(sent).toContain('"environment":"staging-test"');
    expect(sent).toContain('"release":"herald@9.9.9"');
    expect(sent).toContain("cannot notify [email] at [phone]");
    expect(sent).toContain('"route":"/v1/test-failure"');
    for (const secret of [
      t.adminKey,
      t.adminKey.slice(0, 12),
      email,
      phone,
      "query-secret-123",
      "body-secret-456",
      "cookie-secret-789",
    ]) {
      expect(sent).not.toContain(secret);
    }
    expect(sent.toLowerCase()).not.toContain("authorization");
  });

  test("a failing request whose path carries a percent-encoded email and phone sends its route pattern, not its path", async () => {
    envelopes.length = 0;
    // Through Bun.serve, as in production: Sentry instruments it and records each request's URL.
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch });
    const res = await fetch(
      `http://127.0.0.1:${server.port}/v1/test-failure/ann%40example.com/%2B15551230077`,
      {
        method: "DELETE",
        headers: { authorization: `Bearer ${t.adminKey}` },
      },
    );
    await server.stop(true);
    expect(res.status).toBe(500);
    expect(await t.deps.errors.flush(5_000)).toBe(true);

    const sent = envelopes.filter((e) => e.includes('"type":"event"')).join("\n");
    expect(sent).toContain("the suppression store is unavailable");
    expect(sent).toContain('"route":"/v1/test-failure/:email/:phone"');
    expect(sent).toMatch(
      /"request":\{"method":"DELETE","url":"http:\/\/127\.0\.0\.1:\d+\/v1\/test-failure\/:email\/:phone"\}/,
    );
    for (const contact of ["ann%40example.com", "ann@example.com", "ann%40", "15551230077"]) {
      expect(sent).not.toContain(contact);
    }
  });

  test("a failing scheduler tick is captured with its scheduler tag", async () => {
    envelopes.length = 0;
    t.deps.errors.capture(new Error(`digest failed for ${email}`), { scheduler: "digest" });
    expect(await t.deps.errors.flush(5_000)).toBe(true);
    const sent = envelopes.join("\n");
    expect(sent).toContain('"scheduler":"digest"');
    expect(sent).toContain("digest failed for [email]");
    expect(sent).not.toContain(email);
  });

  test("scrubEvent drops the request's body, headers, cookies, query and path, the user, and masks breadcrumbs", () => {
    const scrubbed = scrubEvent({
      type: undefined,
      message: `send to ${phone} failed`,
      tags: { route: "/v1/suppressions/:channel/:contact" },
      request: {
        method: "POST",
        url: "http://localhost/v1/suppressions/email/ann%40example.com?token=rt_abc.def",
        query_string: "token=rt_abc.def",
        headers: { authorization: "Bearer hk_live_secret", cookie: "session=x" },
        cookies: { session: "x" },
        data: { email },
      },
      user: { email, ip_address: "10.0.0.1" },
      breadcrumbs: [
        {
          category: "http",
          message: `GET for ${email}`,
          data: { url: "https://email.us-east-1.amazonaws.com/?Destination=x", method: "POST", body: email },
        },
      ],
      extra: { note: `Authorization: Bearer abc.def.ghi for ${email}` },
    });
    expect(scrubbed.request).toEqual({
      method: "POST",
      url: "http://localhost/v1/suppressions/:channel/:contact",
    });
    // Without a route (an error outside a request handler) no URL is kept at all.
    expect(
      scrubEvent({ type: undefined, request: { method: "GET", url: "http://localhost/a%40b.com" } }).request,
    ).toEqual({
      method: "GET",
    });
    expect(scrubbed.user).toBeUndefined();
    expect(scrubbed.message).toBe("send to [phone] failed");
    expect(scrubbed.breadcrumbs?.[0]).toEqual({
      category: "http",
      message: "GET for [email]",
      data: { method: "POST", url: "https://email.us-east-1.amazonaws.com/" },
    });
    expect(scrubbed.extra).toEqual({ note: "Authorization: Bearer [redacted] for [email]" });
  });
});
