/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
 * format (version 0.0.4). In-process and allocation-light, because the hot paths (every request, every send)
 * update it; gauges that describe the database (queue depth, oldest age) are filled by collectors at scrape time.
 */

/** Label values of one series, e.g. `{ channel: "sms", outcome: "sent" }`. */
export type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** Text exposition lines for this metric's samples (without HELP/TYPE). */
  samples(): string[];
}

/** Escapes a label value as the exposition format requires. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(",")}}`;
}

/** A stable key for a label set (label order as the caller declared them). */
function keyOf(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? "").join("\u0000");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** Checks labels against the declared names, so a typo fails in tests instead of creating a stray series. */
function checkLabels(metric: string, labelNames: readonly string[], labels: Labels): void {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || given.some((k) => !labelNames.includes(k))) {
    throw new Error(`metric ${metric} takes labels [${labelNames.join(", ")}], got [${given.join(", ")}]`);
  }
}

/** A monotonically increasing count (resets only when the process restarts). */
export class Counter<L extends string = never> implements Metric {
  readonly type = "counter" as const;
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[] = [],
  ) {}

  /** Adds `by` (default 1, never negative) to the series of `labels`. */
  inc(labels: Record<L, string> = {} as Record<L, string>, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    const key = keyOf(this.labelNames, labels);
    const found = this.series.get(key);
    if (found) found.value += by;
    else {
      checkLabels(this.name, this.labelNames, labels);
      this.series.set(key, { labels: { ...labels }, value: by });
    }
  }

  /** The current value of one series (0 if never incremented); for tests and in-process alert rules. */
  get(labels: Record<L, string> = {} as Record<L, string>): number {
    return this.series.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  /** The sum over every series whose labels include `match`. */
  sum(match: Partial<Record<L, string>> = {}): number {
    let total = 0;
    for (const s of this.series.values()) {
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
    return total;
  }

  samples(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A value that goes up and down; usually set by a collector at scrape time. */
export class Gauge<L extends string = never> implements Metric {
  readonly type = "gauge" as const;
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[] = [],
  ) {}

  /** Sets the series of `labels` to `value`. */
  set(labels: Record<L, string>, value: number): void {
    const key = keyOf(this.labelNames, labels);
    const found = this.series.get(key);
    if (found) found.value = value;
    else {
      checkLabels(this.name, this.labelNames, labels);
      this.series.set(key, { labels: { ...labels }, value });
    }
  }

  /** The current value of one series (undefined if never set). */
  get(labels: Record<L, string> = {} as Record<L, string>): number | undefined {
    return this.series.get(keyOf(this.labelNames, labels))?.value;
  }

  samples(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A distribution in fixed cumulative buckets (upper bounds in the metric's unit, e.g. seconds). */
export class Histogram<L extends string = never> implements Metric {
  readonly type = "histogram" as const;
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly L[] = [],
  ) {}

  /** Records one observation. */
  observe(labels: Record<L, string>, value: number): void {
    const key = keyOf(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      checkLabels(this.name, this.labelNames, labels);
      s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    s.sum += value;
    s.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) (s.counts[i] as number)++;
    }
  }

  /** Count and sum of one series (or of all series when `labels` is omitted); for in-process alert rules. */
  totals(labels?: Record<L, string>): { count: number; sum: number } {
    if (labels) {
      const s = this.series.get(keyOf(this.labelNames, labels));
      return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
    }
    let count = 0;
    let sum = 0;
    for (const s of this.series.values()) {
      count += s.count;
      sum += s.sum;
    }
    return { count, sum };
  }

  samples(): string[] {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: formatValue(le) })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/** Runs before each scrape to refresh gauges from the database or other state. */
export type Collector = () => Promise<void> | void;

/** The metrics of one process, rendered by `GET /metrics`. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: Collector[] = [];

  /** Adds a metric; names must be unique. Returns it for chaining into a catalogue. */
  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name))
      throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }

  /** Adds a collector run before each scrape. */
  collect(collector: Collector): void {
    this.collectors.push(collector);
  }

  /** Runs the collectors and renders every metric in the Prometheus text format. */
  async render(): Promise<string> {
    for (const collector of this.collectors) await collector();
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      out.push(...m.samples());
    }
    return `${out.join("\n")}\n`;
  }
}
