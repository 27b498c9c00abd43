/**
 * CSV for the console's report downloads (RFC 4180): CRLF line ends, a field quoted when it holds a comma, a
 * quote or a line break, quotes inside doubled. Reports carry text that reached Herald from outside (provider
 * error messages, template and recipient names), and a spreadsheet runs a cell that starts with `=`, `+`, `-` or
 * `@` as a formula, so such a cell is made text with a leading `'` (OWASP's advice, which also names tab and CR).
 */

/** A plain number (`-3`, `0.25`) is left alone: it cannot be a formula, and a quote would make it text. */
const PLAIN_NUMBER = /^[-+]?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: made inert for spreadsheets, then quoted if it has to be. */
export function csvField(value: string): string {
  const inert = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** Rows (the header first) as a CSV document, every line ended by CRLF. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}
