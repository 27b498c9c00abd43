/**
 * Formats rows for the terminal: padded columns on a TTY; tab-separated on a pipe, so `cut -f` and `awk -F'\t'`
 * work on it.
 */
export function formatTable(header: string[], rows: string[][], aligned: boolean): string {
  const all = [header, ...rows];
  if (!aligned) return all.map((row) => row.join("\t")).join("\n");
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
