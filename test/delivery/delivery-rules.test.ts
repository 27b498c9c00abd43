// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { retryDelayMs } from "../../src/delivery/backoff.rules.ts";
import { classifyFailure } from "../../src/delivery/provider-errors.rules.ts";
import { afterAttempt, afterLeaseExpired } from "../../src/delivery/transitions.rules.ts";

const backoff = { baseMs: 30_000, capMs: 3_600_000 };

describe("retryDelayMs (exponential backoff, full jitter)", () => {
  test("doubles the window per attempt and draws uniformly inside it", () => {
    expect(retryDelayMs(1, backoff, () => 0.999999)).toBe(29_999);
    expect(retryDelayMs(2, backoff, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, backoff, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(4, backoff, () => 0)).toBe(0);
  });

  test("never exceeds the cap, however many attempts", () => {
    expect(retryDelayMs(8, backoff, () => 0.999999)).toBeLessThan(3_600_000);
    expect(retryDelayMs(8, backoff, () => 0.999999)).toBeGreaterThan(3_599_000);
    expect(retryDelayMs(10_000, backoff, () => 0.5)).toBe(1_800_000);
  });
});

describe("classifyFailure", () => {
  const cases: [
    string,
    { code: string; message?: string; httpStatus?: number | null },
    string,
    string,
    boolean?,
  ][] = [
    [
      "SES throttling",
      { code: "Throttling", message: "Maximum sending rate exceeded.", httpStatus: 400 },
      "retryable",
      "throttled",
      true,
    ],
    ["SNS throttling", { code: "ThrottledException", httpStatus: 400 }, "retryable", "throttled", true],
    ["MaxSendingRateExceeded", { code: "MaxSendingRateExceeded" }, "retryable", "throttled", true],
    ["HTTP 429", { code: "SlowDown", httpStatus: 429 }, "retryable", "throttled", true],
    ["a 500", { code: "InternalFailure", httpStatus: 500 }, "retryable", "internal-failure"],
    ["an unknown 503", { code: "Whatever", httpStatus: 503 }, "retryable", "provider-5xx"],
    ["a timeout", { code: "timeout" }, "retryable", "timeout"],
    ["a network error", { code: "network" }, "retryable", "network"],
    ["MessageRejected", { code: "MessageRejected", httpStatus: 400 }, "permanent", "message-rejected"],
    [
      "an unverified address",
      { code: "MessageRejected", message: "Email address is not verified.", httpStatus: 400 },
      "permanent",
      "message-rejected",
    ],
    [
      "an unverified MAIL FROM domain",
      { code: "MailFromDomainNotVerifiedException", httpStatus: 400 },
      "permanent",
      "mail-from-domain-not-verified",
    ],
    [
      "an invalid phone number",
      { code: "InvalidParameterException", message: "Invalid parameter: PhoneNumber", httpStatus: 400 },
      "permanent",
      "invalid-parameter",
    ],
    [
      "an opted-out number",
      { code: "InvalidParameter", message: "Destination phone number opted out", httpStatus: 400 },
      "permanent",
      "opted-out",
    ],
    ["an unknown 4xx", { code: "SomethingNew", httpStatus: 400 }, "permanent", "something-new"],
    ["a missing destination", { code: "no-destination" }, "permanent", "no-destination"],
    [
      "account sending paused",
      { code: "AccountSendingPausedException", httpStatus: 400 },
      "account",
      "account-sending-paused",
    ],
    [
      "the daily quota",
      { code: "Throttling", message: "Daily message quota exceeded.", httpStatus: 400 },
      "account",
      "quota-exceeded",
    ],
    [
      "bad credentials",
      { code: "InvalidClientTokenId", httpStatus: 403 },
      "account",
      "invalid-client-token-id",
    ],
    [
      "SNS authorization",
      { code: "AuthorizationErrorException", httpStatus: 403 },
      "account",
      "authorization-error",
    ],
    ["no credentials at all", { code: "CredentialsProviderError" }, "account", "credentials-provider-error"],
    ["an unknown error without status", { code: "TypeError" }, "retryable", "type-error"],
  ];
  for (const [name, input, kind, code, throttled = false] of cases) {
    test(`${name} → ${kind} (${code})`, () => {
      expect(
        classifyFailure({
          code: input.code,
          message: input.message ?? "",
          httpStatus: input.httpStatus ?? null,
        }),
      ).toEqual({
        kind: kind as "retryable",
        code,
        throttled,
      });
    });
  }
});

describe("afterAttempt", () => {
  const failure = (kind: "retryable" | "permanent" | "account") => ({
    ok: false as const,
    failure: { kind, code: "x", throttled: false },
  });
  const half = () => 0.5;

  test("success → sent", () => {
    expect(afterAttempt({ attempts: 1, maxAttempts: 8 }, { ok: true }, 0, backoff, half)).toEqual({
      status: "sent",
    });
  });
  test("retryable with attempts left → queued after the backoff of this attempt", () => {
    expect(afterAttempt({ attempts: 3, maxAttempts: 8 }, failure("retryable"), 1000, backoff, half)).toEqual({
      status: "queued",
      runAt: 1000 + 60_000,
      refundAttempt: false,
    });
  });
  test("retryable on the last attempt → failed", () => {
    expect(afterAttempt({ attempts: 8, maxAttempts: 8 }, failure("retryable"), 0, backoff, half)).toEqual({
      status: "failed",
    });
  });
  test("permanent → failed at once", () => {
    expect(afterAttempt({ attempts: 1, maxAttempts: 8 }, failure("permanent"), 0, backoff, half)).toEqual({
      status: "failed",
    });
  });
  test("account-level → queued now with the attempt refunded, even on the last attempt", () => {
    expect(afterAttempt({ attempts: 8, maxAttempts: 8 }, failure("account"), 5, backoff, half)).toEqual({
      status: "queued",
      runAt: 5,
      refundAttempt: true,
    });
  });
});

describe("afterLeaseExpired", () => {
  const policy = { email: "resend", sms: "hold" } as const;
  test("not started → queued now", () => {
    expect(
      afterLeaseExpired({ channel: "sms", attempts: 1, maxAttempts: 8, sendStarted: false }, policy, 9),
    ).toEqual({
      status: "queued",
      runAt: 9,
      refundAttempt: false,
    });
  });
  test("started, email resends", () => {
    expect(
      afterLeaseExpired({ channel: "email", attempts: 1, maxAttempts: 8, sendStarted: true }, policy, 9)
        .status,
    ).toBe("queued");
  });
  test("started, SMS is held as unknown", () => {
    expect(
      afterLeaseExpired({ channel: "sms", attempts: 1, maxAttempts: 8, sendStarted: true }, policy, 9),
    ).toEqual({ status: "unknown" });
  });
  test("the last attempt → failed (a delivery that crashes its process every time ends)", () => {
    expect(
      afterLeaseExpired({ channel: "email", attempts: 8, maxAttempts: 8, sendStarted: true }, policy, 9),
    ).toEqual({ status: "failed" });
  });
});
