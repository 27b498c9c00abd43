import { describe, expect, test } from "bun:test";
import { httpRequestLabels } from "../../src/observability/http-metrics.rules.ts";
import { redactSecrets } from "../../src/observability/log-redaction.rules.ts";

describe("redactSecrets", () => {
  test("masks email addresses, phone numbers, API keys and recipient tokens", () => {
    const text =
      'insert failed for "pat.o-neil+jobs@example.co.uk" and +15551230001 (15551230002) with hk_AbC-123_xyz, token rt_eyJzdWIi.c2ln';
    expect(redactSecrets(text)).toBe(
      'insert failed for "[email]" and [phone] ([phone]) with [api-key], token [recipient-token]',
    );
  });

  test("masks percent-encoded email addresses and phone numbers, as they appear in URL paths", () => {
    expect(redactSecrets("DELETE /v1/suppressions/email/ann%40example.com failed")).toBe(
      "DELETE /v1/suppressions/email/[email] failed",
    );
    expect(redactSecrets("/v1/suppressions/email/pat.o-neil%2Bjobs%40Example.co.uk")).toBe(
      "/v1/suppressions/email/[email]",
    );
    expect(redactSecrets("/v1/suppressions/email/ann%40EXAMPLE.COM")).toBe("/v1/suppressions/email/[email]");
    expect(redactSecrets("DELETE /v1/suppressions/sms/%2B15551230042 failed")).toBe(
      "DELETE /v1/suppressions/sms/[phone] failed",
    );
    expect(redactSecrets("contact=%2b15551230042&x=1")).toBe("contact=[phone]&x=1");
  });

  test("masks formatted phone numbers and addresses quoted by providers; keeps SMTP codes and short numbers", () => {
    expect(redactSecrets("Phone +1 (555) 123-0001 is opted out")).toBe("Phone [phone] is opted out");
    expect(redactSecrets("call 555.123.0001 or +44 20 7946 0958")).toBe("call [phone] or [phone]");
    expect(redactSecrets("identities failed the check: ana@example.test, +1 (555) 123-4567")).toBe(
      "identities failed the check: [email], [phone]",
    );
    expect(redactSecrets("smtp; 550 5.1.1 <Ann@Example.com>: user unknown")).toBe(
      "smtp; 550 5.1.1 <[email]>: user unknown",
    );
    expect(redactSecrets("relay to ops@localhost refused; write to ann@example.com.")).toBe(
      "relay to [email] refused; write to [email].",
    );
    const short = "Reply STOP to 12345 or call 555-0100 (status 4.4.7)";
    expect(redactSecrets(short)).toBe(short);
  });

  test("leaves dates, timestamps, IPv4 addresses and version tags alone", () => {
    const text =
      "herald@9.9.9 started 2026-01-15 12:00:00; signature expired at 20260115T120000Z; connect ECONNREFUSED 52.94.233.129:443";
    expect(redactSecrets(text)).toBe(text);
  });

  test("leaves ids, codes and small numbers alone", () => {
    const text = "delivery 01KF2ZB3Q4W5E6R7T8Y9U0I1O2 failed with InternalFailure after 3 attempts in 250 ms";
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("httpRequestLabels", () => {
  test("keeps the route pattern and standard methods, and reduces the status to its class", () => {
    expect(httpRequestLabels("/v1/recipients/:id", "GET", 404)).toEqual({
      route: "/v1/recipients/:id",
      method: "GET",
      status: "4xx",
    });
    expect(httpRequestLabels("/metrics", "HEAD", 200)).toEqual({
      route: "/metrics",
      method: "HEAD",
      status: "2xx",
    });
  });

  test("collapses methods and statuses a client could invent into `other`", () => {
    expect(httpRequestLabels("*", "BREW", 999)).toEqual({ route: "*", method: "other", status: "other" });
  });
});
