import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/processes.ts";

/** A systemd unit file's settings: key → values in order (a key such as Environment may repeat). */
export function readUnit(path: string): Map<string, string[]> {
  const unit = new Map<string, string[]>();
  for (const line of readFileSync(join(ROOT, path), "utf8").split("\n")) {
    const match = /^(\w+)=(.*)$/.exec(line.trim());
    if (match) unit.set(match[1] as string, [...(unit.get(match[1] as string) ?? []), match[2] as string]);
  }
  return unit;
}
