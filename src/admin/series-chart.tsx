/**
 * A time-series chart for the overview: one line per series over shared time buckets, dashed target lines, and
 * the same figures as a table under it. Inline SVG with presentation attributes only (the console's CSP allows
 * no inline style or script); a `<title>` and `aria-label` name it, each point's value is its tooltip, and the
 * table is what a screen reader or a narrow screen reads.
 */
import { ScrollTable } from "./components.tsx";
import { lineSegments, niceCeiling } from "./series-chart.rules.ts";

/** One line: a value per bucket (null where there is nothing to show, which breaks the line). */
export interface ChartSeries {
  name: string;
  /** A stroke colour (SVG presentation attribute). */
  color: string;
  values: (number | null)[];
}

/** A horizontal dashed line at a value the series are judged against. */
export interface ChartTarget {
  label: string;
  value: number;
  color: string;
}

const [WIDTH, HEIGHT] = [560, 230];
const [LEFT, RIGHT, TOP, BOTTOM] = [66, 16, 30, 26];
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
const round = (n: number) => Math.round(n * 10) / 10;

/** The chart and its table. `labels` name the buckets (one per value); `format` writes a value as text. */
export function SeriesChart(props: {
  title: string;
  /** The table's first column header, e.g. "Hour (UTC)". */
  bucketName: string;
  labels: string[];
  series: ChartSeries[];
  targets?: ChartTarget[];
  format: (value: number) => string;
  /** Show the figures as a table under the chart (default); off where the page already has that table. */
  figures?: boolean;
  /** The scale's bottom and top; default 0 to a round number above the largest value or target. */
  scale?: [number, number];
}) {
  const targets = props.targets ?? [];
  const known = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const [low, high] = props.scale ?? [0, niceCeiling(Math.max(0, ...known, ...targets.map((t) => t.value)))];
  const last = props.labels.length - 1;
  const x = (index: number) => round(LEFT + (last <= 0 ? PLOT_WIDTH / 2 : (index * PLOT_WIDTH) / last));
  const y = (value: number) => {
    const clamped = Math.min(high, Math.max(low, value));
    return round(TOP + PLOT_HEIGHT - ((clamped - low) / (high - low || 1)) * PLOT_HEIGHT);
  };
  const ticks = [low, (low + high) / 2, high];
  // The legend runs along the top, each entry as wide as its label (about 7 units a character at 13 px).
  let legendX = LEFT;
  const legend = [
    ...props.series.map((s) => ({ label: s.name, color: s.color, dashed: false })),
    ...targets.map((t) => ({ label: t.label, color: t.color, dashed: true })),
  ].map((entry) => {
    const x = legendX;
    legendX += 19 + entry.label.length * 7 + 14;
    return { ...entry, x };
  });
  const xTicks = last <= 0 ? [0] : [0, Math.round(last / 2), last];
  return (
    <figure class="series-chart">
      <svg
        class="chart wide"
        role="img"
        aria-label={props.title}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{props.title}</title>
        {legend.map((item) => (
          <g>
            {item.dashed ? (
              <line
                x1={item.x}
                y1="10"
                x2={item.x + 14}
                y2="10"
                stroke={item.color}
                stroke-width="2"
                stroke-dasharray="4 2"
              />
            ) : (
              <rect x={item.x} y="8" width="14" height="4" fill={item.color} />
            )}
            <text x={item.x + 19} y="14" font-size="13" fill="currentColor">
              {item.label}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <g>
            <line x1={LEFT} y1={y(tick)} x2={WIDTH - RIGHT} y2={y(tick)} stroke="#e5e7eb" />
            <text x={LEFT - 6} y={y(tick) + 4} font-size="13" text-anchor="end" fill="currentColor">
              {props.format(tick)}
            </text>
          </g>
        ))}
        <line x1={LEFT} y1={TOP} x2={LEFT} y2={TOP + PLOT_HEIGHT} stroke="#9ca3af" />
        {xTicks.map((index, i) => (
          <text
            x={x(index)}
            y={HEIGHT - 8}
            font-size="13"
            text-anchor={xTicks.length === 1 ? "middle" : ["start", "middle", "end"][i]}
            fill="currentColor"
          >
            {props.labels[index] ?? ""}
          </text>
        ))}
        {targets.map((target) => (
          <line
            x1={LEFT}
            y1={y(target.value)}
            x2={WIDTH - RIGHT}
            y2={y(target.value)}
            stroke={target.color}
            stroke-width="1.5"
            stroke-dasharray="6 4"
          />
        ))}
        {props.series.map((s) => {
          const segments = lineSegments(s.values);
          return (
            <g>
              {segments
                .filter((segment) => segment.length > 1)
                .map((segment) => (
                  <polyline
                    points={segment.map((p) => `${x(p.index)},${y(p.value)}`).join(" ")}
                    fill="none"
                    stroke={s.color}
                    stroke-width="2"
                  />
                ))}
              {segments.flat().map((p) => (
                <circle cx={x(p.index)} cy={y(p.value)} r="2.5" fill={s.color}>
                  <title>{`${s.name}, ${props.labels[p.index] ?? ""}: ${props.format(p.value)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      {props.figures === false ? null : (
        <details>
          <summary>Figures: {props.title}</summary>
          <ScrollTable caption={props.title} columns={[props.bucketName, ...props.series.map((s) => s.name)]}>
            <tbody>
              {props.labels.map((label, i) => (
                <tr>
                  <th scope="row">{label}</th>
                  {props.series.map((s) => {
                    const value = s.values[i];
                    return <td>{value === null || value === undefined ? "—" : props.format(value)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </details>
      )}
    </figure>
  );
}
