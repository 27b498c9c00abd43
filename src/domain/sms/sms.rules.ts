/**
 * SMS encoding, segmentation and cost: pure functions shared by rendering (previews, stored payloads) and the
 * delivery engine (budgets, truncation). Carriers bill per segment, so every count here errs towards what the
 * network actually sends.
 */
import type { SmsInfo } from "../templates/templates.types.ts";

/** GSM 03.38 basic character set: one septet each. */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** GSM 03.38 extension table: sent as ESC + character, so two septets each, and never split across segments. */
const GSM_EXTENDED = "\f^{}\\[~]|€";

/** UTF-16 code unit → septets it takes in GSM-7 (every GSM character is a single BMP code unit). */
const GSM_SEPTETS = new Map<number, number>([
  ...[...GSM_BASIC].map((ch) => [ch.charCodeAt(0), 1] as const),
  ...[...GSM_EXTENDED].map((ch) => [ch.charCodeAt(0), 2] as const),
]);

/** Units (septets or UTF-16 code units) in one single-part message and in each part of a multipart one. */
const LIMITS = {
  "GSM-7": { single: 160, multi: 153 },
  "UCS-2": { single: 70, multi: 67 },
} as const;

/** The ellipsis a truncated message ends with: `…` is not in GSM-7, so GSM-7 text gets three dots instead. */
const ELLIPSIS = { "GSM-7": "...", "UCS-2": "…" } as const;

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Septets `text` takes in GSM-7, or -1 when a character is outside the GSM tables. */
function gsmSeptets(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const units = GSM_SEPTETS.get(text.charCodeAt(i));
    if (units === undefined) return -1;
    septets += units;
  }
  return septets;
}

/** True when every character of `text` is in the GSM-7 basic or extension table. */
function isGsm7(text: string): boolean {
  return gsmSeptets(text) >= 0;
}

/**
 * Segments of a multipart message: characters are packed in order, and an escape sequence (GSM-7) or a
 * surrogate pair (UCS-2) that does not fit in what is left of a segment starts the next one.
 */
function packSegments(text: string, encoding: SmsInfo["encoding"]): number {
  const { multi } = LIMITS[encoding];
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let units: number;
    if (encoding === "GSM-7") units = GSM_SEPTETS.get(code) ?? 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      units = next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
      i += units - 1;
    } else units = 1;
    if (used + units > multi) {
      segments++;
      used = 0;
    }
    used += units;
  }
  return segments;
}

/**
 * Encoding and segment count of `text` as a carrier would send it. GSM-7 when every character is in the GSM
 * tables (extension characters such as `€[]{}^~|\` take two septets), otherwise UCS-2. Segments hold
 * 160/153 septets (GSM-7) or 70/67 code units (UCS-2). `characters` counts those units, so it compares
 * directly with the limits. An empty text is 0 segments.
 */
export function smsInfo(text: string): SmsInfo {
  const septets = gsmSeptets(text);
  const encoding = septets >= 0 ? "GSM-7" : "UCS-2";
  const characters = septets >= 0 ? septets : text.length;
  const segments =
    characters === 0 ? 0 : characters <= LIMITS[encoding].single ? 1 : packSegments(text, encoding);
  return { encoding, segments, characters };
}

/** Typographic characters that phones and word processors insert, with their closest GSM-7 equivalents. */
const GSM_LOOKALIKES: Readonly<Record<string, string>> = {
  "\u2018": "'", // ‘
  "\u2019": "'", // ’
  "\u201A": "'", // ‚
  "\u2032": "'", // ′
  "\u201C": '"', // “
  "\u201D": '"', // ”
  "\u201E": '"', // „
  "\u2033": '"', // ″
  "\u2013": "-", // –
  "\u2014": "-", // —
  "\u2212": "-", // −
  "\u2026": "...", // …
  "\u00A0": " ", // no-break space
  "\u2009": " ", // thin space
  "\t": " ",
};
const LOOKALIKE_PATTERN = new RegExp(`[${Object.keys(GSM_LOOKALIKES).join("")}]`, "g");

