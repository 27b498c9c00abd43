/**
 * Masks contact data and credentials in free text that reaches the log from outside Herald's control (the
 * message of an unexpected error, which may quote a value it choked on). Herald's own log calls pass ids and
 * codes only; this is the net under the messages nobody chose.
 */
const patterns: readonly [RegExp, string][] = [
  [/\bhk_[A-Za-z0-9_-]+/g, "[api-key]"],
  [/\brt_[A-Za-z0-9_.-]+/g, "[recipient-token]"],
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g, "[email]"],
  // E.164 (and the same digits written without the plus), as SMS destinations are stored and quoted.
  [/\+?\b\d{8,15}\b/g, "[phone]"],
];

/** `text` with email addresses, phone numbers, API keys and recipient tokens replaced by placeholders. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, placeholder] of patterns) out = out.replace(pattern, placeholder);
  return out;
}
