/**
 * Pure checks on an Amazon SNS HTTPS delivery: its shape, the string SNS signed, where its certificate may
 * come from, how fresh it must be and which topics we accept. Nothing here touches the network.
 */
import { z } from "zod";

/** The message types SNS posts to an HTTPS subscription. */
export const snsMessageTypes = [
  "Notification",
  "SubscriptionConfirmation",
  "UnsubscribeConfirmation",
] as const;
export type SnsMessageType = (typeof snsMessageTypes)[number];

/** Oldest message accepted: older ones are treated as replays. */
export const MAX_MESSAGE_AGE_MS = 60 * 60 * 1000;
/** How far a message's Timestamp may lie in the future (clock skew between AWS and this machine). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const text = z.string().max(300_000);

/** An SNS message as posted (JSON body), with every field the signature covers. */
export const snsMessageSchema = z
  .object({
    Type: z.enum(snsMessageTypes),
    MessageId: z.string().min(1).max(128),
    TopicArn: z.string().min(1).max(512),
    Subject: z.string().max(1000).nullable().optional(),
    Message: text,
    Timestamp: z.string().max(64),
    SignatureVersion: z.string().max(8),
    Signature: z.string().min(1).max(4096),
    SigningCertURL: z.string().max(2048),
    SubscribeURL: z.string().max(4096).optional(),
    Token: z.string().max(4096).optional(),
  })
  .passthrough();

/** A parsed SNS message. */
export type SnsMessage = z.infer<typeof snsMessageSchema>;

/** Why a message is refused (all answered 403, changing nothing). */
export type SnsRejection =
  | "unsigned"
  | "malformed"
  | "type-mismatch"
  | "unsupported-signature-version"
  | "untrusted-certificate-url"
  | "untrusted-subscribe-url"
  | "stale"
  | "from-the-future"
  | "unknown-topic"
  | "bad-signature";

/** The check result: the message, or why it is refused. */
export type SnsCheck = { ok: true; message: SnsMessage } | { ok: false; rejection: SnsRejection };

// The region of a topic ARN (`arn:aws[-partition]:sns:<region>:<account>:<name>`): the SNS endpoint that signs
// the topic's messages and serves its certificate is in that region.
const TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:[\w.-]{1,256}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
// SNS signing certificates are served as `/SimpleNotificationService-<hex>.pem`.
const CERTIFICATE_PATH = /^\/SimpleNotificationService-[0-9a-f]+\.pem$/;

/** The region of an SNS topic ARN (`us-east-1`), or null when `topicArn` is not an SNS topic ARN. */
export function snsRegionOf(topicArn: string): string | null {
  return TOPIC_ARN.exec(topicArn)?.[1] ?? null;
}

/**
 * The one SNS endpoint host of `region`. Compared exactly, never by pattern: `sns.<anything>.amazonaws.com`
 * also matches S3 virtual-hosted URLs of a bucket named `sns` (`sns.s3.amazonaws.com`), where anyone could
 * host a certificate.
 */
function snsHost(region: string): string | null {
  if (!REGION.test(region)) return null;
  return region.startsWith("cn-") ? `sns.${region}.amazonaws.com.cn` : `sns.${region}.amazonaws.com`;
}

function snsUrl(raw: string, region: string): URL | null {
  try {
    const url = new URL(raw);
    // No port or credentials: `https://sns.x.amazonaws.com:8443` or `user@` forms are not AWS's endpoints.
    if (url.protocol !== "https:" || url.port !== "" || url.username !== "" || url.password !== "")
      return null;
    return url.hostname === snsHost(region) ? url : null;
  } catch {
    return null;
  }
}

/**
 * True when `raw` is `https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem` (`.com.cn` in the
 * China regions), `region` being that of the message's signed TopicArn.
 */
export function isTrustedCertificateUrl(raw: string, region: string): boolean {
  const url = snsUrl(raw, region);
  return url !== null && CERTIFICATE_PATH.test(url.pathname) && url.search === "" && url.hash === "";
}

/**
 * True when `raw` is a ConfirmSubscription URL on the SNS host of `region` (the TopicArn's): the only URL the
 * webhook will visit.
 */
export function isTrustedSubscribeUrl(raw: string, region: string): boolean {
  return snsUrl(raw, region)?.searchParams.get("Action") === "ConfirmSubscription";
}

/**
 * The string SNS signed: `Key\nValue\n` for each signed field in byte order of the key names. Notifications sign
 * Subject only when present; the confirmation types sign SubscribeURL and Token instead.
 */
export function stringToSign(m: SnsMessage): string {
  const fields: [string, string | null | undefined][] =
    m.Type === "Notification"
      ? [
          ["Message", m.Message],
          ["MessageId", m.MessageId],
          ["Subject", m.Subject],
          ["Timestamp", m.Timestamp],
          ["TopicArn", m.TopicArn],
          ["Type", m.Type],
        ]
      : [
          ["Message", m.Message],
          ["MessageId", m.MessageId],
          ["SubscribeURL", m.SubscribeURL],
          ["Timestamp", m.Timestamp],
          ["Token", m.Token],
          ["TopicArn", m.TopicArn],
          ["Type", m.Type],
        ];
  return fields
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}\n${value}\n`)
    .join("");
}

/** The digest a SignatureVersion uses: 1 is SHA1withRSA, 2 is SHA256withRSA. */
export function signatureDigest(version: string): "sha1" | "sha256" | null {
  return version === "1" ? "sha1" : version === "2" ? "sha256" : null;
}

/**
 * Every check that needs neither the network nor the certificate, cheapest first, so junk never makes us
 * fetch anything: shape, signature fields, certificate and subscribe URLs (on the SNS host of the TopicArn's
 * region), freshness (replays) and topic.
 */
export function checkSnsMessage(
  body: unknown,
  context: { typeHeader: string | undefined; now: number; topicArns: readonly string[] },
): SnsCheck {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  if (!record.Signature || !record.SigningCertURL || !record.SignatureVersion)
    return { ok: false, rejection: "unsigned" };
  const parsed = snsMessageSchema.safeParse(body);
  if (!parsed.success) return { ok: false, rejection: "malformed" };
  const m = parsed.data;
  if (m.Type !== "Notification" && (!m.SubscribeURL || !m.Token))
    return { ok: false, rejection: "malformed" };
  if (context.typeHeader !== undefined && context.typeHeader !== m.Type)
    return { ok: false, rejection: "type-mismatch" };
  if (!signatureDigest(m.SignatureVersion)) return { ok: false, rejection: "unsupported-signature-version" };
  const region = snsRegionOf(m.TopicArn);
  if (!region) return { ok: false, rejection: "malformed" };
  if (!isTrustedCertificateUrl(m.SigningCertURL, region))
    return { ok: false, rejection: "untrusted-certificate-url" };
  if (m.Type === "SubscriptionConfirmation" && !isTrustedSubscribeUrl(m.SubscribeURL ?? "", region)) {
    return { ok: false, rejection: "untrusted-subscribe-url" };
  }
  const sentAt = Date.parse(m.Timestamp);
  if (Number.isNaN(sentAt)) return { ok: false, rejection: "malformed" };
  if (context.now - sentAt > MAX_MESSAGE_AGE_MS) return { ok: false, rejection: "stale" };
  if (sentAt - context.now > MAX_CLOCK_SKEW_MS) return { ok: false, rejection: "from-the-future" };
  if (!context.topicArns.includes(m.TopicArn)) return { ok: false, rejection: "unknown-topic" };
  return { ok: true, message: m };
}
