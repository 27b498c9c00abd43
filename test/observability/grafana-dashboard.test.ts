/**
 * scripts/grafana/herald.json, the Grafana dashboard: a well-formed dashboard model that imports into any Grafana
 * (its Prometheus data source is a variable), whose every query reads only series a running Herald exposes, with
 * labels those series carry. A renamed metric or label then fails here instead of leaving an empty panel.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateAlerts } from "../../src/alerts/alert-evaluator.ts";
import { createFakeProviders } from "../../src/channels/fake.provider.ts";
import { ProviderError } from "../../src/channels/types.ts";
import { FixedClock } from "../../src/clock.ts";
import { createEventLoopLagMonitor } from "../../src/observability/event-loop-lag.ts";
import { createHeraldMetrics } from "../../src/observability/herald-metrics.ts";
import { manualTimers } from "../helpers/manual-timers.ts";
import { detailedJobUpdateContext, detailedJobUpdateTemplate } from "../helpers/notification-fixtures.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const dashboardPath = join(import.meta.dir, "../../scripts/grafana/herald.json");
/** How the dashboard names its data source: Grafana's `${datasource}` variable, chosen at import. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
/** Labels Prometheus attaches to every scraped series. */
const TARGET_LABELS = new Set(["job", "instance"]);
/** Series Prometheus itself writes for each scrape target (the dashboard's "Herald up"). */
const SCRAPE_SERIES = new Map([["up", new Set<string>()]]);

/** PromQL's functions and aggregations, plus Grafana's variable-query functions. */
const FUNCTIONS = new Set(
  `sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio
   abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week day_of_year
   days_in_month delta deriv exp floor histogram_avg histogram_count histogram_fraction histogram_quantile
   histogram_stddev histogram_stdvar histogram_sum hour idelta increase irate label_join label_replace ln log2
   log10 minute month predict_linear rate resets round scalar sgn sort sort_desc sqrt time timestamp vector year
   avg_over_time min_over_time max_over_time sum_over_time count_over_time quantile_over_time stddev_over_time
   stdvar_over_time last_over_time present_over_time label_values label_names query_result`.split(/\s+/),
);
/** Keywords that are not metric names; `group_left`/`group_right` may come without a label list. */
const KEYWORDS = new Set("and or unless bool offset atan2 inf nan group_left group_right".split(" "));

/** One series selector in an expression: `metric{label op "value", …}`, or a bare `metric`. */
interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** What one PromQL expression reads: its selectors, the labels it groups or matches on, the functions it calls. */
interface References {
  selectors: Selector[];
  grouping: string[];
  functions: string[];
}

/**
 * Finds the metric names, labels and functions in a PromQL expression (Grafana's `$variables` allowed). Not a
 * parser: it removes what cannot be a metric name (strings, range and subquery brackets, grouping clauses,
 * label matchers, numbers and durations), then every identifier left is a function (followed by `(`), a keyword,
 * or a metric.
 */