/**
 * Replaces smart quotes, dashes, ellipses and odd spaces with GSM-7 equivalents when that makes the whole text
 * GSM-7: one curly apostrophe in a customer's name would otherwise switch the message to UCS-2 and more than
 * double its segments. Text that needs UCS-2 anyway (emoji, other scripts) is returned unchanged.
 */
export function toGsmFriendly(text: string): string {
  if (isGsm7(text)) return text;
  const replaced = text.replace(LOOKALIKE_PATTERN, (ch) => GSM_LOOKALIKES[ch] ?? ch);
  return isGsm7(replaced) ? replaced : text;
}

/**
 * `text` cut to fit in `maxSegments`, ending with an ellipsis when cut. Cuts fall between grapheme clusters, so
 * no surrogate pair, GSM escape or emoji sequence is split; trailing spaces before the ellipsis are dropped.
 * Text that already fits is returned unchanged.
 */
export function truncateSms(text: string, maxSegments: number): string {
  if (!Number.isInteger(maxSegments) || maxSegments < 1)
    throw new RangeError("maxSegments must be a positive integer");
  if (smsInfo(text).segments <= maxSegments) return text;
  const ends = [0];
  for (const { index, segment } of graphemes.segment(text)) ends.push(index + segment.length);
  const candidate = (cut: number) => {
    const kept = text.slice(0, cut).trimEnd();
    return kept + ELLIPSIS[isGsm7(kept) ? "GSM-7" : "UCS-2"];
  };
  // Segments only grow as the kept prefix grows (UCS-2 never packs more than GSM-7), so binary search the
  // longest prefix whose shortened form still fits.
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    // biome-ignore lint/style/noNonNullAssertion: mid is within ends
    if (smsInfo(candidate(ends[mid]!)).segments <= maxSegments) lo = mid;
    else hi = mid - 1;
  }
  // biome-ignore lint/style/noNonNullAssertion: lo is within ends
  return candidate(ends[lo]!);
}

/**
 * USD per outbound SMS segment by E.164 calling code. Illustrative figures of the order of AWS SNS
 * transactional list prices (early 2026), not a quote: check the current price list and adjust for your
 * account. +1 covers the US and Canada (other NANP countries such as Jamaica cost more but share the code).
 */
export const SMS_PRICE_PER_SEGMENT_USD: Readonly<Record<string, number>> = {
  "1": 0.00645, // United States, Canada
  "44": 0.0463, // United Kingdom
  "353": 0.0722, // Ireland
  "33": 0.0786, // France
  "49": 0.0979, // Germany
  "34": 0.0825, // Spain
  "39": 0.0887, // Italy
  "31": 0.1011, // Netherlands
  "61": 0.0455, // Australia
  "64": 0.1074, // New Zealand
  "52": 0.0272, // Mexico
  "55": 0.0216, // Brazil
  "91": 0.0022, // India
};

/** Price for numbers whose calling code is not in the table: deliberately high, so budgets err on the safe side. */
export const SMS_UNKNOWN_COUNTRY_PRICE_USD = 0.12;

/** The per-segment price for an E.164 number (US/CA when no number is given). */
export function smsPricePerSegmentUsd(phoneE164?: string | null): number {
  if (!phoneE164) return SMS_PRICE_PER_SEGMENT_USD["1"] as number;
  const digits = phoneE164.replace(/^\+/, "");
  // Calling codes are prefix-free and 1-3 digits long: the first match is the only one.
  for (let length = 1; length <= 3; length++) {
    const price = SMS_PRICE_PER_SEGMENT_USD[digits.slice(0, length)];
    if (price !== undefined) return price;
  }
  return SMS_UNKNOWN_COUNTRY_PRICE_USD;
}

/** Estimated cost in USD of sending `segments` segments to `phoneE164` (US/CA prices when absent), to 1e-6. */
export function estimateSmsCostUsd(segments: number, phoneE164?: string | null): number {
  return Math.round(segments * smsPricePerSegmentUsd(phoneE164) * 1e6) / 1e6;
}
