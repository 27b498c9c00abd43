/**
 * Masks contact data and credentials in free text that reaches the log from outside Herald's control (the
 * message of an unexpected error, which may quote a value it choked on). Herald's own log calls pass ids and
 * codes only; this is the net under the messages nobody chose.
 */
const patterns: readonly [RegExp, string][] = [
  [/\bhk_[A-Za-z0-9_-]+/g, "[api-key]"],
  [/\brt_[A-Za-z0-9_.-]+/g, "[recipient-token]"],
  // `@` also percent-encoded (`%40`), as a contact appears in a URL path: /v1/suppressions/email/ann%40example.com.
  // The local part stops at URL delimiters (`/?&=#`) so the path or query around an address stays readable.
  [/[^\s@"'<>(),;:/?&=#]+(?:@|%40)[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/gi, "[email]"],
  // E.164 (the plus also percent-encoded, `%2B`, and the same digits written without it), as SMS destinations
  // are stored, quoted and put in URLs. `%2B` needs its own branch: `B1` has no word boundary between.
  [/(?:\+|%2B)\d{8,15}\b|\+?\b\d{8,15}\b/gi, "[phone]"],
];

/** `text` with email addresses, phone numbers, API keys and recipient tokens replaced by placeholders. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, placeholder] of patterns) out = out.replace(pattern, placeholder);
  return out;
}
