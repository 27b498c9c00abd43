import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh temporary directory, removed when the scope that asked for it ends: the test file (top level), the
 * describe block, or the single test. (A module-level hook would run only after the first file importing this.)
 */
export function tempDir(prefix = "herald-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