function promqlReferences(expr: string): References {
  const strings: string[] = [];
  let rest = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (s) => `"${strings.push(s.slice(1, -1)) - 1}"`)
    .replace(/\[[^\]]*\]/g, " ");
  const grouping: string[] = [];
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, labels) => {
    grouping.push(
      ...(labels as string)
        .split(",")
        .map((l) => l.trim())
        .filter(Boolean),
    );
    return " ";
  });
  const selectors: Selector[] = [];
  rest = rest.replace(/(?<![\w:])([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}/g, (_, metric, body) => {
    if (!metric) throw new Error(`a selector without a metric name in ${expr}`);
    const matchers = [...(body as string).matchAll(/([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"(\d+)"/g)].map((m) => ({
      label: m[1] as string,
      op: m[2] as string,
      value: strings[Number(m[3])] as string,
    }));
    selectors.push({ metric, matchers });
    return " ";
  });
  const functions: string[] = [];
  for (const m of rest.matchAll(/(?<![\w.:$])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2]) functions.push(name);
    else if (!KEYWORDS.has(name.toLowerCase())) selectors.push({ metric: name, matchers: [] });
  }
  return { selectors, grouping, functions };
}

/** A Grafana variable query: `label_values(selector, label)` reads `label` of the selector's series. */
function variableReferences(query: string): References & { reads?: string } {
  const labelValues = query.match(/^\s*label_values\((.*),\s*([A-Za-z_]\w*)\s*\)\s*$/);
  if (!labelValues) return promqlReferences(query);
  return { ...promqlReferences(labelValues[1] as string), reads: labelValues[2] };
}

// biome-ignore lint/suspicious/noExplicitAny: the dashboard is untyped JSON, checked field by field below
type Json = any;

const dashboard: Json = JSON.parse(readFileSync(dashboardPath, "utf8"));

/** Every panel, rows and the panels inside collapsed rows included. */
function allPanels(panels: Json[] = dashboard.panels): Json[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression with where it comes from: panel targets, annotations and variable queries. */
function allQueries(): { where: string; expr: string; kind: "panel" | "annotation" | "variable" }[] {
  const panels = allPanels().flatMap((p) =>
    (p.targets ?? []).map((t: Json) => ({
      where: `panel "${p.title}"`,
      expr: t.expr,
      kind: "panel" as const,
    })),
  );
  const annotations = dashboard.annotations.list
    .filter((a: Json) => !a.builtIn)
    .map((a: Json) => ({ where: `annotation "${a.name}"`, expr: a.expr, kind: "annotation" as const }));
  const variables = dashboard.templating.list
    .filter((v: Json) => v.type === "query")
    .map((v: Json) => ({
      where: `variable "${v.name}"`,
      expr: typeof v.query === "string" ? v.query : v.query.query,
      kind: "variable" as const,
    }));
  return [...panels, ...annotations, ...variables];
}

// Traffic so that every series the dashboard reads exists, with its labels: notifications of two priorities and
// categories, email and SMS sent, an email retried after a provider error, an SMS skipped, the sweeper run, the
// alert rules evaluated, the lag monitor sampled, and one scrape with the database gone (collector errors).
const clock = new FixedClock(Date.parse("2026-01-15T18:00:00Z")); // noon in Chicago: no quiet hours
const fake = createFakeProviders(clock);
const t = await makeTestApp({ seed: false, clock, providers: fake, random: () => 0.5 });
/** Series names of the scrapes, each with the label names it was seen with. */
const exposed = new Map<string, Set<string>>(SCRAPE_SERIES);

async function scrape(): Promise<void> {
  const res = await t.call("GET", "/metrics", { key: null });
  expect(res.status).toBe(200);
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [, name, labels = ""] = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/) ?? [];
    if (!name) throw new Error(`not a sample line: ${line}`);
    const names = exposed.get(name) ?? new Set<string>();
    for (const m of labels.matchAll(/([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"/g)) names.add(m[1] as string);
    exposed.set(name, names);
  }
}

beforeAll(async () => {
  expect((await t.call("POST", "/v1/templates", { body: detailedJobUpdateTemplate })).status).toBe(201);
  const person = (id: string, contact: Record<string, unknown>) =>
    t.call("PUT", `/v1/recipients/${id}`, {
      body: { kind: "technician", name: "Pat", timezone: "America/Chicago", ...contact },
    });
  expect(
    (
      await person("tech-1", {
        email: "t1@example.com",
        emailVerified: true,
        phone: "+15551230001",
        phoneVerified: true,
      })
    ).status,
  ).toBe(201);
  expect((await person("tech-2", { email: "t2@example.com", emailVerified: true })).status).toBe(201);
  const post = (body: Record<string, unknown>) =>
    t.call("POST", "/v1/notifications", {
      body: { template: "job-update", context: detailedJobUpdateContext, ...body },
      key: t.portalKey,
    });
  expect((await post({ recipientId: "tech-1" })).status).toBe(201);
  expect((await post({ recipientId: "tech-2", priority: "MEDIUM", category: "billing" })).status).toBe(201);

  let emailCalls = 0;
  fake.script((call) => {
    if (call.channel === "email" && ++emailCalls === 1)
      throw new ProviderError("InternalFailure", "boom", 500);
    return undefined;
  });
  clock.advance(5_000);
  await t.delivery.runUntilIdle();
  await t.delivery.sweep();
  await evaluateAlerts(t.deps);

  // The app's own monitor runs on real timers; a second one on manual timers records into the same histogram.
  const timers = manualTimers();
  let now = 0;
  const lag = createEventLoopLagMonitor(t.deps.metrics.eventLoopLag, { timers, now: () => now });
  lag.start();
  const [armed] = timers.pending();
  now += (armed?.ms ?? 0) + 3;
  timers.fire(armed?.id ?? -1);
  lag.stop();

  await scrape();
  await t.deps.db.close();
  await scrape();
});

describe("scripts/grafana/herald.json", () => {
  test("is a dashboard model Grafana 10+ imports: schemaVersion ≥ 38, a uid, a title, panels", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    expect(dashboard.title).toBe("Herald");
    expect(dashboard.__inputs).toBeUndefined(); // an export "for sharing externally" would pin a data source
    expect(allPanels().length).toBeGreaterThan(20);
  });

  test("every panel, nested ones included, has a title and a unique id, and fits the 24-column grid", () => {
    const panels = allPanels();
    expect(panels.some((p) => p.type === "row" && p.collapsed && p.panels.length > 0)).toBe(true);
    for (const p of panels) {
      expect({ id: p.id, title: typeof p.title === "string" && p.title.trim() !== "" }).toEqual({
        id: p.id,
        title: true,
      });
      expect(Number.isInteger(p.id) && p.id > 0).toBe(true);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
  });

  test("the data source is the `datasource` variable everywhere: panels, targets, annotations, variables", () => {
    const [first] = dashboard.templating.list;
    expect(first).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
    // Anything that names a data source names the variable; only Grafana's built-in annotation names its own.
    const walk = (node: Json, path: string) => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${path}[${i}]`);
      } else if (node && typeof node === "object") {
        if ("datasource" in node && !node.builtIn)
          expect({ path, ds: node.datasource }).toEqual({ path, ds: DATASOURCE });
        for (const [k, v] of Object.entries(node)) if (k !== "datasource") walk(v, `${path}.${k}`);
      }
    };
    walk(dashboard, "dashboard");
    for (const p of allPanels().filter((p) => p.type !== "row")) {
      expect({ panel: p.title, datasource: p.datasource }).toEqual({
        panel: p.title,
        datasource: DATASOURCE,
      });
      expect(p.targets.length).toBeGreaterThan(0);
      for (const target of p.targets) expect(target.datasource).toEqual(DATASOURCE);
      expect(new Set(p.targets.map((x: Json) => x.refId)).size).toBe(p.targets.length);
    }
  });

  test("job and instance are multi-value variables, and every panel and annotation series filters on both", () => {
    const variable = (name: string) => dashboard.templating.list.find((v: Json) => v.name === name);
    for (const name of ["job", "instance"])
      expect(variable(name)).toMatchObject({ type: "query", multi: true, includeAll: true, allValue: ".*" });
    for (const { where, expr, kind } of allQueries().filter((q) => q.kind !== "variable")) {
      for (const s of promqlReferences(expr).selectors) {
        const filters = s.matchers.map((m) => `${m.label}${m.op}${m.value}`);
        expect({ where, kind, metric: s.metric, job: filters.includes("job=~$job") }).toEqual({
          where,
          kind,
          metric: s.metric,
          job: true,
        });
        expect({ where, metric: s.metric, instance: filters.includes("instance=~$instance") }).toEqual({
          where,
          metric: s.metric,
          instance: true,
        });
      }
    }
  });

  test("every metric a query reads is exposed by /metrics (histograms as _bucket, _sum, _count)", () => {
    const queries = allQueries();
    expect(queries.length).toBeGreaterThan(30);
    for (const { where, expr } of queries) {
      const refs = variableReferences(expr);
      expect(refs.selectors.length).toBeGreaterThan(0);
      for (const { metric } of refs.selectors)
        expect({ where, metric, exposed: exposed.has(metric) }).toEqual({ where, metric, exposed: true });
      for (const fn of refs.functions)
        expect({ where, function: fn, known: FUNCTIONS.has(fn) }).toEqual({
          where,
          function: fn,
          known: true,
        });
    }
  });

  test("every label a query matches, groups by or reads is one its series carry", () => {
    for (const { where, expr } of allQueries()) {
      const refs = variableReferences(expr);
      const carried = (metric: string) => new Set([...TARGET_LABELS, ...(exposed.get(metric) ?? [])]);
      for (const { metric, matchers } of refs.selectors) {
        for (const { label } of matchers)
          expect({ where, metric, label, carried: carried(metric).has(label) }).toEqual({
            where,
            metric,
            label,
            carried: true,
          });
      }
      const anyCarries = (label: string) => refs.selectors.some((s) => carried(s.metric).has(label));
      for (const label of [...refs.grouping, ...(refs.reads ? [refs.reads] : [])])
        expect({ where, label, carried: anyCarries(label) }).toEqual({ where, label, carried: true });
      // A quantile over buckets summed without `le` is NaN: Grafana would draw nothing.
      if (refs.functions.includes("histogram_quantile"))
        expect({ where, le: refs.grouping.includes("le") }).toEqual({ where, le: true });
    }
  });

  test("every metric in Herald's catalogue has a panel", () => {
    const { registry: _registry, recent: _recent, ...instruments } = createHeraldMetrics();
    const read = new Set(
      allQueries().flatMap(({ expr }) => variableReferences(expr).selectors.map((s) => s.metric)),
    );
    for (const { name, type } of Object.values(instruments)) {
      const series = type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
      expect({ name, shown: series.some((s) => read.has(s)) }).toEqual({ name, shown: true });
    }
  });
});

describe("the query reader the checks rely on", () => {
  test("finds metrics with their matchers, grouping labels and functions; skips strings, durations, numbers", () => {
    const refs = promqlReferences(
      'histogram_quantile(0.99, sum by (le, channel) (rate(herald_x_bucket{job=~"$job", route="/a{b}"}[$__rate_interval]))) / on (channel) group_left herald_y offset 5m > 1e3 and bool herald_z',
    );
    expect(refs.selectors).toEqual([
      {
        metric: "herald_x_bucket",
        matchers: [
          { label: "job", op: "=~", value: "$job" },
          { label: "route", op: "=", value: "/a{b}" },
        ],
      },
      { metric: "herald_y", matchers: [] },
      { metric: "herald_z", matchers: [] },
    ]);
    expect(refs.grouping).toEqual(["le", "channel", "channel"]);
    expect(refs.functions).toEqual(["histogram_quantile", "sum", "rate"]);
  });

  test("a misspelled metric or function is reported, not skipped", () => {
    const refs = promqlReferences('sum(rat(herald_deliveries_totl{outcome="sent"}[5m]))');
    expect(refs.selectors.map((s) => s.metric)).toEqual(["herald_deliveries_totl"]);
    expect(exposed.has("herald_deliveries_totl")).toBe(false);
    expect(refs.functions.filter((f) => !FUNCTIONS.has(f))).toEqual(["rat"]);
  });

  test("label_values(selector, label) reads the label of the selector's series", () => {
    expect(variableReferences('label_values(herald_maintenance_mode{job=~"$job"}, instance)')).toMatchObject({
      selectors: [{ metric: "herald_maintenance_mode" }],
      reads: "instance",
    });
  });
});
