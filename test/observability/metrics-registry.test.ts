import { describe, expect, test } from "bun:test";
import { createHeraldMetrics } from "../../src/observability/herald-metrics.ts";
import { Counter, Gauge, Histogram, MetricsRegistry } from "../../src/observability/metrics-registry.ts";

describe("metrics registry", () => {
  test("a counter keeps one series per label set and renders HELP, TYPE and samples", async () => {
    const registry = new MetricsRegistry();
    const sent = registry.register(new Counter("t_sent_total", "Things sent.", ["channel"]));
    sent.inc({ channel: "sms" });
    sent.inc({ channel: "sms" }, 2);
    sent.inc({ channel: "email" }, 0.5);
    expect(sent.get({ channel: "sms" })).toBe(3);
    expect(sent.sum()).toBe(3.5);
    expect(await registry.render()).toBe(
      [
        "# HELP t_sent_total Things sent.",
        "# TYPE t_sent_total counter",
        't_sent_total{channel="sms"} 3',
        't_sent_total{channel="email"} 0.5',
        "",
      ].join("\n"),
    );
  });

  test("labels other than the declared ones are refused, so a typo cannot create a stray series", () => {
    const c = new Counter("t_total", "T.", ["channel", "outcome"]);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong labels
    const wrong = (labels: any) => () => c.inc(labels);
    expect(wrong({ channel: "sms" })).toThrow("takes labels [channel, outcome]");
    expect(wrong({ channel: "sms", outcome: "sent", extra: "x" })).toThrow("takes labels");
    expect(wrong({ chanel: "sms", outcome: "sent" })).toThrow("takes labels");
    const g = new Gauge("t_gauge", "G.", ["channel"]);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong labels
    expect(() => g.set({ queue: "x" } as any, 1)).toThrow("takes labels [channel]");
    const h = new Histogram("t_seconds", "H.", [1], ["route"]);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong labels
    expect(() => h.observe({} as any, 1)).toThrow("takes labels [route]");
  });

  test("counters never decrease", () => {
    const c = new Counter("t_total", "T.");
    expect(() => c.inc({}, -1)).toThrow("cannot decrease");
    expect(c.get()).toBe(0);
  });

  test("label values escape backslash, double quote and newline; HELP escapes backslash and newline", async () => {
    const registry = new MetricsRegistry();
    const g = registry.register(new Gauge("t_value", 'Help with \\ and\nnewline and "quotes".', ["route"]));
    g.set({ route: 'a\\b"c\nd' }, 1);
    const text = await registry.render();
    expect(text).toContain('# HELP t_value Help with \\\\ and\\nnewline and "quotes".\n');
    expect(text).toContain('t_value{route="a\\\\b\\"c\\nd"} 1\n');
  });

  test("histogram buckets are cumulative, end with +Inf, and carry _sum and _count", async () => {
    const registry = new MetricsRegistry();
    const h = registry.register(new Histogram("t_duration_seconds", "D.", [0.1, 1, 10], ["route"]));
    for (const v of [0.05, 0.1, 0.5, 2, 20]) h.observe({ route: "/x" }, v);
    const lines = (await registry.render()).trim().split("\n");
    expect(lines).toEqual([
      "# HELP t_duration_seconds D.",
      "# TYPE t_duration_seconds histogram",
      't_duration_seconds_bucket{route="/x",le="0.1"} 2', // 0.1 itself falls in le=0.1 (upper bounds are inclusive)
      't_duration_seconds_bucket{route="/x",le="1"} 3',
      't_duration_seconds_bucket{route="/x",le="10"} 4',
      't_duration_seconds_bucket{route="/x",le="+Inf"} 5',
      't_duration_seconds_sum{route="/x"} 22.65',
      't_duration_seconds_count{route="/x"} 5',
    ]);
    expect(h.totals({ route: "/x" })).toEqual({ count: 5, sum: 22.65 });
  });

  test("special values render as Prometheus spells them", async () => {
    const registry = new MetricsRegistry();
    const g = registry.register(new Gauge("t_special", "S.", ["k"]));
    g.set({ k: "nan" }, Number.NaN);
    g.set({ k: "inf" }, Number.POSITIVE_INFINITY);
    g.set({ k: "ninf" }, Number.NEGATIVE_INFINITY);
    const text = await registry.render();
    expect(text).toContain('t_special{k="nan"} NaN');
    expect(text).toContain('t_special{k="inf"} +Inf');
    expect(text).toContain('t_special{k="ninf"} -Inf');
  });

  test("collectors run before each render, and a name registers once", async () => {
    const registry = new MetricsRegistry();
    const g = registry.register(new Gauge("t_scrapes", "Scrapes."));
    let scrapes = 0;
    registry.collect(() => g.set({}, ++scrapes));
    expect(await registry.render()).toContain("t_scrapes 1\n");
    expect(await registry.render()).toContain("t_scrapes 2\n");
    expect(() => registry.register(new Counter("t_scrapes", "Again."))).toThrow("registered twice");
  });

  test("Herald's catalogue follows the naming conventions", () => {
    const { registry: _registry, recent: _recent, ...instruments } = createHeraldMetrics();
    for (const metric of Object.values(instruments)) {
      expect(metric.name).toMatch(/^herald_[a-z0-9_]+$/);
      if (metric.type === "counter") expect(metric.name).toEndWith("_total");
      else expect(metric.name).not.toEndWith("_total");
      if (metric.type === "histogram") expect(metric.name).toEndWith("_seconds");
    }
  });
});
