// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { and, asc, count, eq } from "drizzle-orm";
import { deliveries, deliveryAttempts, suppressions } from "../../db/schema.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { FixedClock } from "../../src/clock.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import {
  CERT_URL,
  fakeSnsHttp,
  type MessageFields,
  makeTestSigner,
  SUBSCRIBE_URL,
  sesBounce,
  sesComplaint,
  sesDelivery,
  signedMessage,
  smsStatus,
  TOPIC_ARN,
} from "../fixtures/sns/sns-signer.ts";
import { jobUpdateTemplate, technician } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const clock = new FixedClock(Date.parse("2026-01-15T12:00:00Z"));
const fake = createFakeProviders(clock);
const signer = makeTestSigner();
const forger = makeTestSigner();
const http = fakeSnsHttp({ [CERT_URL]: signer.certificatePem });
const t = await makeTestApp({
  seed: false,
  clock,
  providers: fake,
  snsHttp: http,
  env: { HERALD_SNS_TOPIC_ARNS: TOPIC_ARN },
});
const db = t.deps.db;

await t.call("POST", "/v1/templates", { body: jobUpdateTemplate });

let people = 0;

/** A recipient with email and SMS, and a notification to them whose deliveries were sent. */
async function sentTo(
  email = `tech-${++people}@example.com`,
  phone = `+1555123${String(people).padStart(4, "0")}`,
) {
  const recipientId = `tech-${people}`;
  await t.call("PUT", `/v1/recipients/${recipientId}`, {
    body: technician({ email, phone }),
    key: t.portalKey,
  });
  const notification = await notify(recipientId);
  await t.delivery.runUntilIdle();
  const rows = await db.read.select().from(deliveries).where(eq(deliveries.notificationId, notification));
  const email_ = rows.find((r) => r.channel === "email")!;
  const sms = rows.find((r) => r.channel === "sms")!;
  expect([email_.status, sms.status]).toEqual(["sent", "sent"]);
  return { recipientId, email: email_, sms };
}

async function notify(recipientId: string): Promise<string> {
  const res = await t.call("POST", "/v1/notifications", {
    body: { recipientId, template: "job-update", context: { id: "R-1" } },
    key: t.portalKey,
  });
  expect(res.status).toBe(201);
  return (await res.json()).notification.id;
}

/** POSTs an SNS message as SNS does: JSON labelled text/plain, with the message-type header, no API key. */
function deliver(
  message: object | string,
  type = typeof message === "object" ? (message as { Type: string }).Type : "Notification",
) {
  return t.call("POST", "/webhooks/sns", {
    body: typeof message === "string" ? message : JSON.stringify(message),
    key: null,
    headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": type },
  });
}

const notification = (payload: unknown, fields: MessageFields = {}) =>
  signedMessage(signer, clock.now(), { Message: JSON.stringify(payload), ...fields });

async function deliveryRow(id: string) {
  const [row] = await db.read.select().from(deliveries).where(eq(deliveries.id, id));
  return row!;
}

async function attemptsOf(id: string) {
  return db.read
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, id))
    .orderBy(asc(deliveryAttempts.createdAt));
}

async function suppressionCount() {
  const [row] = await db.read.select({ n: count() }).from(suppressions);
  return row!.n;
}

async function expectRefused(res: Response, reason: string) {
  expect(res.status).toBe(403);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(await res.json()).toMatchObject({ code: "forbidden", reason });
}

