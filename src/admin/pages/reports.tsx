/**
 * `/admin/reports`: every report of the catalogue (`GET /v1/reports/{name}`, `herald report <name>`), run by
 * `runReport` with the API's options (a GET form checked with the API's query schema), shown as a chart and as
 * the tables `herald report` prints, each table downloadable as CSV (`/admin/reports/{name}.csv?…&table=N`).
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../../deps.ts";
import { PRIORITIES } from "../../domain/priorities.ts";
import { type Report, type ReportName, reportNames } from "../../domain/reports/report-catalogue.ts";
import { ReportQuery } from "../../domain/reports/report-options.input.ts";
import { reportSections } from "../../domain/reports/report-tables.rules.ts";
import { utcDate } from "../../domain/reports/report-window.rules.ts";
import { defaultWindows, type ReportOptions, runReport } from "../../domain/reports/reports.service.ts";
import { AppError, type FieldIssue, fieldIssues, notFound } from "../../errors.ts";
import type { AdminEnv } from "../admin-env.ts";
import { BarChart, QueryForm, ScrollTable } from "../components.tsx";
import { toCsv } from "../csv.rules.ts";
import { InputField } from "../fields.tsx";
import { formatTime } from "../layout.tsx";
import { echoQuery } from "../list-filters.rules.ts";
import { renderPage } from "../render.tsx";
import { SeriesChart } from "../series-chart.tsx";

/** What each report is called and shows (typed by the catalogue, so a new report cannot be left out). */
const reportInfo: Record<ReportName, { title: string; about: string }> = {
  "delivery-rates": {
    title: "Delivery rates",
    about:
      "Sent and delivered share of finished email and SMS deliveries, 24 hours and 7 days, against the targets.",
  },
  "sms-costs": {
    title: "SMS costs",
    about:
      "SMS sent and their cost per UTC day for 30 days, week on week, the month's projection and the budget.",
  },
  volume: { title: "Volume", about: "Notifications created in the window, by category and priority." },
  failures: {
    title: "Failures",
    about: "Unsuccessful provider attempts in the window, and the most frequent errors.",
  },
  "top-sms-recipients": {
    title: "Top SMS recipients",
    about: "The recipients sent the most SMS in the window, with their cost.",
  },
  loops: {
    title: "Loops",
    about: "Recipients getting the same notification repeatedly, and what the loop guard skipped.",
  },
  retention: {
    title: "Retention",
    about: "What the next retention run removes, and the oldest rows it keeps.",
  },
};

/** The reports with ranked lists, which take `limit` (as `ReportOptions.limit` documents). */
const ranked: readonly ReportName[] = ["failures", "top-sms-recipients", "loops"];
const windowed = (name: ReportName) => name in defaultWindows;
const optionNames = ["window", "limit"] as const;

const isReportName = (name: string): name is ReportName => (reportNames as readonly string[]).includes(name);

/** The report named in the path, or the console's 404. */
function reportName(name: string): ReportName {
  if (!isReportName(name)) throw notFound("Report", name);
  return name;
}

/** The options in the query, checked with the API's schema; empty form fields mean "the default". */
function reportOptions(query: Record<string, string>): { options: ReportOptions; issues: FieldIssue[] } {
  const given = Object.fromEntries(
    optionNames.map((n) => [n, query[n]?.trim() ?? ""]).filter(([, value]) => value !== ""),
  );
  const parsed = ReportQuery.safeParse(given);
  return parsed.success
    ? { options: parsed.data, issues: [] }
    : { options: {}, issues: fieldIssues(parsed.error.issues) };
}

/** Runs the report; a window the report refuses (longer than 366 days) becomes issues, like a malformed one. */
async function reportOrIssues(
  deps: Deps,
  name: ReportName,
  options: ReportOptions,
): Promise<{ report: Report | null; issues: FieldIssue[] }> {
  try {
    return { report: await runReport(deps, name, options), issues: [] };
  } catch (error) {
    if (!(error instanceof AppError && error.code === "validation-failed")) throw error;
    return { report: null, issues: error.extras.errors ?? [{ path: "window", message: error.message }] };
  }
}

