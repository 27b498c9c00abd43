/**
 * `GET /admin/alerts`: every alert rule with its state, as `GET /v1/alerts` and `herald alerts` list them, and the
 * history of state changes (alert-history.ts), newest first, filtered by rule, a page at a time.
 */
import { Hono } from "hono";
import { ALERT_RULES } from "../../alerts/alert-definitions.rules.ts";
import { alertList } from "../../alerts/alert-evaluator.ts";
import { alertHistory } from "../../alerts/alert-history.ts";
import type { Deps } from "../../deps.ts";
import type { AdminEnv } from "../admin-env.ts";
import { Issues, NextPage, QueryForm, ScrollTable } from "../components.tsx";
import { SelectField } from "../fields.tsx";
import { formatDuration, formatTime } from "../layout.tsx";
import { renderPage } from "../render.tsx";

/** How each alert state reads (the same classes as the readiness table). */
const stateClass = { ok: "health-healthy", pending: "health-degraded", firing: "health-failing" } as const;

/** Changes per history page. */
const HISTORY_PAGE = 50;
const ruleNames = ALERT_RULES.map((rule) => rule.name);

/** The alerts page. */
export function alertsPage(deps: Deps) {
  const app = new Hono<AdminEnv>();
  app.get("/admin/alerts", async (c) => {
    const rule = c.req.query("rule") ?? "";
    const issues = rule !== "" && !ruleNames.includes(rule) ? [`Rule must be one of the listed rules`] : [];
    const [{ alerts, firing }, history] = await Promise.all([
      alertList(deps),
      issues.length > 0
        ? { items: [], nextCursor: null }
        : alertHistory(deps, { name: rule || undefined, cursor: c.req.query("cursor"), limit: HISTORY_PAGE }),
    ]);
    const query = new URLSearchParams(rule ? { rule } : {});
    // Firing first, then pending, then the rest, each in rule order.
    const order = { firing: 0, pending: 1, ok: 2 } as const;
    const sorted = alerts
      .map((a, i) => ({ a, i }))
      .sort((x, y) => order[x.a.state] - order[y.a.state] || x.i - y.i);
    return renderPage(
      c,
      deps,
      { title: "Alerts", section: "/admin/alerts", status: issues.length > 0 ? 400 : 200 },
      <>
        <p>
          {firing.length === 0 ? "No alert is firing." : `${firing.length} firing: ${firing.join(", ")}.`}
        </p>
        <ScrollTable
          caption="Every alert rule, firing first"
          columns={["Rule", "Severity", "State", "Since", "For", "Summary"]}
        >
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

        <h2 id="history">History</h2>
        <QueryForm
          action="/admin/alerts#history"
          label="Filter the history"
          reset={{ href: "/admin/alerts#history", label: "Clear" }}
        >
          <SelectField name="rule" label="Rule" value={rule} options={ruleNames} />
        </QueryForm>
        <Issues issues={issues} />
        {history.items.length === 0 ? (
          <p class="muted">No state change recorded{rule ? ` for ${rule}` : ""} (kept 90 days).</p>
        ) : (
          <ScrollTable
            caption="State changes, newest first"
            columns={["When", "Rule", "Change", "Value", "Summary"]}
          >
            <tbody>
              {history.items.map((e) => (
                <tr>
                  <td>{formatTime(e.at)}</td>
                  <th scope="row">{e.name}</th>
                  <td>
                    {e.from} → <span class={stateClass[e.to]}>{e.to}</span>
                  </td>
                  <td>{e.value ?? "—"}</td>
                  <td>{e.summary}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
        <NextPage path="/admin/alerts" query={query} nextCursor={history.nextCursor} />
      </>,
    );
  });
  return app;
}
