/**
 * Preloaded into Herald by the supervisor (`bun --preload` this file), so Herald's exact exit status survives
 * Litestream: `litestream replicate -exec` reports any failing child as exit 1, and 0 for a child that exited
 * non-zero after a forwarded signal. The supervisor reads the file this writes and exits with that code.
 * Herald's own code is unchanged: this only observes `process.exit` and normal termination.
 */
import { writeFileSync } from "node:fs";

const statusFile = process.env.HERALD_EXIT_STATUS_FILE;
if (statusFile) {
  process.on("exit", (code) => {
    writeFileSync(statusFile, String(code));
  });
}
