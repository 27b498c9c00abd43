/**
 * Builds the raw MIME message SES `SendRawEmail` takes: multipart/alternative with a text and an HTML part,
 * RFC 2047 encoded headers for non-ASCII names and subjects, and the one-click unsubscribe headers
 * (RFC 2369 / RFC 8058) that mailbox providers require of bulk senders. Pure.
 */
import type { OutgoingEmail } from "./types.ts";

const CRLF = "\r\n";

/** Header values must not carry line breaks: a CR or LF in a subject would let it inject headers. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, " ").trim();

const isPrintableAscii = (value: string) => /^[\x20-\x7e]*$/.test(value);

/**
 * `value` as RFC 2047 `B` encoded-words of at most 75 characters each, joined by folding whitespace. Words
 * split between characters, never inside a UTF-8 sequence, since each word must decode on its own.
 */
export function encodeWords(value: string): string {
  const maxBytes = 45; // 60 base64 characters + "=?UTF-8?B?" + "?=" = 72 ≤ 75
  const words: string[] = [];
  let chunk = "";
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > maxBytes) {
      words.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString("base64")}?=`).join(`${CRLF} `);
}

/** Longest header line RFC 5322 recommends (§2.1.1), and the longest it allows. */
const FOLD_AT = 78;
const MAX_LINE = 998;

/**
 * An unstructured header value (Subject) after `name: `: plain ASCII folded at spaces so lines stay within
 * {@link FOLD_AT} characters (RFC 5322 §2.2.3: unfolding removes only the CRLF, so the text is unchanged);
 * non-ASCII, or a word too long for any line, as encoded-words, which may split anywhere.
 */
function unstructured(name: string, value: string): string {
  const line = oneLine(value);
  if (!isPrintableAscii(line)) return encodeWords(line);
  const lines: string[] = [];
  let current = "";
  let limit = FOLD_AT - name.length - 2; // the first line also carries "Subject: "
  for (const [i, word] of line.split(" ").entries()) {
    if (i > 0 && current.length + 1 + word.length > limit && current.length > 0) {
      lines.push(current);
      current = word;
      limit = FOLD_AT - 1; // a continuation line starts with the space that was folded
    } else {
      current = i === 0 ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  if (lines.some((l) => l.length + name.length + 2 > MAX_LINE)) return encodeWords(line);
  return lines.join(`${CRLF} `);
}

/** `Name <address>` with the display name quoted or encoded as needed. */
export function formatAddress(name: string, address: string): string {
  const display = oneLine(name);
  if (!display) return address;
  if (!isPrintableAscii(display)) return `${encodeWords(display)} <${address}>`;
  return `"${display.replace(/(["\\])/g, "\\$1")}" <${address}>`;
}

/** Base64 body lines of at most 76 characters (RFC 2045). */
function base64Body(text: string): string {
  return (
    Buffer.from(text)
      .toString("base64")
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);
}

/** RFC 5322 date (`Thu, 15 Jan 2026 12:00:00 +0000`). */
function rfc5322Date(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace("GMT", "+0000");
}

/**
 * The full message. The boundary derives from the delivery id, so the same delivery always encodes to the
 * same bytes; `=_` cannot occur in base64, so it never collides with the body.
 */
export function buildMimeMessage(email: OutgoingEmail): string {
  const boundary = `=_herald_${email.deliveryId.replace(/[^\w]/g, "")}`;
  const headers = [
    `From: ${formatAddress(email.from.name, email.from.address)}`,
    `To: ${oneLine(email.to)}`,
    `Subject: ${unstructured("Subject", email.subject)}`,
    `Date: ${rfc5322Date(email.date)}`,
    "MIME-Version: 1.0",
    `List-Unsubscribe: <${oneLine(email.unsubscribeUrl)}>`,
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      "Content-Transfer-Encoding: base64",
      "",
      base64Body(body),
    ].join(CRLF);
  return [
    ...headers,
    "",
    part("text/plain", email.text),
    part("text/html", email.html),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}
