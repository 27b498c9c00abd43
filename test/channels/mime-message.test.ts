// biome-ignore-all lint/style/noNonNullAssertion: tests index rows they just created
import { describe, expect, test } from "bun:test";
import { toProviderError } from "../../src/channels/aws-errors.ts";
import { buildMimeMessage, encodeWords, formatAddress } from "../../src/channels/mime-message.ts";
import type { OutgoingEmail } from "../../src/channels/types.ts";
import {
  linkToken,
  unsubscribeUrl,
  verifyLinkToken,
} from "../../src/domain/recipient-tokens/recipient-links.ts";
import { decodeHeader, parseRawEmail } from "../helpers/fake-aws.ts";

const email: OutgoingEmail = {
  deliveryId: "01JH8Y3M6T5Q2W9X7Z4B1C0D2E",
  recipientId: "cust-1",
  to: "ana@example.test",
  from: { name: "Herald", address: "notifications@herald.local" },
  subject: "Your repair is approved",
  html: "<p>Approved</p>",
  text: "Approved",
  unsubscribeUrl: "https://herald.example.com/unsubscribe?token=abc",
  date: Date.UTC(2026, 0, 15, 12, 0, 0),
};

describe("buildMimeMessage", () => {
  test("multipart/alternative with text first and HTML second, CRLF line endings, RFC 5322 date", () => {
    const raw = buildMimeMessage(email);
    expect(raw).not.toMatch(/[^\r]\n/);
    const parsed = parseRawEmail(raw);
    expect(parsed.headers.date).toBe("Thu, 15 Jan 2026 12:00:00 +0000");
    expect(parsed.headers["mime-version"]).toBe("1.0");
    expect(parsed.text).toBe("Approved");
    expect(parsed.html).toBe("<p>Approved</p>");
    expect(raw.indexOf("text/plain")).toBeLessThan(raw.indexOf("text/html"));
    expect(parsed.headers["list-unsubscribe"]).toBe("<https://herald.example.com/unsubscribe?token=abc>");
    expect(parsed.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
  });

  test("a line break in the subject cannot inject a header", () => {
    const raw = buildMimeMessage({ ...email, subject: "Hello\r\nBcc: victim@example.test" });
    expect(parseRawEmail(raw).headers.bcc).toBeUndefined();
    expect(parseRawEmail(raw).headers.subject).toBe("Hello Bcc: victim@example.test");
  });

  test("long non-ASCII subjects become several encoded-words of at most 75 characters that decode back", () => {
    const subject = "Réparation approuvée — 日本語のテキスト ✅ ".repeat(4).trim();
    const encoded = encodeWords(subject);
    for (const word of encoded.split("\r\n ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeHeader(encoded)).toBe(subject);
    expect(decodeHeader(parseRawEmail(buildMimeMessage({ ...email, subject })).headers.subject!)).toBe(
      subject,
    );
  });

  test("a long ASCII subject is folded at spaces into lines of at most 78 characters that unfold to the subject", () => {
    const subject = `${Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ")}  double  spaces kept`;
    const raw = buildMimeMessage({ ...email, subject });
    const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
    const subjectLines = head.slice(head.indexOf("Subject: ")).split("\r\n");
    const folded = [subjectLines[0]!, ...subjectLines.slice(1).filter((l) => l.startsWith(" "))];
    expect(folded.length).toBeGreaterThan(3);
    for (const line of folded) expect(line.length).toBeLessThanOrEqual(78);
    // Unfolding removes only the CRLF (RFC 5322 §2.2.3).
    expect(folded.join("\r\n").replaceAll("\r\n", "").slice("Subject: ".length)).toBe(subject);
    expect(parseRawEmail(raw).headers.subject).toBe(subject);
  });

  test("an ASCII subject with a word too long for any line is sent as encoded-words, every line within limits", () => {
    const subject = `Order ${"X".repeat(1200)} confirmed`;
    const raw = buildMimeMessage({ ...email, subject });
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    expect(decodeHeader(parseRawEmail(raw).headers.subject!)).toBe(subject);
  });

  test("display names are quoted when ASCII and encoded otherwise", () => {
    expect(formatAddress('Acme "Repairs"', "a@b.test")).toBe('"Acme \\"Repairs\\"" <a@b.test>');
    expect(decodeHeader(formatAddress("Zoë's Repairs", "a@b.test"))).toBe("Zoë's Repairs <a@b.test>");
    expect(formatAddress("", "a@b.test")).toBe("a@b.test");
  });
});

describe("list-unsubscribe tokens", () => {
  test("verify with the same secret only, and never expire", () => {
    const token = linkToken("secret-1", "unsubscribe", "cust-1");
    expect(verifyLinkToken("secret-1", "unsubscribe", token)).toBe("cust-1");
    expect(verifyLinkToken("secret-2", "unsubscribe", token)).toBeNull();
    expect(verifyLinkToken("secret-1", "unsubscribe", token.replace("u1.", "u2."))).toBeNull();
    const forged = `u1.${Buffer.from("cust-2").toString("base64url")}.${token.split(".")[2]}`;
    expect(verifyLinkToken("secret-1", "unsubscribe", forged)).toBeNull();
    expect(unsubscribeUrl("https://h.example/", "secret-1", "cust-1")).toBe(
      `https://h.example/unsubscribe?token=${token}`,
    );
  });
});

describe("provider error normalisation", () => {
  test("service errors keep code and status; aborts become timeouts; socket errors become network", () => {
    const service = Object.assign(new Error("Rate exceeded"), {
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    expect(toProviderError(service)).toMatchObject({ code: "Throttling", httpStatus: 400 });
    expect(toProviderError(Object.assign(new Error("aborted"), { name: "AbortError" })).code).toBe("timeout");
    expect(toProviderError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })).code).toBe(
      "network",
    );
  });

  test("addresses and phone numbers in provider messages are redacted", () => {
    const error = Object.assign(
      new Error("identities failed the check: ana@example.test, +1 (555) 123-4567"),
      {
        name: "MessageRejected",
        $metadata: { httpStatusCode: 400 },
      },
    );
    expect(toProviderError(error).message).toBe("identities failed the check: [email], [phone]");
  });
});
