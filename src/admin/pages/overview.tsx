/**
 * `GET /admin`: the state of the service at a glance, from the same verbs the API and the CLI use: the volume,
 * delivery-rates and sms-costs reports (with their per-bucket series for the trend charts), the queue backlog,
 * readiness and the alert rules. `?period=24h|7d|30d` picks the charts' span.
 */
import { Hono } from "hono";
import { listAlerts } from "../../alerts/alert-evaluator.ts";
import { channelBacklog } from "../../delivery/backlog.repo.ts";
import type { DeliveryRatesReport } from "../../domain/reports/delivery-rates.report.ts";
import {
  type DeliveryRatePoint,
  type DeliveryRateRow,
  deliveriesMade,
  deliveryRateTargets,
} from "../../domain/reports/delivery-rates.rules.ts";
import { runReport } from "../../domain/reports/reports.service.ts";
import type { SmsCostsReport } from "../../domain/reports/sms-costs.report.ts";
import type { VolumePoint, VolumeReport } from "../../domain/reports/volume.report.ts";
import { checkReadiness } from "../../observability/readiness.service.ts";
import type { ServerDeps } from "../../server-deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import {
  bucketLabel,
  type ChartPeriod,
  chartPeriod,
  chartPeriodSeries,
  chartPeriods,
} from "../chart-period.rules.ts";
import { BarChart, Issues, ScrollTable } from "../components.tsx";
import { formatDuration, formatTime } from "../layout.tsx";
import { renderPage } from "../render.tsx";
import { rateScaleFloor } from "../series-chart.rules.ts";
import { SeriesChart } from "../series-chart.tsx";

