// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
/**
 * The SES and SNS adapters with the real AWS SDK (signing, query serialisation, XML and error parsing,
 * timeouts) against test/helpers/fake-aws.ts, driven through the delivery engine so each provider answer is
 * checked all the way to the delivery's state and its attempt log.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { deliveries, deliveryAttempts, notifications } from "../../db/schema.ts";
import { FixedClock } from "../../src/clock.ts";
import { putBranding } from "../../src/domain/branding/branding.service.ts";
import { verifyLinkToken } from "../../src/domain/recipient-tokens/recipient-links.ts";
import { seedDeliveries } from "../delivery/seed-deliveries.ts";
import { decodeHeader, type FakeAwsReply, fakeAwsSdkEnv, startFakeAws } from "../helpers/fake-aws.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const fake = startFakeAws();
afterAll(() => fake.stop());

// The SDK's standard configuration: dummy credentials and the per-service endpoint variables.
Object.assign(process.env, fakeAwsSdkEnv(fake.url));

const TIMEOUT_MS = 300;
const clock = new FixedClock();
const t = await makeTestApp({
  seed: false,
  clock,
  random: () => 0.5,
  env: {
    HERALD_EMAIL_PROVIDER: "ses",
    HERALD_SMS_PROVIDER: "sns",
    HERALD_SES_CONFIGURATION_SET: "herald-feedback",
    HERALD_SMS_MAX_PRICE_USD: "0.5",
    HERALD_SMS_SENDER_ID: "Herald",
    HERALD_SMS_MAX_SEGMENTS: "2",
    HERALD_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
    HERALD_LEASE_MS: "10000",
    HERALD_PUBLIC_URL: "https://herald.example.com",
  },
});
const db = t.deps.db;

async function delivery(id: string) {
  const [row] = await db.read.select().from(deliveries).where(eq(deliveries.id, id));
  const attempts = await db.read.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id));
  return { ...row!, attemptLog: attempts.sort((a, b) => a.attempt - b.attempt) };
}

/** Seeds one delivery on `channel`, answers every call with `reply`, and runs the engine once. */
async function sendOne(
  channel: "email" | "sms",
  reply: FakeAwsReply,
  extra: Parameters<typeof seedDeliveries>[1] extends infer O ? Partial<O> : never = {},
) {
  fake.reply(() => reply);
  const [id] = await seedDeliveries(db, { count: 1, channel, now: clock.now(), ...extra });
  await t.delivery.tick();
  return delivery(id!);
}

beforeEach(async () => {
  // Each test starts with an empty queue, a fresh rate window, and no pause left from the one before.
  clock.advance(24 * 3600_000);
  fake.calls.length = 0;
  await db.write((tx) =>
    tx.update(deliveries).set({ status: "cancelled" }).where(eq(deliveries.status, "queued")),
  );
});

