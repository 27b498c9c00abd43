/**
 * `npm test`: the whole suite on local files, then the suites that also run on libSQL's server (sqld), each
 * app on its own sqld (test/helpers/sqld.ts). Extra arguments go to both passes; a JUnit report file
 * (`--reporter-outfile=junit.xml`) gets a sibling for the sqld pass (`junit.sqld.xml`). Exits non-zero when
 * either pass fails. `--pass=files` or `--pass=sqld` runs one of them.
 *
 * The sqld pass leaves out the suites about the local file itself: prepared statements and the statement cache
 * (test/db/prepared-hot-paths), the group commit's fsync and pragmas (test/db), restore and backup of the file
 * (test/backup), and the process tests of test/e2e (crash drills, DR, supervisor) that start servers on a file.
 */
import { SQLD_BIN as SQLD } from "./tools.ts";

const SQLD_SUITES = [
  "test/routes",
  "test/openapi",
  "test/domain",
  "test/delivery",
  "test/schedulers",
  "test/alerts",
  "test/cli",
  "test/observability",
  "test/channels",
  "test/http",
  "test/templates",
  "test/db/read-cache.test.ts",
  "test/db/concurrent-migrate.test.ts",
];

const passArg = process.argv.find((a) => a.startsWith("--pass="));
const pass = passArg?.slice("--pass=".length) ?? "all";
const args = process.argv.slice(2).filter((a) => a !== passArg);
const sqldArgs = args.map((a) =>
  a.startsWith("--reporter-outfile=") ? a.replace(/(\.xml)?$/, (ext) => `.sqld${ext || ""}`) : a,
);

async function run(label: string, argv: string[], env: Record<string, string> = {}): Promise<number> {
  console.log(`\n==> ${label}: bun ${argv.join(" ")}`);
  const proc = Bun.spawn([process.execPath, ...argv], {
    stdio: ["inherit", "inherit", "inherit"],
    env: { ...process.env, ...env },
  });
  return proc.exited;
}

// Both passes always run: a failure on files must not hide what the sqld pass says (nor skip its report).
let status = 0;
if (pass !== "sqld") status = Math.max(status, await run("local SQLite files", ["test", ...args]));
if (pass !== "files") {
  if (await Bun.file(SQLD).exists()) {
    status = Math.max(
      status,
      await run("libSQL server (sqld)", ["test", ...SQLD_SUITES, ...sqldArgs], { HERALD_TEST_DB: "sqld" }),
    );
  } else if (process.env.CI) {
    console.error(
      `\nsqld is missing (${SQLD}): CI installs it with npm run tools:sqld, so this is a failure.`,
    );
    status = 1;
  } else {
    console.warn(`\nSKIPPED: the sqld pass; sqld not found at ${SQLD}. Install it: npm run tools:sqld\n`);
  }
}
process.exit(status);
