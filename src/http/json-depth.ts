/**
 * JSON nesting depth, measured without parsing. Parsers, validators, `JSON.stringify` and any recursive walk
 * over a parsed body (the idempotency hash, error formatting) cost time or stack per level, so a small body
 * nested 100,000 deep can burn a second of CPU or overflow the stack. Counting brackets over the raw bytes is
 * linear, needs no stack and runs before any of them.
 */

/**
 * Deepest nesting a request body may have. Herald's own bodies nest 3-4 levels and a template context a few
 * more; 32 leaves room for any real document while keeping every recursive consumer far from its stack limit.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]

/**
 * True when the JSON text in `bytes` (UTF-8) opens more than `maxDepth` objects or arrays inside one another.
 * Brackets inside strings do not count; an escaped quote does not end a string. Scanning bytes is exact for
 * UTF-8: every byte of a multi-byte character is ≥ 0x80, so it never looks like a quote or a bracket.
 * Malformed text is not judged here (the parser rejects it); the scan only stops it from reaching the parser
 * when it is too deep.
 */
export function exceedsJsonDepth(bytes: Uint8Array, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (inString) {
      // The character after a backslash is escaped, whatever it is (`\"`, `\\`, the `u` of `\u0022`).
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