/** The CSS class of an overall readiness status. */
const healthClass = { ready: "healthy", degraded: "degraded", unavailable: "failing" } as const;

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);
/** Dollars with cents, or with 4 decimals under 10 cents, where single SMS prices live. */
const usd = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.1 ? 4 : 2)}`;
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

const colors = { inApp: "#6b7280", email: "#2563eb", sms: "#d97706" } as const;

/** Per bucket: notifications (in-app) and the deliveries each channel made. */
function channelVolumes(volume: VolumePoint[], rates: DeliveryRatePoint[]) {
  return {
    inApp: volume.map((p) => p.count),
    email: rates.map((p) => deliveriesMade(p.email)),
    sms: rates.map((p) => deliveriesMade(p.sms)),
  };
}

/** A rate against its target, in words as well as colour. */
function RateCell(props: { row: DeliveryRateRow | undefined }) {
  const row = props.row;
  if (!row || row.rate === null) return <td>— (nothing finished)</td>;
  return (
    <td class={row.meetsTarget ? "health-healthy" : "health-failing"}>
      {percent(row.rate)} {row.meetsTarget ? "(meets target)" : "(below target)"}
    </td>
  );
}

/** `GET /admin`. */
export function overviewPage(deps: ServerDeps) {
  const app = new Hono<AdminEnv>();
  app.get("/admin", async (c) => {
    const now = deps.clock.now();
    const { period, issues } = chartPeriod(c.req.query("period"));
    const chosen = chartPeriodSeries[period];
    const series = { window: chosen.window, series: chosen.bucket };
    const charted = Promise.all([
      runReport(deps, "volume", series) as Promise<VolumeReport>,
      runReport(deps, "delivery-rates", series) as Promise<DeliveryRatesReport>,
    ]);
    // Today and the last 7 days are the last seven points of a daily series: the charts' own unless they are hourly.
    const daily = { window: "7d", series: "day" } as const;
    const daysOf =
      chosen.bucket === "day"
        ? charted
        : Promise.all([
            runReport(deps, "volume", daily) as Promise<VolumeReport>,
            runReport(deps, "delivery-rates", daily) as Promise<DeliveryRatesReport>,
          ]);
    const queue = channelBacklog(deps, now);
    const [[volume, rates], [dayVolume, dayRates], costs, backlog, ready, alerts] = await Promise.all([
      charted,
      daysOf,
      runReport(deps, "sms-costs", series) as Promise<SmsCostsReport>,
      queue,
      checkReadiness(deps, queue),
      listAlerts(deps),
    ]);
    const rate = (channel: "email" | "sms", span: "24h" | "7d") =>
      rates.rows.find((r) => r.channel === channel && r.period === span);
    const firing = alerts.filter((a) => a.state === "firing");
    const { budget } = costs;

    const days = channelVolumes((dayVolume.series ?? []).slice(-7), (dayRates.series ?? []).slice(-7));
    const sum = (values: number[]) => values.reduce((n, v) => n + v, 0);
    const volumes = [
      { name: "In-app", values: days.inApp },
      { name: "Email", values: days.email },
      { name: "SMS", values: days.sms },
    ];

    const charts = channelVolumes(volume.series ?? [], rates.series ?? []);
    const labels = (volume.series ?? []).map((p) => bucketLabel(p.start, chosen.bucket));
    const per = chosen.bucket === "hour" ? "per hour" : "per day";
    const bucketName = chosen.bucket === "hour" ? "Hour (UTC)" : "Day (UTC)";
    const rateValues = {
      email: (rates.series ?? []).map((p) => p.email.rate),
      sms: (rates.series ?? []).map((p) => p.sms.rate),
    };
    const targets = [
      {
        label: `Email target ${percent(deliveryRateTargets.email)}`,
        value: deliveryRateTargets.email,
        color: "#93c5fd",
      },
      {
        label: `SMS target ${percent(deliveryRateTargets.sms)}`,
        value: deliveryRateTargets.sms,
        color: "#fcd34d",
      },
    ];
    const overBudget = costs.monthProjectionUsd > budget.monthlyLimitUsd;

    return renderPage(
      c,
      deps,
      { title: "Overview", section: "/admin", status: issues.length > 0 ? 400 : 200 },
      <>
        <p class="muted">As of {formatTime(now)}.</p>
        <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Firing alerts</h2>
          {firing.length === 0 ? (
            <p>No alert is firing.</p>
          ) : (
            <ul class="error">
              {firing.map((a) => (
                <li>
                  <strong>{a.name}</strong> ({a.severity}) since {formatTime(a.since)}: {a.summary}
                </li>
              ))}
            </ul>
          )}
        </section>

        <div class="cards overview">
          <section class="card" aria-labelledby="volume-h">
            <h2 id="volume-h">Volume by channel</h2>
            <ScrollTable
              caption="Notifications (in-app) and deliveries made per channel"
              columns={["Channel", "Today (UTC)", "Last 7 days"]}
            >
              <tbody>
                {volumes.map((v) => (
                  <tr>
                    <th scope="row">{v.name}</th>
                    <td>{v.values.at(-1) ?? 0}</td>
                    <td>{sum(v.values)}</td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
            <p class="muted">
              Email and SMS count deliveries made (not skipped, digested or cancelled); 7 days are today and
              the 6 UTC days before.
            </p>
          </section>

          <section class="card" aria-labelledby="rates-h">
            <h2 id="rates-h">Delivery rates</h2>
            <ScrollTable
              caption="Delivered share of finished deliveries, against the targets"
              columns={["Channel", "Target", "Last 24 h", "Last 7 days"]}
            >
              <tbody>
                {(["email", "sms"] as const).map((channel) => (
                  <tr>
                    <th scope="row">{channel === "email" ? "Email" : "SMS"}</th>
                    <td>{percent(deliveryRateTargets[channel])}</td>
                    <RateCell row={rate(channel, "24h")} />
                    <RateCell row={rate(channel, "7d")} />
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          </section>

          <section class="card" aria-labelledby="sms-h">
            <h2 id="sms-h">SMS spend</h2>
            <dl class="facts">
              <dt>Today (UTC)</dt>
              <dd>
                {usd(budget.todayUsd)} of {usd(budget.dailyLimitUsd)} (
                {share(budget.todayUsd, budget.dailyLimitUsd)} %)
              </dd>
              <dt>This month</dt>
              <dd>
                {usd(budget.monthUsd)} of {usd(budget.monthlyLimitUsd)} (
                {share(budget.monthUsd, budget.monthlyLimitUsd)} %)
              </dd>
              <dt>Month projection</dt>
              <dd class={overBudget ? "health-failing" : undefined}>
                {usd(costs.monthProjectionUsd)}:{" "}
                {overBudget ? "over the monthly budget" : "within the monthly budget"}
              </dd>
            </dl>
            <p class="muted">
              Today and this month count queued SMS too (what the budget guard counts); the projection scales
              the {usd(costs.monthToDate.usd)} sent this month to the whole month.
            </p>
            <BarChart
              title="SMS spend against budget, percent"
              unit=" %"
              bars={[
                { label: "Today", value: share(budget.todayUsd, budget.dailyLimitUsd) },
                { label: "Month", value: share(budget.monthUsd, budget.monthlyLimitUsd) },
                { label: "Projected", value: share(costs.monthProjectionUsd, budget.monthlyLimitUsd) },
              ]}
            />
          </section>

          <section class="card" aria-labelledby="queue-h">
            <h2 id="queue-h">Queue</h2>
            <ScrollTable
              caption="Deliveries waiting now"
              columns={["Channel", "Due", "Oldest due", "Sending", "Unknown"]}
            >
              <tbody>
                {(["email", "sms"] as const).map((channel) => {
                  const b = backlog[channel];
                  return (
                    <tr>
                      <th scope="row">{channel === "email" ? "Email" : "SMS"}</th>
                      <td>{b.due}</td>
                      <td>
                        {b.due > 0
                          ? `${formatDuration(b.oldestDueAgeMs)} (due since ${formatTime(now - b.oldestDueAgeMs)})`
                          : "—"}
                      </td>
                      <td>{b.leased}</td>
                      <td>{b.unknown}</td>
                    </tr>
                  );
                })}
              </tbody>
            </ScrollTable>
          </section>
        </div>

        <section aria-labelledby="trends-h">
          <h2 id="trends-h">Trends, {chosen.span}</h2>
          <nav class="periods" aria-label="Chart period">
            {chartPeriods.map((p: ChartPeriod) => (
              <a href={`/admin?period=${p}`} aria-current={p === period ? "page" : undefined}>
                {chartPeriodSeries[p].label}
              </a>
            ))}
          </nav>
          <Issues issues={issues} />
          <SeriesChart
            title={`Notifications and deliveries ${per}, ${chosen.span}`}
            bucketName={bucketName}
            labels={labels}
            series={[
              { name: "In-app", color: colors.inApp, values: charts.inApp },
              { name: "Email", color: colors.email, values: charts.email },
              { name: "SMS", color: colors.sms, values: charts.sms },
            ]}
            format={String}
          />
          <SeriesChart
            title={`Delivery rate ${per}, ${chosen.span}`}
            bucketName={bucketName}
            labels={labels}
            series={[
              { name: "Email", color: colors.email, values: rateValues.email },
              { name: "SMS", color: colors.sms, values: rateValues.sms },
            ]}
            targets={targets}
            scale={[
              rateScaleFloor(
                [...rateValues.email, ...rateValues.sms],
                targets.map((t) => t.value),
              ),
              1,
            ]}
            format={percent}
          />
          <SeriesChart
            title={`SMS cost ${per}, ${chosen.span}`}
            bucketName={bucketName}
            labels={(costs.series ?? []).map((p) => bucketLabel(p.start, chosen.bucket))}
            series={[{ name: "SMS cost", color: colors.sms, values: (costs.series ?? []).map((p) => p.usd) }]}
            format={usd}
          />
          <p class="muted">
            Rates count deliveries by the {chosen.bucket} they were created; a gap means none finished. SMS
            cost counts SMS by the {chosen.bucket} the provider accepted them.
          </p>
        </section>

        <section aria-labelledby="ready-h">
          <h2 id="ready-h">
            Components: <span class={`health-${healthClass[ready.status]}`}>{ready.status}</span>
          </h2>
          <ScrollTable
            caption="As GET /health/ready reports them"
            columns={["Component", "Status", "Detail"]}
          >
            <tbody>
              {Object.entries(ready.components).map(([name, component]) => (
                <tr>
                  <th scope="row">{name}</th>
                  <td class={`health-${component.status}`}>{component.status}</td>
                  <td>{component.detail ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </section>
      </>,
    );
  });
  return app;
}