describe("POST /webhooks/sns: subscription", () => {
  test("confirms a SubscriptionConfirmation for a configured topic by visiting its SubscribeURL", async () => {
    const res = await deliver(signedMessage(signer, clock.now(), { Type: "SubscriptionConfirmation" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: "confirmed" });
    expect(http.confirmed).toEqual([SUBSCRIBE_URL]);
  });

  test("never confirms another topic or a SubscribeURL off the SNS hosts, even when signed", async () => {
    const before = http.confirmed.length;
    const otherTopic = signedMessage(signer, clock.now(), {
      Type: "SubscriptionConfirmation",
      TopicArn: `${TOPIC_ARN}-other`,
    });
    await expectRefused(await deliver(otherTopic), "unknown-topic");
    const evilUrl = signedMessage(signer, clock.now(), {
      Type: "SubscriptionConfirmation",
      SubscribeURL: "https://attacker.example/?Action=ConfirmSubscription",
    });
    await expectRefused(await deliver(evilUrl), "untrusted-subscribe-url");
    expect(http.confirmed).toHaveLength(before);
  });

  test("a SubscriptionConfirmation for a listed topic signed by another key is refused and not confirmed", async () => {
    const before = [...http.confirmed];
    const forged = signedMessage(forger, clock.now(), { Type: "SubscriptionConfirmation" });
    await expectRefused(await deliver(forged), "bad-signature");
    const tampered = {
      ...signedMessage(signer, clock.now(), { Type: "SubscriptionConfirmation" }),
      SubscribeURL: `${SUBSCRIBE_URL}&Attribute=evil`,
    };
    await expectRefused(await deliver(tampered), "bad-signature");
    expect(http.confirmed).toEqual(before);
  });

  test("never confirms through a SubscribeURL or certificate on an S3 bucket named sns", async () => {
    const before = [...http.confirmed];
    const s3Subscribe = signedMessage(signer, clock.now(), {
      Type: "SubscriptionConfirmation",
      SubscribeURL: "https://sns.s3.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37",
    });
    await expectRefused(await deliver(s3Subscribe), "untrusted-subscribe-url");
    const s3Cert = signedMessage(signer, clock.now(), {
      Type: "SubscriptionConfirmation",
      SigningCertURL: CERT_URL.replace("sns.us-east-1.", "sns.s3-ap-southeast-2."),
    });
    await expectRefused(await deliver(s3Cert), "untrusted-certificate-url");
    expect(http.confirmed).toEqual(before);
  });

  test("an UnsubscribeConfirmation is only logged", async () => {
    const res = await deliver(signedMessage(signer, clock.now(), { Type: "UnsubscribeConfirmation" }));
    expect(await res.json()).toEqual({ result: "unsubscribed" });
  });
});

describe("POST /webhooks/sns: SES feedback", () => {
  test("a permanent bounce marks the delivery bounced, logs an attempt, suppresses the address and stops its queued email", async () => {
    const { recipientId, email, sms } = await sentTo("Bounce.Me@Example.com");
    const queuedLater = await notify(recipientId); // not sent yet: must not go out to a dead address
    const bouncedBefore = t.deps.metrics.deliveries.get({ channel: "email", outcome: "bounced", reason: "" });

    const res = await deliver(
      notification(sesBounce(email.providerMessageId!, "bounce.me@example.com", "Permanent", "General")),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: "applied" });

    expect((await deliveryRow(email.id)).status).toBe("bounced");
    expect((await deliveryRow(sms.id)).status).toBe("sent");
    const feedbackRow = (await attemptsOf(email.id)).at(-1)!;
    expect(feedbackRow).toMatchObject({
      provider: "ses-feedback",
      status: "bounced",
      errorCode: "Permanent:General",
    });
    expect(feedbackRow.errorMessage).not.toContain("example.com");
    const [suppression] = await db.read
      .select()
      .from(suppressions)
      .where(eq(suppressions.contact, "bounce.me@example.com"));
    expect(suppression).toMatchObject({
      channel: "email",
      reason: "bounce",
      source: "ses",
      detail: "General",
    });

    const later = await db.read.select().from(deliveries).where(eq(deliveries.notificationId, queuedLater));
    expect(later.find((d) => d.channel === "email")).toMatchObject({
      status: "skipped",
      reason: "suppressed",
    });
    expect(later.find((d) => d.channel === "sms")?.status).toBe("queued");
    expect(t.deps.metrics.deliveries.get({ channel: "email", outcome: "bounced", reason: "" })).toBe(
      bouncedBefore + 1,
    );
    expect(
      t.deps.metrics.deliveries.get({ channel: "email", outcome: "skipped", reason: "suppressed" }),
    ).toBeGreaterThanOrEqual(1);
    await t.delivery.runUntilIdle();
  });

  test("a message SNS sends again is answered 200 and not applied twice", async () => {
    const { email } = await sentTo();
    const message = notification(sesDelivery(email.providerMessageId!, "x@example.com"));
    expect(await (await deliver(message)).json()).toEqual({ result: "applied" });
    const delivered = t.deps.metrics.deliveries.get({ channel: "email", outcome: "delivered", reason: "" });
    const again = await deliver(message);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ result: "duplicate" });
    expect((await attemptsOf(email.id)).filter((a) => a.provider === "ses-feedback")).toHaveLength(1);
    expect(t.deps.metrics.deliveries.get({ channel: "email", outcome: "delivered", reason: "" })).toBe(
      delivered,
    );
  });

  test("delivered then complained; a late delivery notice never moves it back", async () => {
    const { email } = await sentTo("complainer@example.com");
    await deliver(notification(sesDelivery(email.providerMessageId!, "complainer@example.com")));
    expect((await deliveryRow(email.id)).status).toBe("delivered");
    await deliver(notification(sesComplaint(email.providerMessageId!, "complainer@example.com")));
    expect((await deliveryRow(email.id)).status).toBe("complained");
    const [row] = await db.read
      .select()
      .from(suppressions)
      .where(eq(suppressions.contact, "complainer@example.com"));
    expect(row).toMatchObject({ reason: "complaint", detail: "abuse" });
    await deliver(notification(sesDelivery(email.providerMessageId!, "complainer@example.com")));
    expect((await deliveryRow(email.id)).status).toBe("complained");
  });

  test("a transient bounce marks the delivery bounced without suppressing the address", async () => {
    const { email } = await sentTo("full-mailbox@example.com");
    const before = await suppressionCount();
    await deliver(
      notification(
        sesBounce(email.providerMessageId!, "full-mailbox@example.com", "Transient", "MailboxFull"),
      ),
    );
    expect((await deliveryRow(email.id)).status).toBe("bounced");
    expect(await suppressionCount()).toBe(before);
  });

  test("a permanent bounce for a message that is not ours still suppresses the address", async () => {
    const res = await deliver(notification(sesBounce("not-ours-1", "stranger@example.com")));
    expect(await res.json()).toEqual({ result: "unmatched" });
    const rows = await db.read
      .select()
      .from(suppressions)
      .where(and(eq(suppressions.channel, "email"), eq(suppressions.contact, "stranger@example.com")));
    expect(rows).toHaveLength(1);
  });

  test("notifications Herald does not act on are answered 200 and change nothing", async () => {
    const res = await deliver(notification({ eventType: "Open", mail: { messageId: "m" } }));
    expect(await res.json()).toEqual({ result: "ignored" });
  });
});

