/**
 * `GET /admin`: the state of the service at a glance, from the same verbs the API and the CLI use: the volume and
 * delivery-rates reports, the SMS budget (sms-costs report), the queue backlog, readiness and the alert rules.
 */
import { Hono } from "hono";
import { listAlerts } from "../../alerts/alert-evaluator.ts";
import { channelBacklog } from "../../delivery/backlog.repo.ts";
import type { DeliveryRatesReport } from "../../domain/reports/delivery-rates.report.ts";
import type { DeliveryRateRow } from "../../domain/reports/delivery-rates.rules.ts";
import { runReport } from "../../domain/reports/reports.service.ts";
import type { SmsCostsReport } from "../../domain/reports/sms-costs.report.ts";
import type { VolumeReport } from "../../domain/reports/volume.report.ts";
import { checkReadiness } from "../../observability/readiness.service.ts";
import type { ServerDeps } from "../../server-deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import { BarChart, ScrollTable } from "../components.tsx";
import { formatDuration, formatTime } from "../layout.tsx";
import { renderPage } from "../render.tsx";

/** Deliveries a rate row counts: everything but skipped, digested and cancelled ones. */
const deliveriesIn = (row: DeliveryRateRow | undefined) =>
  row ? row.sent + row.delivered + row.failed + row.bounced + row.complained + row.pending + row.unknown : 0;

/** The CSS class of an overall readiness status. */
const healthClass = { ready: "healthy", degraded: "degraded", unavailable: "failing" } as const;

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);
const usd = (value: number) => `$${value.toFixed(2)}`;

/** `GET /admin`. */
export function overviewPage(deps: ServerDeps) {
  const app = new Hono<AdminEnv>();
  app.get("/admin", async (c) => {
    const now = deps.clock.now();
    const [day, week, rates, costs, backlog, ready, alerts] = await Promise.all([
      runReport(deps, "volume", { window: "24h" }) as Promise<VolumeReport>,
      runReport(deps, "volume", { window: "7d" }) as Promise<VolumeReport>,
      runReport(deps, "delivery-rates") as Promise<DeliveryRatesReport>,
      runReport(deps, "sms-costs") as Promise<SmsCostsReport>,
      channelBacklog(deps, now),
      checkReadiness(deps),
      listAlerts(deps),
    ]);
    const rate = (channel: "email" | "sms", period: "24h" | "7d") =>
      rates.rows.find((r) => r.channel === channel && r.period === period);
    const firing = alerts.filter((a) => a.state === "firing");
    const { budget } = costs;

    return renderPage(
      c,
      deps,
      { title: "Overview", section: "/admin" },
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

        <div class="cards">
          <section class="card" aria-labelledby="volume-h">
            <h2 id="volume-h">Volume by channel</h2>
            <h3>Last 24 hours</h3>
            <BarChart
              title="Last 24 hours"
              bars={[
                { label: "In-app", value: day.total },
                { label: "Email", value: deliveriesIn(rate("email", "24h")) },
                { label: "SMS", value: deliveriesIn(rate("sms", "24h")) },
              ]}
            />
            <h3>Last 7 days</h3>
            <BarChart
              title="Last 7 days"
              bars={[
                { label: "In-app", value: week.total },
                { label: "Email", value: deliveriesIn(rate("email", "7d")) },
                { label: "SMS", value: deliveriesIn(rate("sms", "7d")) },
              ]}
            />
            <p class="muted">Email and SMS count deliveries made (not skipped or digested).</p>
          </section>

          <section class="card" aria-labelledby="rates-h">
            <h2 id="rates-h">Delivery rates</h2>
            <ScrollTable caption="Delivered share of finished deliveries, against the targets">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">24 h</th>
                  <th scope="col">7 days</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {(["email", "sms"] as const).map((channel) => {
                  const d = rate(channel, "24h");
                  const w = rate(channel, "7d");
                  return (
                    <tr>
                      <th scope="row">{channel === "email" ? "Email" : "SMS"}</th>
                      <td class={d?.meetsTarget === false ? "health-failing" : undefined}>
                        {percent(d?.rate ?? null)}
                        {d?.meetsTarget === false ? " (below target)" : ""}
                      </td>
                      <td class={w?.meetsTarget === false ? "health-failing" : undefined}>
                        {percent(w?.rate ?? null)}
                        {w?.meetsTarget === false ? " (below target)" : ""}
                      </td>
                      <td>{percent(d?.target ?? null)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </ScrollTable>
          </section>

          <section class="card" aria-labelledby="sms-h">
            <h2 id="sms-h">SMS spend</h2>
            <dl class="facts">
              <dt>Today (UTC)</dt>
              <dd>
                {usd(budget.todayUsd)} of {usd(budget.dailyLimitUsd)}
              </dd>
              <dt>This month</dt>
              <dd>
                {usd(budget.monthUsd)} of {usd(budget.monthlyLimitUsd)}
              </dd>
            </dl>
            <BarChart
              title="SMS spend against budget, percent"
              unit=" %"
              bars={[
                { label: "Today", value: Math.round((budget.todayUsd / budget.dailyLimitUsd) * 100) },
                { label: "Month", value: Math.round((budget.monthUsd / budget.monthlyLimitUsd) * 100) },
                { label: "Budget", value: 100 },
              ]}
            />
          </section>

          <section class="card" aria-labelledby="queue-h">
            <h2 id="queue-h">Queue</h2>
            <ScrollTable caption="Deliveries waiting now">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Due</th>
                  <th scope="col">Oldest due</th>
                  <th scope="col">Sending</th>
                  <th scope="col">Unknown</th>
                </tr>
              </thead>
              <tbody>
                {(["email", "sms"] as const).map((channel) => (
                  <tr>
                    <th scope="row">{channel === "email" ? "Email" : "SMS"}</th>
                    <td>{backlog[channel].due}</td>
                    <td>
                      {backlog[channel].due > 0 ? formatDuration(backlog[channel].oldestDueAgeMs) : "—"}
                    </td>
                    <td>{backlog[channel].leased}</td>
                    <td>{backlog[channel].unknown}</td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          </section>
        </div>

        <section aria-labelledby="ready-h">
          <h2 id="ready-h">
            Components: <span class={`health-${healthClass[ready.status]}`}>{ready.status}</span>
          </h2>
          <ScrollTable caption="As GET /health/ready reports them">
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
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