const percent = (share: number) => Math.round(share * 1000) / 10;
const money = (value: number) => `$${value.toFixed(2)}`;

/** The report's chart: its main figures, drawn from the report itself (the tables carry every number). */
function ReportChart(props: { report: Report }) {
  const r = props.report;
  const bars = (
    title: string,
    items: { label: string; value: number }[],
    extra: { unit?: string; labelWidth?: number } = {},
  ) =>
    items.length === 0 ? (
      <p class="muted">Nothing to chart.</p>
    ) : (
      <BarChart title={title} bars={items} {...extra} />
    );
  switch (r.report) {
    case "delivery-rates":
      return bars(
        "Delivery rate, percent",
        r.rows.flatMap((row) =>
          row.rate === null ? [] : [{ label: `${row.channel} ${row.period}`, value: percent(row.rate) }],
        ),
        { unit: " %", labelWidth: 80 },
      );
    case "sms-costs":
      return (
        <SeriesChart
          title="SMS cost per UTC day, USD"
          bucketName="Day (UTC)"
          labels={r.days.map((d) => d.date)}
          series={[{ name: "SMS cost", color: "#2563eb", values: r.days.map((d) => d.usd) }]}
          format={money}
          figures={false}
        />
      );
    case "volume":
      return bars(
        "Notifications by priority",
        PRIORITIES.map((p) => ({ label: p, value: r.byPriority[p] })),
      );
    case "failures":
      return bars(
        "Unsuccessful provider attempts by channel",
        r.channels.map((c) => ({ label: c.channel, value: c.unsuccessful })),
      );
    case "top-sms-recipients":
      return bars(
        "SMS sent per recipient, top 10",
        r.recipients.slice(0, 10).map((x) => ({ label: shorten(x.recipientId), value: x.count })),
        { labelWidth: 140 },
      );
    case "loops":
      return bars(
        "Deliveries skipped by the loop guard, by channel",
        r.skipped.map((s) => ({ label: s.channel, value: s.count })),
      );
    case "retention":
      return bars(
        "Rows the next retention run removes",
        r.categories.map((c) => ({ label: c.category, value: c.toRemove })),
        { labelWidth: 140 },
      );
  }
}

/** A chart label cut to what fits beside the bars (the table has the whole value). */
const shorten = (label: string) => (label.length > 20 ? `${label.slice(0, 19)}…` : label);

/** The report's tables (as `herald report` prints them), each with its CSV link. */
function ReportTables(props: { name: ReportName; report: Report; query: URLSearchParams }) {
  return (
    <>
      {reportSections(props.report).map((section, i) => {
        const csv = new URLSearchParams(props.query);
        csv.set("table", String(i + 1));
        return (
          <section aria-label={section.title}>
            <ScrollTable caption={section.title} columns={section.header}>
              <tbody>
                {section.rows.length === 0 ? (
                  <tr>
                    <td colspan={section.header.length}>None.</td>
                  </tr>
                ) : (
                  section.rows.map((row) => (
                    <tr>
                      {row.map((cell) => (
                        <td>{cell}</td>
                      ))}
                    </tr>
                  ))
                )}
              </tbody>
            </ScrollTable>
            <p>
              <a href={`/admin/reports/${props.name}.csv?${csv.toString()}`} download>
                Download this table as CSV
              </a>
            </p>
          </section>
        );
      })}
    </>
  );
}

/** The options form: only the options this report uses. */
function OptionsForm(props: { name: ReportName; query: Record<string, string> }) {
  const { name, query } = props;
  if (!windowed(name) && !ranked.includes(name)) return null;
  return (
    <QueryForm
      action={`/admin/reports/${name}`}
      label="Report options"
      submit="Show"
      reset={{ href: `/admin/reports/${name}`, label: "Defaults" }}
    >
      {windowed(name) ? (
        <InputField
          name="window"
          label="Window (hours or days)"
          value={query.window ?? ""}
          placeholder={`${defaultWindows[name as keyof typeof defaultWindows]} (e.g. 24h, 30d)`}
        />
      ) : null}
      {ranked.includes(name) ? (
        <InputField
          name="limit"
          label="Rows (1-200)"
          type="number"
          value={query.limit ?? ""}
          placeholder="20"
        />
      ) : null}
    </QueryForm>
  );
}

