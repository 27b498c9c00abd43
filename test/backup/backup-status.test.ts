import { describe, expect, test } from "bun:test";
import { parseGoDuration, summarizeBackup } from "../../src/backup/backup-status.ts";
import { parseLitestreamTable } from "../../src/backup/litestream.ts";

// Output of Litestream v0.3.13 for a database restored once (so two generations), as printed on this machine.
const generations = `name     generation        lag    start                 end
primary  11037c240fb75165  45s    2026-11-23T10:19:27Z  2026-11-23T10:19:27Z
primary  d165b80d764ebd25  -14ms  2026-11-23T10:20:13Z  2026-11-23T10:21:40Z
`;
const snapshots = `replica  generation        index  size   created
primary  11037c240fb75165  0      10353  2026-11-23T10:19:27Z
primary  d165b80d764ebd25  0      10529  2026-11-23T10:20:13Z
primary  d165b80d764ebd25  2      20480  2026-11-23T10:21:00Z
`;
const wal = `replica  generation        index  offset  size   created
primary  11037c240fb75165  0      0       14079  2026-11-23T10:19:27Z
primary  d165b80d764ebd25  1      0       347    2026-11-23T10:20:40Z
primary  d165b80d764ebd25  2      0       347    2026-11-23T10:21:00Z
primary  d165b80d764ebd25  2      4152    612    2026-11-23T10:21:20Z
primary  d165b80d764ebd25  3      0       200    2026-11-23T10:21:40Z
`;

describe("parseLitestreamTable", () => {
  test("reads the aligned columns into records keyed by header, skipping log lines", () => {
    expect(parseLitestreamTable(`time=2026-11-23T10:00:00Z level=INFO msg=x\n${generations}`)).toEqual([
      {
        name: "primary",
        generation: "11037c240fb75165",
        lag: "45s",
        start: "2026-11-23T10:19:27Z",
        end: "2026-11-23T10:19:27Z",
      },
      {
        name: "primary",
        generation: "d165b80d764ebd25",
        lag: "-14ms",
        start: "2026-11-23T10:20:13Z",
        end: "2026-11-23T10:21:40Z",
      },
    ]);
    expect(parseLitestreamTable("")).toEqual([]);
  });
});

describe("parseGoDuration", () => {
  test("reads Go durations into milliseconds", () => {
    expect(parseGoDuration("350ms")).toBe(350);
    expect(parseGoDuration("2.8s")).toBe(2800);
    expect(parseGoDuration("1m27s")).toBe(87_000);
    expect(parseGoDuration("3h0m0s")).toBe(10_800_000);
    expect(parseGoDuration("-14ms")).toBe(-14);
    expect(parseGoDuration("0s")).toBe(0);
    expect(parseGoDuration("soon")).toBeNull();
    expect(parseGoDuration("5s later")).toBeNull();
  });
});

describe("summarizeBackup", () => {
  test("reports the generation that reaches furthest, its last snapshot and the WAL written since", () => {
    const status = summarizeBackup("primary", {
      generations: parseLitestreamTable(generations),
      snapshots: parseLitestreamTable(snapshots),
      wal: parseLitestreamTable(wal),
    });
    expect(status).toEqual({
      generation: "d165b80d764ebd25",
      generations: 2,
      lagMs: 0, // a negative lag: the replica saw the last write after it happened
      restorableFrom: "2026-11-23T10:20:13Z",
      restorableTo: "2026-11-23T10:21:40Z",
      lastSnapshot: { at: "2026-11-23T10:21:00Z", index: 2, bytes: 20480 },
      walSegmentsSinceSnapshot: 3,
    });
  });

  test("says so when nothing has been replicated", () => {
    expect(summarizeBackup("primary", { generations: [], snapshots: [], wal: [] })).toEqual({
      generation: null,
      generations: 0,
      lagMs: null,
      restorableFrom: null,
      restorableTo: null,
      lastSnapshot: null,
      walSegmentsSinceSnapshot: 0,
    });
  });
});
