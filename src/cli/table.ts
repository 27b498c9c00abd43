import type { CliIo } from "./command.ts";

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

/**
 * The output choice of the commands that show a table to people: JSON when `--json` was given or stdout is a pipe
 * (indented only when someone asked for it on a terminal, one line for `jq` and scripts). Writes `value` and
 * returns true when JSON was the choice; false means the caller prints its table.
 */
export function printedAsJson(io: CliIo, json: boolean | undefined, value: unknown): boolean {
  if (!json && io.isTTY) return false;
  io.out(JSON.stringify(value, null, json && io.isTTY ? 2 : undefined));
  return true;
}
