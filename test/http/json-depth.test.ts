import { describe, expect, test } from "bun:test";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../../src/http/json-depth.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
/** `depth` arrays inside one another around `inner`. */
const nested = (depth: number, inner = "") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe("exceedsJsonDepth", () => {
  test("a body at exactly the limit passes; one level more does not", () => {
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(exceedsJsonDepth(bytes(nested(3)), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(4)), 3)).toBe(true);
  });

  test("objects and arrays both count, and siblings do not add up", () => {
    expect(exceedsJsonDepth(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    const wide = `[${Array.from({ length: 1000 }, () => '{"x":[1]}').join(",")}]`;
    expect(exceedsJsonDepth(bytes(wide), 3)).toBe(false);
  });

  test("brackets inside strings are not counted, escaped quotes do not end the string", () => {
    const brackets = "[{".repeat(50_000);
    expect(exceedsJsonDepth(bytes(JSON.stringify({ note: brackets })), 1)).toBe(false);
    // `\"` keeps the string open, so the brackets after it are still text.
    expect(exceedsJsonDepth(bytes(JSON.stringify({ note: `say "[[[[" ${brackets}` })), 1)).toBe(false);
    // `\\` is an escaped backslash: the quote after it does end the string, and what follows counts again.
    expect(exceedsJsonDepth(bytes('{"a":"x\\\\","b":[[1]]}'), 2)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":"x\\\\","b":[1]}'), 2)).toBe(false);
    // A \u escape of a quote is text too.
    expect(exceedsJsonDepth(bytes('{"a":"\\u0022[[[["}'), 1)).toBe(false);
  });

  test("multi-byte UTF-8 text is never mistaken for a bracket or a quote", () => {
    expect(exceedsJsonDepth(bytes(JSON.stringify({ name: "Zoë 😀 «[»", more: ["日本"] })), 2)).toBe(false);
  });

  test("a 200 KB body nested 100,000 deep is refused in one pass, without recursion", () => {
    const hostile = bytes(nested(100_000));
    expect(hostile.length).toBe(200_000);
    expect(exceedsJsonDepth(hostile)).toBe(true);
  });
});
