import { describe, expect, test } from "bun:test";
import {
  checkSnsMessage,
  isTrustedCertificateUrl,
  isTrustedSubscribeUrl,
  type SnsMessage,
  stringToSign,
} from "../../../src/domain/feedback/sns-message.rules.ts";

const now = Date.parse("2026-01-15T12:00:00Z");
const topic = "arn:aws:sns:us-east-1:123456789012:herald-feedback";
const base = {
  MessageId: "m-1",
  TopicArn: topic,
  Message: "hello\nworld",
  Timestamp: "2026-01-15T11:59:00.000Z",
  SignatureVersion: "1",
  Signature: "c2ln",
  SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
};
const context: { typeHeader: string | undefined; now: number; topicArns: string[] } = {
  typeHeader: undefined,
  now,
  topicArns: [topic],
};

describe("stringToSign", () => {
  test("a Notification signs Message, MessageId, Subject (when present), Timestamp, TopicArn and Type in that order", () => {
    const m = { ...base, Type: "Notification", Subject: "Hi" } as SnsMessage;
    expect(stringToSign(m)).toBe(
      `Message\nhello\nworld\nMessageId\nm-1\nSubject\nHi\nTimestamp\n2026-01-15T11:59:00.000Z\nTopicArn\n${topic}\nType\nNotification\n`,
    );
    const { Subject: _, ...withoutSubject } = m;
    expect(stringToSign(withoutSubject as SnsMessage)).not.toContain("Subject");
    expect(stringToSign({ ...m, Subject: null } as SnsMessage)).not.toContain("Subject");
  });

  test("a SubscriptionConfirmation signs SubscribeURL and Token instead of Subject", () => {
    const m = {
      ...base,
      Type: "SubscriptionConfirmation",
      SubscribeURL: "https://sns/x",
      Token: "tok",
      Subject: "ignored",
    } as SnsMessage;
    expect(stringToSign(m)).toBe(
      `Message\nhello\nworld\nMessageId\nm-1\nSubscribeURL\nhttps://sns/x\nTimestamp\n2026-01-15T11:59:00.000Z\nToken\ntok\nTopicArn\n${topic}\nType\nSubscriptionConfirmation\n`,
    );
  });
});

describe("certificate and subscribe URLs", () => {
  test("only https .pem URLs on an Amazon SNS host are trusted", () => {
    expect(isTrustedCertificateUrl(base.SigningCertURL)).toBe(true);
    expect(isTrustedCertificateUrl("https://sns.cn-north-1.amazonaws.com.cn/cert.pem")).toBe(true);
    expect(isTrustedCertificateUrl("http://sns.us-east-1.amazonaws.com/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("https://sns.us-east-1.amazonaws.com.evil.example/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("https://evil.example/sns.us-east-1.amazonaws.com/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("https://s3.amazonaws.com/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("https://sns.us-east-1.amazonaws.com/cert.txt")).toBe(false);
    expect(isTrustedCertificateUrl("https://sns.us-east-1.amazonaws.com:8443/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("https://me@sns.us-east-1.amazonaws.com/cert.pem")).toBe(false);
    expect(isTrustedCertificateUrl("not a url")).toBe(false);
  });

  test("only ConfirmSubscription URLs on an SNS host are visited", () => {
    expect(
      isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t"),
    ).toBe(true);
    expect(isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com/?Action=Publish")).toBe(false);
    expect(isTrustedSubscribeUrl("https://attacker.example/?Action=ConfirmSubscription")).toBe(false);
  });
});

describe("checkSnsMessage", () => {
  const notification = { ...base, Type: "Notification" };

  test("accepts a fresh, signed message from a configured topic", () => {
    expect(checkSnsMessage(notification, context)).toMatchObject({ ok: true, message: { MessageId: "m-1" } });
  });

  test("names why a message is refused", () => {
    const reason = (body: unknown, ctx = context) => {
      const r = checkSnsMessage(body, ctx);
      return r.ok ? "ok" : r.rejection;
    };
    const { Signature: _, ...unsigned } = notification;
    expect(reason(unsigned)).toBe("unsigned");
    expect(reason("just text")).toBe("unsigned");
    expect(reason({ ...notification, Type: "Gossip" })).toBe("malformed");
    expect(reason({ ...notification, Type: "SubscriptionConfirmation" })).toBe("malformed"); // no SubscribeURL/Token
    expect(reason(notification, { ...context, typeHeader: "SubscriptionConfirmation" })).toBe(
      "type-mismatch",
    );
    expect(reason({ ...notification, SignatureVersion: "3" })).toBe("unsupported-signature-version");
    expect(reason({ ...notification, SigningCertURL: "https://evil.example/cert.pem" })).toBe(
      "untrusted-certificate-url",
    );
    const confirmation = { ...base, Type: "SubscriptionConfirmation", Token: "t" };
    expect(
      reason({ ...confirmation, SubscribeURL: "https://evil.example/?Action=ConfirmSubscription" }),
    ).toBe("untrusted-subscribe-url");
    expect(
      reason({
        ...confirmation,
        SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
      }),
    ).toBe("ok");
    expect(reason({ ...notification, Timestamp: "2026-01-15T10:59:59.000Z" })).toBe("stale");
    expect(reason({ ...notification, Timestamp: "2026-01-15T12:06:00.000Z" })).toBe("from-the-future");
    expect(reason({ ...notification, Timestamp: "yesterday" })).toBe("malformed");
    expect(reason({ ...notification, TopicArn: "arn:aws:sns:us-east-1:123456789012:other" })).toBe(
      "unknown-topic",
    );
    expect(reason(notification, { ...context, topicArns: [] })).toBe("unknown-topic");
  });

  test("a message exactly an hour old or a few minutes ahead is still accepted", () => {
    expect(checkSnsMessage({ ...notification, Timestamp: "2026-01-15T11:00:00.000Z" }, context).ok).toBe(
      true,
    );
    expect(checkSnsMessage({ ...notification, Timestamp: "2026-01-15T12:04:00.000Z" }, context).ok).toBe(
      true,
    );
  });
});
