import { describe, expect, test } from "bun:test";
import {
  estimateSmsCostUsd,
  SMS_UNKNOWN_COUNTRY_PRICE_USD,
  smsInfo,
  smsPricePerSegmentUsd,
  toGsmFriendly,
  truncateSms,
} from "../../../src/domain/sms/sms.rules.ts";

describe("smsInfo", () => {
  test("GSM-7 fits 160 septets in one segment; 161 needs two", () => {
    expect(smsInfo("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, characters: 160 });
    expect(smsInfo("a".repeat(161))).toEqual({ encoding: "GSM-7", segments: 2, characters: 161 });
  });

  test("multipart GSM-7 carries 153 septets per segment", () => {
    expect(smsInfo("a".repeat(306)).segments).toBe(2);
    expect(smsInfo("a".repeat(307)).segments).toBe(3);
  });

  test("accented letters of the GSM table stay GSM-7", () => {
    expect(smsInfo("éèàùìòÇØøÅåÄÖÑÜäöñüß¿¡£¥§").encoding).toBe("GSM-7");
  });

  test("UCS-2 fits 70 code units in one segment; 71 needs two; then 67 per segment", () => {
    expect(smsInfo("ó".repeat(70))).toEqual({ encoding: "UCS-2", segments: 1, characters: 70 });
    expect(smsInfo("ó".repeat(71))).toEqual({ encoding: "UCS-2", segments: 2, characters: 71 });
    expect(smsInfo("ó".repeat(134)).segments).toBe(2);
    expect(smsInfo("ó".repeat(135)).segments).toBe(3);
  });

  test("one character outside GSM-7 switches the whole message to UCS-2", () => {
    const text = `${"a".repeat(100)}😀`;
    expect(smsInfo(text)).toEqual({ encoding: "UCS-2", segments: 2, characters: 102 });
  });

  test("extension characters count two septets each", () => {
    expect(smsInfo("€[]{}^~|\\")).toEqual({ encoding: "GSM-7", segments: 1, characters: 18 });
    expect(smsInfo("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, characters: 160 });
    expect(smsInfo(`${"a".repeat(159)}€`)).toEqual({ encoding: "GSM-7", segments: 2, characters: 161 });
  });

  test("an escape sequence is never split across segments", () => {
    // 152 septets, then '€' (2) would straddle the 153-septet boundary: it moves to segment 2.
    // 152 + 2 + 152 = 306 septets would fill exactly 2 segments if splitting were allowed; packed, it is 3.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(smsInfo(text).characters).toBe(306);
    expect(smsInfo(text).segments).toBe(3);
  });

  test("a surrogate pair is never split across segments", () => {
    // 66 units, then an emoji (2 units) straddling the 67-unit boundary moves to segment 2: 134 units would
    // fill exactly 2 segments if splitting were allowed; packed, it is 3.
    const text = `${"ó".repeat(66)}😀${"ó".repeat(66)}`;
    expect(smsInfo(text).characters).toBe(134);
    expect(smsInfo(text).segments).toBe(3);
  });

  test("empty text is zero segments", () => {
    expect(smsInfo("")).toEqual({ encoding: "GSM-7", segments: 0, characters: 0 });
  });
});

describe("truncateSms", () => {
  test("returns text that fits unchanged", () => {
    const text = "a".repeat(160);
    expect(truncateSms(text, 1)).toBe(text);
  });

  test("cuts GSM-7 text to fit and ends it with three dots (… is not GSM-7)", () => {
    const cut = truncateSms("word ".repeat(100), 1);
    expect(cut).toBe(`${"word ".repeat(31)}wo...`);
    expect(smsInfo(cut)).toEqual({ encoding: "GSM-7", segments: 1, characters: 160 });
  });

  test("drops spaces left before the ellipsis", () => {
    expect(truncateSms(`${"a".repeat(156)} ${"b".repeat(10)}`, 1)).toBe(`${"a".repeat(156)}...`);
  });

  test("stays within several segments", () => {
    const cut = truncateSms("a".repeat(1000), 3);
    expect(smsInfo(cut)).toMatchObject({ encoding: "GSM-7", segments: 3, characters: 459 });
  });

  test("does not split an escape sequence at the cut", () => {
    const cut = truncateSms("€".repeat(100), 1);
    expect(cut).toBe(`${"€".repeat(78)}...`);
    expect(smsInfo(cut)).toMatchObject({ encoding: "GSM-7", segments: 1, characters: 159 });
  });

  test("does not split a surrogate pair and ends UCS-2 text with …", () => {
    const cut = truncateSms("😀".repeat(100), 1);
    expect(cut).toBe(`${"😀".repeat(34)}…`);
    expect(smsInfo(cut)).toMatchObject({ encoding: "UCS-2", segments: 1, characters: 69 });
    expect(cut.isWellFormed()).toBe(true);
  });

  test("keeps emoji sequences whole", () => {
    const family = "👨‍👩‍👧"; // 8 code units joined by zero-width joiners
    // 62 + 8 units would leave no room for the ellipsis: the whole sequence goes, not part of it.
    const cut = truncateSms(`${"ó".repeat(62)}${family}${"ó".repeat(20)}`, 1);
    expect(cut).toBe(`${"ó".repeat(62)}…`);
  });

  test("a cut that drops the only non-GSM character gives GSM-7 text with three dots", () => {
    const cut = truncateSms(`${"a".repeat(200)}😀`, 1);
    expect(cut).toBe(`${"a".repeat(157)}...`);
    expect(smsInfo(cut).encoding).toBe("GSM-7");
  });

  test("refuses a segment limit below one", () => {
    expect(() => truncateSms("hello", 0)).toThrow(RangeError);
  });
});

describe("toGsmFriendly", () => {
  test("replaces smart punctuation when that makes the text GSM-7", () => {
    const text = "Dana’s “kitchen” faucet – fixed…";
    const friendly = toGsmFriendly(text);
    expect(friendly).toBe('Dana\'s "kitchen" faucet - fixed...');
    expect(smsInfo(text).encoding).toBe("UCS-2");
    expect(smsInfo(friendly).encoding).toBe("GSM-7");
  });

  test("leaves text that needs UCS-2 anyway untouched", () => {
    expect(toGsmFriendly("Dana’s faucet 🔧")).toBe("Dana’s faucet 🔧");
  });
});

describe("estimateSmsCostUsd", () => {
  test("US/Canada price per segment is the default", () => {
    expect(estimateSmsCostUsd(1)).toBe(0.00645);
    expect(estimateSmsCostUsd(3)).toBe(0.01935);
    expect(estimateSmsCostUsd(2, "+15551234567")).toBe(0.0129);
  });

  test("prices by calling code, including three-digit codes", () => {
    expect(smsPricePerSegmentUsd("+447700900123")).toBeGreaterThan(smsPricePerSegmentUsd("+15551234567"));
    expect(estimateSmsCostUsd(2, "+447700900123")).toBe(
      Math.round(2 * smsPricePerSegmentUsd("+44") * 1e6) / 1e6,
    );
    expect(smsPricePerSegmentUsd("+353861234567")).not.toBe(smsPricePerSegmentUsd("+3"));
    expect(smsPricePerSegmentUsd("+353861234567")).not.toBe(SMS_UNKNOWN_COUNTRY_PRICE_USD);
  });

  test("unknown countries get the deliberately high fallback price", () => {
    expect(estimateSmsCostUsd(1, "+8821234567")).toBe(SMS_UNKNOWN_COUNTRY_PRICE_USD);
  });

  test("zero segments cost nothing", () => {
    expect(estimateSmsCostUsd(0, "+447700900123")).toBe(0);
  });
});