describe("SES email", () => {
  test("success: SendRawEmail carries a multipart/alternative MIME message and the message id is recorded", async () => {
    await putBranding(t.deps, { fromName: "Réparations Dupont" });
    const d = await sendOne(
      "email",
      { kind: "ok", messageId: "ses-msg-1" },
      {
        payload: () => ({
          kind: "email",
          subject: "Réparation n°42 approuvée ✅",
          html: "<p>Bonjour Zoë</p>",
          text: "Bonjour Zoë",
        }),
        destination: () => "zoe@example.test",
      },
    );
    expect(d.status).toBe("sent");
    expect(d.providerMessageId).toBe("ses-msg-1");
    expect(d.attempts).toBe(1);
    expect(d.attemptLog).toMatchObject([
      { attempt: 1, provider: "ses", providerMessageId: "ses-msg-1", status: "sent", errorCode: null },
    ]);
    const [notification] = await db.read
      .select()
      .from(notifications)
      .where(eq(notifications.id, d.notificationId));
    expect(notification?.emailSent).toBe(true);

    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect(call.action).toBe("SendRawEmail");
    expect(call.params.ConfigurationSetName).toBe("herald-feedback");
    const email = call.email!;
    expect(email.headers.subject).toStartWith("=?UTF-8?B?");
    expect(decodeHeader(email.headers.subject!)).toBe("Réparation n°42 approuvée ✅");
    expect(decodeHeader(email.headers.from!)).toBe("Réparations Dupont <notifications@herald.local>");
    expect(email.headers.to).toBe("zoe@example.test");
    expect(email.headers["content-type"]).toStartWith("multipart/alternative;");
    expect(email.text).toBe("Bonjour Zoë");
    expect(email.html).toBe("<p>Bonjour Zoë</p>");
    expect(email.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    const link = /^<(https:\/\/herald\.example\.com\/unsubscribe\?token=(.+))>$/.exec(
      email.headers["list-unsubscribe"]!,
    );
    expect(link).not.toBeNull();
    expect(verifyLinkToken(t.deps.tokenSecret, "unsubscribe", link![2]!)).toBe("seed-recipient");
    // No raw line is longer than RFC 5322's 998 characters, however long the body.
    expect(Math.max(...email.raw.split("\r\n").map((l) => l.length))).toBeLessThanOrEqual(998);
  });

  test("throttling is retried with backoff and empties the rate limiter for a second", async () => {
    let first = true;
    fake.reply(() => {
      if (!first) return { kind: "ok" };
      first = false;
      return { kind: "error", status: 400, code: "Throttling", message: "Maximum sending rate exceeded." };
    });
    const ids = await seedDeliveries(db, { count: 3, channel: "email", now: clock.now() });
    expect(await t.delivery.email.tick()).toBe(3);
    const states = await Promise.all(ids.map(delivery));
    const throttled = states.find((d) => d.status === "queued")!;
    expect(states.filter((d) => d.status === "sent")).toHaveLength(2);
    // random() = 0.5 → half of the first backoff window (30 s).
    expect(throttled.runAt).toBe(clock.now() + 15_000);
    expect(throttled.attemptLog).toMatchObject([{ attempt: 1, status: "retry", errorCode: "throttled" }]);
    expect(throttled.lastError).toStartWith("throttled:");

    // Another delivery is due, but the bucket was drained: nothing is claimed until a second has passed.
    await seedDeliveries(db, { count: 1, channel: "email", now: clock.now() });
    expect(await t.delivery.email.tick()).toBe(0);
    clock.advance(1000);
    expect(await t.delivery.email.tick()).toBe(1);
    clock.advance(15_000);
    expect(await t.delivery.email.tick()).toBe(1);
    expect((await delivery(throttled.id)).status).toBe("sent");
  });

  test("a 500 is retried later", async () => {
    const d = await sendOne("email", {
      kind: "error",
      status: 500,
      code: "InternalFailure",
      message: "We encountered an internal error.",
    });
    expect(d.status).toBe("queued");
    expect(d.attempts).toBe(1);
    expect(d.attemptLog).toMatchObject([{ status: "retry", errorCode: "internal-failure" }]);
  });

  test("a response slower than the timeout is abandoned and retried, without waiting for it", async () => {
    const started = performance.now();
    const d = await sendOne("email", { kind: "delay", ms: 3000, next: { kind: "ok" } });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(d.status).toBe("queued");
    expect(d.attemptLog).toMatchObject([{ status: "retry", errorCode: "timeout" }]);
    expect(d.attemptLog[0]!.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });

  test("MessageRejected fails at once", async () => {
    const d = await sendOne("email", {
      kind: "error",
      status: 400,
      code: "MessageRejected",
      message:
        "Email address is not verified. The following identities failed the check in region US-EAST-1: zoe@example.test",
    });
    expect(d.status).toBe("failed");
    expect(d.attempts).toBe(1);
    expect(d.attemptLog).toMatchObject([{ status: "failed", errorCode: "message-rejected" }]);
    // The address SES quoted is not stored.
    expect(d.attemptLog[0]!.errorMessage).not.toContain("zoe@example.test");
    expect(d.lastError).not.toContain("@");
  });

  test("account sending paused: the channel pauses, deliveries stay queued with their attempt refunded", async () => {
    fake.reply(() => ({
      kind: "error",
      status: 400,
      code: "AccountSendingPausedException",
      message: "Account sending paused.",
    }));
    const ids = await seedDeliveries(db, { count: 2, channel: "email", now: clock.now() });
    await t.delivery.email.tick();
    for (const id of ids) {
      const d = await delivery(id);
      expect(d.status).toBe("queued");
      expect(d.attempts).toBe(0);
      expect(d.attemptLog).toMatchObject([{ status: "paused", errorCode: "account-sending-paused" }]);
    }
    const status = t.delivery.status();
    expect(status.email.paused?.code).toBe("account-sending-paused");
    expect(t.logs.some((l) => l.alert === "channel-paused" && l.channel === "email")).toBe(true);

    // Nothing is claimed while paused, even though the deliveries are due; SMS is unaffected.
    fake.calls.length = 0;
    expect(await t.delivery.email.tick()).toBe(0);
    expect(fake.calls).toHaveLength(0);

    fake.reply(() => ({ kind: "ok" }));
    clock.advance(t.deps.config.HERALD_CHANNEL_PAUSE_MS);
    expect(await t.delivery.email.runUntilIdle()).toBe(2);
    expect(t.delivery.status().email.paused).toBeNull();
    for (const id of ids) expect((await delivery(id)).status).toBe("sent");
  });
});

describe("SNS SMS", () => {
  test("success: Publish with the phone number, Transactional type, max price and sender id; cost recorded", async () => {
    const d = await sendOne(
      "sms",
      { kind: "ok", messageId: "sns-msg-1" },
      { destination: () => "+447700900123" },
    );
    expect(d.status).toBe("sent");
    expect(d.providerMessageId).toBe("sns-msg-1");
    const call = fake.calls[0]!;
    expect(call.action).toBe("Publish");
    expect(call.sms).toEqual({
      phoneNumber: "+447700900123",
      message: "Repair 0 approved",
      attributes: {
        "AWS.SNS.SMS.SMSType": "Transactional",
        "AWS.SNS.SMS.MaxPrice": "0.50000",
        "AWS.SNS.SMS.SenderID": "Herald",
      },
    });
    expect(d.attemptLog).toMatchObject([{ provider: "sns", status: "sent", costUsd: 0.0463 }]);
    const [notification] = await db.read
      .select()
      .from(notifications)
      .where(eq(notifications.id, d.notificationId));
    expect(notification?.smsSent).toBe(true);
  });

  test("text longer than HERALD_SMS_MAX_SEGMENTS is cut before sending and priced as sent", async () => {
    const long = "Your repair is ready. ".repeat(30); // 660 GSM-7 characters: 5 segments
    const d = await sendOne(
      "sms",
      { kind: "ok" },
      { payload: () => ({ kind: "sms", text: long, encoding: "GSM-7", segments: 5 }) },
    );
    const sent = fake.calls[0]!.sms!.message;
    expect(sent.length).toBeLessThanOrEqual(306);
    expect(sent).toEndWith("...");
    expect(d.attemptLog[0]!.costUsd).toBeCloseTo(2 * 0.00645, 6);
  });

  test("an invalid phone number fails at once", async () => {
    const d = await sendOne("sms", {
      kind: "error",
      status: 400,
      code: "InvalidParameter",
      message: "Invalid parameter: PhoneNumber Reason: +1555000000 is not valid to publish to",
    });
    expect(d.status).toBe("failed");
    expect(d.attemptLog).toMatchObject([{ status: "failed", errorCode: "invalid-parameter", costUsd: 0 }]);
  });

  test("an opted-out number fails at once", async () => {
    const d = await sendOne("sms", {
      kind: "error",
      status: 400,
      code: "InvalidParameter",
      message: "Destination phone number opted out",
    });
    expect(d.status).toBe("failed");
    expect(d.attemptLog).toMatchObject([{ status: "failed", errorCode: "opted-out" }]);
  });

  test("SNS throttling and 5xx are retried", async () => {
    const throttled = await sendOne("sms", {
      kind: "error",
      status: 400,
      code: "Throttled",
      message: "Rate exceeded",
    });
    expect(throttled.status).toBe("queued");
    expect(throttled.attemptLog).toMatchObject([{ errorCode: "throttled" }]);
    clock.advance(1000);
    const unavailable = await sendOne("sms", {
      kind: "error",
      status: 503,
      code: "ServiceUnavailable",
      message: "Service unavailable",
    });
    expect(unavailable.status).toBe("queued");
  });

  test("an authorization error pauses SMS without touching email", async () => {
    const d = await sendOne("sms", {
      kind: "error",
      status: 403,
      code: "AuthorizationError",
      message: "not authorized to perform SNS:Publish",
    });
    expect(d.status).toBe("queued");
    expect(d.attempts).toBe(0);
    expect(t.delivery.status().sms.paused?.code).toBe("authorization-error");
    expect(t.delivery.status().email.paused).toBeNull();
  });
});
