/**
 * Masks contact data and credentials in free text that reaches the log from outside Herald's control (the
 * message of an unexpected error, which may quote a value it choked on). Herald's own log calls pass ids and
 * codes only; this is the net under the messages nobody chose. The same masking keeps provider text (SDK error
 * messages, SES diagnostic codes, carrier responses) out of the attempt log, the reports and the CLI.
 */
const patterns: readonly [RegExp, string][] = [
  [/\bhk_[A-Za-z0-9_-]+/g, "[api-key]"],
  [/\brt_[A-Za-z0-9_.-]+/g, "[recipient-token]"],
  // `@` also percent-encoded (`%40`), as a contact appears in a URL path: /v1/suppressions/email/ann%40example.com.
  // Both parts stop at URL delimiters (`/?&=#`) so the path or query around an address stays readable. The domain
  // needs a letter but no dot (`ops@localhost` is masked, a version tag such as `herald@9.9.9` is not) and does
  // not end in a dot, so a sentence's full stop survives.
  [
    /[^\s@"'<>(),;:/?&=#]+(?:@|%40)(?=[^\s@"'<>(),;:/?&=#]*\p{L})[^\s@"'<>(),;:/?&=#]*[^\s@"'<>(),;:/?&=#.]/giu,
    "[email]",
  ],
];

// E.164 (the plus also percent-encoded, `%2B`, and the same digits written without it), as SMS destinations are
// stored, quoted and put in URLs; masked first, so two numbers in a row (`+15551230001 (15551230002)`) stay two.
// `%2B` needs its own branch: `B1` has no word boundary between.
const E164 = /(?:\+|%2B)\d{8,15}\b|\+?\b\d{8,15}\b/gi;
// Then numbers as people and carriers format them (`+1 (555) 123-0001`, `555.123.0001`), masked only with eight
// digits or more, so SMTP status codes (`550 5.1.1`), counts and short codes stay readable. Not glued to a word
// (ids and timestamps such as `20260115T103000Z` keep their digits) nor starting inside another number, and not
// an ISO date or an IPv4 address.
const FORMATTED_PHONE =
  /(?<!\w|\d[.-])(?!\d{4}-\d{2}-\d{2}(?!\d)|\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d))\+?\d[\d\s().-]{6,}\d(?!\w)/g;
const formattedPhone = (match: string) => (match.replace(/\D/g, "").length >= 8 ? "[phone]" : match);

/** `text` with email addresses, phone numbers, API keys and recipient tokens replaced by placeholders. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, placeholder] of patterns) out = out.replace(pattern, placeholder);
  return out.replace(E164, "[phone]").replace(FORMATTED_PHONE, formattedPhone);
}
