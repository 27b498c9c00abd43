import { existsSync, readdirSync, readlinkSync } from "node:fs";

/**
 * Ids of the processes (other than this one) that have any of `paths` open, found through /proc/<pid>/fd.
 * This is how a restore knows Herald (or Litestream) is still running on the database, whatever port or
 * service manager it runs under. Returns null where /proc does not exist (not Linux): the caller cannot tell.
 */
export function processesHolding(paths: string[]): number[] | null {
  if (!existsSync("/proc/self/fd")) return null;
  const wanted = new Set(paths);
  const holders: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile, or another user's process (Herald runs as the same user as its operators' commands)
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        holders.push(pid);
        break;
      }
    }
  }
  return holders;
}