describe("POST /webhooks/sns: SMS status", () => {
  test("SUCCESS marks the SMS delivered and records the provider's price", async () => {
    const { sms } = await sentTo();
    await deliver(
      notification(
        smsStatus(
          sms.providerMessageId!,
          sms.destination!,
          "SUCCESS",
          "Message has been accepted by phone carrier",
        ),
      ),
    );
    expect(await deliveryRow(sms.id)).toMatchObject({ status: "delivered", costUsd: 0.00645 });
    expect((await attemptsOf(sms.id)).at(-1)).toMatchObject({
      provider: "sns-feedback",
      status: "delivered",
    });
  });

  test("an opted-out FAILURE bounces the SMS and suppresses the number", async () => {
    const { sms } = await sentTo();
    await deliver(
      notification(smsStatus(sms.providerMessageId!, sms.destination!, "FAILURE", "Phone is opted out")),
    );
    expect((await deliveryRow(sms.id)).status).toBe("bounced");
    const [row] = await db.read
      .select()
      .from(suppressions)
      .where(and(eq(suppressions.channel, "sms"), eq(suppressions.contact, sms.destination!)));
    expect(row).toMatchObject({ reason: "opt-out", source: "sns" });
  });

  test("a FAILURE that is not an opt-out bounces the SMS but keeps the number", async () => {
    const { sms } = await sentTo();
    const before = await suppressionCount();
    await deliver(
      notification(
        smsStatus(
          sms.providerMessageId!,
          sms.destination!,
          "FAILURE",
          "Phone is currently unreachable/unavailable",
        ),
      ),
    );
    expect((await deliveryRow(sms.id)).status).toBe("bounced");
    expect(await suppressionCount()).toBe(before);
  });
});

