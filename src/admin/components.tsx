/** Small pieces shared by the console's pages: badges, a bar and a line chart, a pager and the CSRF field. */
import type { Child } from "hono/jsx";

/** A notification priority as a coloured badge (URGENT red, HIGH orange, MEDIUM blue, LOW grey). */
export function PriorityBadge(props: { priority: string }) {
  return <span class={`badge priority-${props.priority.toLowerCase()}`}>{props.priority}</span>;
}

/** Delivery statuses by how an operator should read them. */
const statusTone: Record<string, string> = {
  delivered: "good",
  sent: "good",
  queued: "wait",
  leased: "wait",
  digest: "wait",
  failed: "bad",
  bounced: "bad",
  complained: "bad",
  unknown: "bad",
  cancelled: "muted",
  skipped: "muted",
};

/** A delivery status as a badge. */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${statusTone[props.status] ?? "muted"}`}>{props.status}</span>;
}

/** The hidden CSRF field every state-changing form carries. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** One bar of a {@link BarChart}. */
export interface Bar {
  label: string;
  value: number;
}

/**
 * A horizontal bar chart as inline SVG (presentation attributes only, so the strict CSP holds), with the numbers
 * as text beside each bar and a title for screen readers. `labelWidth` (user units, default 70) makes room for
 * longer labels.
 */
export function BarChart(props: { title: string; bars: Bar[]; unit?: string; labelWidth?: number }) {
  const rowHeight = 26;
  const labelWidth = props.labelWidth ?? 70;
  const barSpace = 150;
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const height = props.bars.length * rowHeight;
  return (
    <svg
      class="chart"
      role="img"
      aria-label={props.title}
      viewBox={`0 0 ${labelWidth + barSpace + 60} ${height}`}
      width="100%"
      preserveAspectRatio="xMinYMin meet"
    >
      <title>{props.title}</title>
      {props.bars.map((bar, i) => {
        const y = i * rowHeight;
        const width = Math.round((bar.value / max) * barSpace);
        return (
          <g>
            <text x="0" y={y + 17} font-size="13" fill="currentColor">
              {bar.label}
            </text>
            <rect x={labelWidth} y={y + 4} width={Math.max(width, 1)} height="16" fill="#2563eb" rx="2" />
            <text x={labelWidth + width + 6} y={y + 17} font-size="13" fill="currentColor">
              {`${bar.value}${props.unit ?? ""}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** What was wrong with a form or a query, announced to screen readers; nothing when all was well. */
export function Issues(props: { issues: readonly string[]; id?: string }) {
  if (props.issues.length === 0) return null;
  return (
    <ul class="error" role="alert" id={props.id}>
      {props.issues.map((issue) => (
        <li>{issue}</li>
      ))}
    </ul>
  );
}

/** A table that scrolls sideways (with a header row of `columns`, when given) on a narrow screen instead of overflowing the page. */
export function ScrollTable(props: { caption: string; columns?: readonly string[]; children?: Child }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        {props.columns ? (
          <thead>
            <tr>
              {props.columns.map((column) => (
                <th scope="col">{column}</th>
              ))}
            </tr>
          </thead>
        ) : null}
        {props.children}
      </table>
    </div>
  );
}

/**
 * A GET form that narrows what a page shows (list filters, report options, a lookup): its fields, the submit
 * button and, when given, a link back to the page unfiltered.
 */
export function QueryForm(props: {
  action: string;
  label: string;
  submit?: string;
  reset?: { href: string; label: string };
  children?: Child;
}) {
  return (
    <form method="get" action={props.action} class="filters" aria-label={props.label}>
      {props.children}
      <button type="submit">{props.submit ?? "Filter"}</button>
      {props.reset ? <a href={props.reset.href}>{props.reset.label}</a> : null}
    </form>
  );
}

/** "Next page" for a cursor list: the current query with the cursor replaced. */
export function NextPage(props: { path: string; query: URLSearchParams; nextCursor: string | null }) {
  if (!props.nextCursor) return <p class="muted">End of the list.</p>;
  const next = new URLSearchParams(props.query);
  next.set("cursor", props.nextCursor);
  return (
    <p>
      <a class="button" href={`${props.path}?${next.toString()}`} rel="next">
        Next page
      </a>
    </p>
  );
}