/** `GET /admin/reports/{name}`. */
async function reportPage(c: Context<AdminEnv>, deps: Deps, name: ReportName) {
  const query = c.req.query();
  const parsed = reportOptions(query);
  const { report, issues } =
    parsed.issues.length === 0
      ? await reportOrIssues(deps, name, parsed.options)
      : { report: null, issues: parsed.issues };
  const echo = echoQuery(query, optionNames);
  return renderPage(
    c,
    deps,
    { title: `Report: ${reportInfo[name].title}`, section: "/admin/reports", status: report ? 200 : 400 },
    <>
      <p>
        <a href="/admin/reports">All reports</a>
      </p>
      <p class="muted">{reportInfo[name].about}</p>
      <OptionsForm name={name} query={query} />
      {issues.length > 0 ? (
        <ul class="error" role="alert">
          {issues.map((i) => (
            <li>
              {i.path}: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      {report ? (
        <>
          <p class="muted">
            As of {formatTime(report.generatedAt)}
            {"from" in report && "window" in report ? `, the last ${report.window}` : ""}. The same figures as{" "}
            <code>GET /v1/reports/{name}</code> and <code>herald report {name}</code>.
          </p>
          <div class="report-chart">
            <ReportChart report={report} />
          </div>
          <ReportTables name={name} report={report} query={echo} />
        </>
      ) : null}
    </>,
  );
}

/** `GET /admin/reports/{name}.csv`: one table of the report (`table`, from 1) as an RFC 4180 attachment. */
async function reportCsv(c: Context<AdminEnv>, deps: Deps, name: ReportName) {
  const { options, issues } = reportOptions(c.req.query());
  if (issues.length > 0) {
    throw new AppError("validation-failed", issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  }
  const sections = reportSections(await runReport(deps, name, options));
  const table = Number(c.req.query("table") ?? "1");
  const section = Number.isInteger(table) ? sections[table - 1] : undefined;
  if (!section) {
    throw new AppError("validation-failed", `table must be a whole number from 1 to ${sections.length}`);
  }
  const suffix = sections.length > 1 ? `-table-${table}` : "";
  const filename = `herald-${name}${suffix}-${utcDate(deps.clock.now())}.csv`;
  return c.body(toCsv([section.header, ...section.rows]), 200, {
    "content-type": "text/csv; charset=utf-8; header=present",
    "content-disposition": `attachment; filename="${filename}"`,
  });
}

/** The report pages and their CSV downloads. */
export function reportPages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  app.get("/admin/reports", (c) =>
    renderPage(
      c,
      deps,
      { title: "Reports", section: "/admin/reports" },
      <>
        <p class="muted">
          Computed now from the database, as <code>GET /v1/reports/{"{name}"}</code> and{" "}
          <code>herald report &lt;name&gt;</code> give them.
        </p>
        <ul class="report-list">
          {reportNames.map((name) => (
            <li>
              <a href={`/admin/reports/${name}`}>{reportInfo[name].title}</a>: {reportInfo[name].about}
            </li>
          ))}
        </ul>
      </>,
    ),
  );
  // The CSV route first: `volume.csv` is not a report name, and the page's pattern has no dot to take it.
  app.get("/admin/reports/:file{[a-z-]+\\.csv}", (c) =>
    reportCsv(c, deps, reportName(c.req.param("file").slice(0, -".csv".length))),
  );
  app.get("/admin/reports/:name{[a-z-]+}", (c) => reportPage(c, deps, reportName(c.req.param("name"))));

  return app;
}