describe("POST /webhooks/sns: refused messages change nothing", () => {
  test("unsigned, forged, tampered, wrong topic, wrong certificate host, stale and future messages are 403", async () => {
    const { email } = await sentTo("refused@example.com");
    const bounce = sesBounce(email.providerMessageId!, "refused@example.com");
    const good = notification(bounce);
    const fetchedBefore = http.fetched.length;
    const { Signature: _, ...unsigned } = good;

    await expectRefused(await deliver(unsigned), "unsigned");
    await expectRefused(
      await deliver({
        ...good,
        Message: JSON.stringify(sesBounce(email.providerMessageId!, "other@example.com")),
      }),
      "bad-signature",
    );
    await expectRefused(
      await deliver(signedMessage(forger, clock.now(), { Message: JSON.stringify(bounce) })),
      "bad-signature",
    );
    await expectRefused(
      await deliver(notification(bounce, { TopicArn: "arn:aws:sns:us-east-1:123456789012:someone-else" })),
      "unknown-topic",
    );
    await expectRefused(
      await deliver(
        notification(bounce, {
          SigningCertURL: "https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem",
        }),
      ),
      "untrusted-certificate-url",
    );
    await expectRefused(
      await deliver(notification(bounce, { SigningCertURL: CERT_URL.replace("sns.us-east-1.", "sns.s3.") })),
      "untrusted-certificate-url",
    );
    await expectRefused(
      await deliver(notification(bounce, { SigningCertURL: CERT_URL.replace("us-east-1", "eu-west-1") })),
      "untrusted-certificate-url",
    );
    await expectRefused(
      await deliver(notification(bounce, { Timestamp: new Date(clock.now() - 61 * 60_000).toISOString() })),
      "stale",
    );
    await expectRefused(
      await deliver(notification(bounce, { Timestamp: new Date(clock.now() + 10 * 60_000).toISOString() })),
      "from-the-future",
    );
    await expectRefused(await deliver(good, "SubscriptionConfirmation"), "type-mismatch");

    expect(await deliveryRow(email.id)).toMatchObject({ status: "sent" });
    expect((await attemptsOf(email.id)).filter((a) => a.provider === "ses-feedback")).toHaveLength(0);
    const rows = await db.read
      .select()
      .from(suppressions)
      .where(eq(suppressions.contact, "refused@example.com"));
    expect(rows).toHaveLength(0);
    // The untrusted host was never contacted: URL checks come before any fetch.
    expect(http.fetched.slice(fetchedBefore).every((url) => url === CERT_URL)).toBe(true);
  });

  test("a replay of a valid message after an hour is refused", async () => {
    const { email } = await sentTo();
    const message = notification(sesDelivery(email.providerMessageId!, "x@example.com"));
    clock.advance(61 * 60_000);
    await expectRefused(await deliver(message), "stale");
    expect((await deliveryRow(email.id)).status).toBe("sent");
  });

  test("a body that is not JSON is a 400 problem", async () => {
    const res = await deliver("this is not json", "Notification");
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("invalid-json");
  });

  test("when the certificate cannot be fetched the answer is 503, so SNS retries", async () => {
    const res = await deliver(
      notification(sesDelivery("x", "x@example.com"), {
        SigningCertURL: CERT_URL.replace(".pem", "ff.pem"), // a rotated certificate not fetched yet
      }),
    );
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("unavailable");
  });
});

describe("POST /webhooks/sns: logs and documentation", () => {
  test("no log line carries an email address or phone number", () => {
    const text = JSON.stringify(t.logs);
    expect(text).not.toMatch(/[\w.+-]+@example\.com/i);
    expect(text).not.toMatch(/\+1555123\d{4}/);
    expect(t.logs.some((l) => l.msg === "provider feedback applied")).toBe(true);
  });

  test("the OpenAPI document lists the webhook under the webhooks tag, taking text/plain", async () => {
    type Operation = {
      tags: string[];
      requestBody: { content: Record<string, unknown> };
      security?: unknown;
    };
    const doc = (await (await t.app.request("/openapi.json")).json()) as {
      paths: Record<string, { post: Operation }>;
    };
    const op = doc.paths["/webhooks/sns"]!.post;
    expect(op.tags).toEqual(["webhooks"]);
    expect(Object.keys(op.requestBody.content)).toEqual(["text/plain"]);
    expect(op.security).toBeUndefined();
  });
});

describe("HERALD_SNS_TOPIC_ARNS", () => {
  test("is a comma-separated list of topic ARNs, empty by default, and anything else fails at start", () => {
    expect(loadConfig({}).HERALD_SNS_TOPIC_ARNS).toEqual([]);
    expect(
      loadConfig({
        HERALD_SNS_TOPIC_ARNS: ` ${TOPIC_ARN} ,arn:aws:sns:eu-west-1:123456789012:sms-status.fifo`,
      }).HERALD_SNS_TOPIC_ARNS,
    ).toEqual([TOPIC_ARN, "arn:aws:sns:eu-west-1:123456789012:sms-status.fifo"]);
    expect(() => loadConfig({ HERALD_SNS_TOPIC_ARNS: "herald-feedback" })).toThrow(ConfigError);
  });
});
