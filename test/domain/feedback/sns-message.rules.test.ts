import { describe, expect, test } from "bun:test";
import {
  checkSnsMessage,
  isTrustedCertificateUrl,
  isTrustedSubscribeUrl,
  type SnsMessage,
  snsRegionOf,
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
  SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcdef.pem",
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
  const cert = "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";

  test("the topic ARN names the region whose SNS endpoint signs its messages", () => {
    expect(snsRegionOf(topic)).toBe("us-east-1");
    expect(snsRegionOf("arn:aws-cn:sns:cn-north-1:123456789012:t")).toBe("cn-north-1");
    expect(snsRegionOf("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t.fifo")).toBe("us-gov-west-1");
    expect(snsRegionOf("arn:aws:sqs:us-east-1:123456789012:t")).toBeNull();
    expect(snsRegionOf("arn:aws:sns:s3:123456789012:t")).toBeNull();
    expect(snsRegionOf("herald-feedback")).toBeNull();
  });

  test("only the SNS signing certificate of the topic's region, on that region's SNS endpoint, is trusted", () => {
    const trusted = (url: string, region = "us-east-1") => isTrustedCertificateUrl(url, region);
    expect(trusted(base.SigningCertURL)).toBe(true);
    expect(trusted(`https://sns.us-east-1.amazonaws.com/${cert}`)).toBe(true);
    expect(trusted(`https://sns.cn-north-1.amazonaws.com.cn/${cert}`, "cn-north-1")).toBe(true);
    // S3 virtual-hosted URLs of a bucket named `sns`: anyone can upload a certificate there.
    expect(trusted(`https://sns.s3.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://sns.s3-ap-southeast-2.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://sns.s3.amazonaws.com/${cert}`, "s3")).toBe(false);
    expect(trusted(`https://sns.s3.us-east-1.amazonaws.com/${cert}`)).toBe(false);
    // Another region's endpoint than the topic's.
    expect(trusted(`https://sns.eu-west-1.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://sns.us-east-1.amazonaws.com.cn/${cert}`)).toBe(false);
    expect(trusted(`https://sns.cn-north-1.amazonaws.com/${cert}`, "cn-north-1")).toBe(false);
    // Not the certificate path SNS serves.
    expect(trusted("https://sns.us-east-1.amazonaws.com/cert.pem")).toBe(false);
    expect(trusted("https://sns.us-east-1.amazonaws.com/evil/SimpleNotificationService-abc.pem")).toBe(false);
    expect(trusted("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-xyz.pem")).toBe(false);
    expect(trusted("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1")).toBe(false);
    expect(trusted("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt")).toBe(false);
    expect(trusted(`http://sns.us-east-1.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://sns.us-east-1.amazonaws.com.evil.example/${cert}`)).toBe(false);
    expect(trusted(`https://evil.example/sns.us-east-1.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://s3.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted(`https://sns.us-east-1.amazonaws.com:8443/${cert}`)).toBe(false);
    expect(trusted(`https://me@sns.us-east-1.amazonaws.com/${cert}`)).toBe(false);
    expect(trusted("not a url")).toBe(false);
  });

  test("only ConfirmSubscription URLs on the SNS endpoint of the topic's region are visited", () => {
    const confirm = "?Action=ConfirmSubscription&Token=t";
    expect(isTrustedSubscribeUrl(`https://sns.us-east-1.amazonaws.com/${confirm}`, "us-east-1")).toBe(true);
    expect(isTrustedSubscribeUrl(`https://sns.cn-north-1.amazonaws.com.cn/${confirm}`, "cn-north-1")).toBe(
      true,
    );
    expect(isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com/?Action=Publish", "us-east-1")).toBe(
      false,
    );
    expect(isTrustedSubscribeUrl(`https://attacker.example/${confirm}`, "us-east-1")).toBe(false);
    expect(isTrustedSubscribeUrl(`https://sns.s3.amazonaws.com/${confirm}`, "us-east-1")).toBe(false);
    expect(isTrustedSubscribeUrl(`https://sns.s3-ap-southeast-2.amazonaws.com/${confirm}`, "us-east-1")).toBe(
      false,
    );
    expect(isTrustedSubscribeUrl(`https://sns.eu-west-1.amazonaws.com/${confirm}`, "us-east-1")).toBe(false);
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
    const s3Cert = "https://sns.s3.amazonaws.com/SimpleNotificationService-0123abcdef.pem";
    expect(reason({ ...notification, SigningCertURL: s3Cert })).toBe("untrusted-certificate-url");
    // A certificate from another region's endpoint than the TopicArn's.
    const euTopic = "arn:aws:sns:eu-west-1:123456789012:herald-feedback";
    expect(reason({ ...notification, TopicArn: euTopic }, { ...context, topicArns: [euTopic] })).toBe(
      "untrusted-certificate-url",
    );
    expect(
      reason(
        {
          ...notification,
          TopicArn: euTopic,
          SigningCertURL: base.SigningCertURL.replace("us-east-1", "eu-west-1"),
        },
        { ...context, topicArns: [euTopic] },
      ),
    ).toBe("ok");
    const badTopic = "arn:aws:sns:s3:123456789012:herald-feedback";
    expect(reason({ ...notification, TopicArn: badTopic }, { ...context, topicArns: [badTopic] })).toBe(
      "malformed",
    );
    const confirmation = { ...base, Type: "SubscriptionConfirmation", Token: "t" };
    expect(
      reason({ ...confirmation, SubscribeURL: "https://evil.example/?Action=ConfirmSubscription" }),
    ).toBe("untrusted-subscribe-url");
    expect(
      reason({ ...confirmation, SubscribeURL: "https://sns.s3.amazonaws.com/?Action=ConfirmSubscription" }),
    ).toBe("untrusted-subscribe-url");
    expect(
      reason({
        ...confirmation,
        SubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
      }),
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
