/** `GET /admin/alerts`: every alert rule with its state, as `GET /v1/alerts` and `herald alerts` list them. */
import { Hono } from "hono";
import { alertList } from "../../alerts/alert-evaluator.ts";
import type { Deps } from "../../deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import { ScrollTable } from "../components.tsx";
import { formatDuration, formatTime } from "../layout.tsx";
import { renderPage } from "../render.tsx";

/** How each alert state reads (the same classes as the readiness table). */
const stateClass = { ok: "health-healthy", pending: "health-degraded", firing: "health-failing" } as const;

/** The alerts page. */
export function alertsPage(deps: Deps) {
  const app = new Hono<AdminEnv>();
  app.get("/admin/alerts", async (c) => {
    const { alerts, firing } = await alertList(deps);
    // Firing first, then pending, then the rest, each in rule order.
    const order = { firing: 0, pending: 1, ok: 2 } as const;
    const sorted = alerts
      .map((a, i) => ({ a, i }))
      .sort((x, y) => order[x.a.state] - order[y.a.state] || x.i - y.i);
    return renderPage(
      c,
      deps,
      { title: "Alerts", section: "/admin/alerts" },
      <>
        <p>
          {firing.length === 0 ? "No alert is firing." : `${firing.length} firing: ${firing.join(", ")}.`}
        </p>
        <ScrollTable caption="Every alert rule, firing first">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col">For</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map(({ a }) => (
              <tr>
                <th scope="row">{a.name}</th>
                <td>{a.severity}</td>
                <td class={stateClass[a.state]}>{a.state}</td>
                <td>{formatTime(a.since)}</td>
                <td>{formatDuration(a.forMs)}</td>
                <td>{a.summary}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </>,
    );
  });
  return app;
}
