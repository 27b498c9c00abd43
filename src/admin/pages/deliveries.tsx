/**
 * `/admin/deliveries`: the job table as `GET /v1/deliveries` lists it (filters, cursor pagination), one delivery
 * with its attempt log, and the operator's two verbs on it: retry (`retryDelivery`, as
 * `POST /v1/deliveries/{id}/retry`) and cancel (`cancelDeliveries`, as `POST /v1/deliveries/cancel`, for this one).
 * The same two verbs apply to the whole filtered set (`retryDeliveries` and `cancelDeliveries`, as
 * `POST /v1/deliveries/retry` and `/cancel`), after a confirmation page that states how many rows they touch.
 */
import { Hono } from "hono";
import type { DeliveryPayload } from "../../../db/schema.ts";
import { deliveryStatuses } from "../../../db/schema.ts";
import {
  type AttemptView,
  BulkSetChangedError,
  cancelDeliveries,
  countCancellable,
  countRetryable,
  getDelivery,
  listDeliveries,
  retryableStatuses,
  retryDeliveries,
  retryDelivery,
} from "../../delivery/deliveries.service.ts";
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import type { AdminEnv } from "../admin-env.ts";
import { type BulkRequest, bulkRequest, confirmedCount } from "../bulk-deliveries.rules.ts";
import { CsrfField, Issues, NextPage, QueryForm, ScrollTable, StatusBadge } from "../components.tsx";
import { InputField, SelectField } from "../fields.tsx";
import { inlineStyleSources } from "../inline-styles.rules.ts";
import { formatTime } from "../layout.tsx";
import {
  channels,
  deliveryFilter,
  deliveryFilterNames,
  echoQuery,
  providerNames,
} from "../list-filters.rules.ts";
import { renderPage } from "../render.tsx";

/**
 * What a delivery sends (null once its recipient was erased): an SMS's text with its encoding and segments, or an
 * email's subject, its HTML in a sandboxed frame and its text version. A page showing an email sets
 * {@link emailStyles} so the frame keeps the email's own inline styles under the console's CSP.
 */
export function PayloadView(props: { payload: DeliveryPayload | null }) {
  const p = props.payload;
  if (!p) return <p class="muted">Nothing to send (the recipient was erased).</p>;
  if (p.kind === "sms")
    return (
      <>
        <p class="muted">
          SMS, {p.encoding}, {p.segments} segment{p.segments === 1 ? "" : "s"}
        </p>
        <pre>{p.text}</pre>
      </>
    );
  return (
    <>
      <p>
        <strong>Subject:</strong> {p.subject}
      </p>
      {/* No sandbox permission at all: no script, no form, no navigation of this page, an opaque origin. */}
      <iframe class="email-preview" sandbox="" srcdoc={p.html} title={`Email as sent: ${p.subject}`} />
      <details>
        <summary>Text version</summary>
        <pre>{p.text}</pre>
      </details>
    </>
  );
}

/** The CSP hash sources of the inline styles of the emails among `payloads`, for the page's `inlineStyles`. */
export function emailStyles(payloads: (DeliveryPayload | null)[]): string[] {
  return [...new Set(payloads.flatMap((p) => (p?.kind === "email" ? inlineStyleSources(p.html) : [])))];
}

/** A delivery's attempt log, oldest first. */
export function AttemptTable(props: { attempts: AttemptView[] }) {
  if (props.attempts.length === 0) return <p class="muted">No provider attempt yet.</p>;
  return (
    <ScrollTable
      caption="Attempts, oldest first"
      columns={["#", "When", "Provider", "Result", "Error", "Provider message id", "Duration", "Cost"]}
    >
      <tbody>
        {props.attempts.map((a) => (
          <tr>
            <td>{a.attempt}</td>
            <td>{formatTime(a.createdAt)}</td>
            <td>{a.provider}</td>
            <td>{a.status}</td>
            <td>{a.errorCode ? `${a.errorCode}: ${a.errorMessage ?? ""}` : (a.errorMessage ?? "")}</td>
            <td>{a.providerMessageId ?? "—"}</td>
            <td>{a.durationMs} ms</td>
            <td>{a.costUsd > 0 ? `$${a.costUsd.toFixed(4)}` : "—"}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** What an action left behind, shown once after its redirect. */
const notices: Record<string, string> = {
  retried: "The delivery is back in the queue, due now.",
  cancelled: "The delivery was cancelled.",
};

const deliveriesText = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;

/** What a bulk action changed, shown on the list after its redirect (`done` and `changed` in the query). */
function bulkNotice(query: Record<string, string | undefined>): string | null {
  const changed = query.changed ?? "";
  if (!/^\d{1,9}$/.test(changed)) return null;
  const n = Number(changed);
  if (query.done === "retried") return `Retried ${deliveriesText(n)}: back in the queue, due now.`;
  if (query.done === "cancelled") return `Cancelled ${deliveriesText(n)}.`;
  return null;
}

/** The filter fields a form carries along as hidden inputs, so the next step reads the same set. */
function FilterFields(props: { filters: URLSearchParams }) {
  return (
    <>
      {[...props.filters].map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/** The list's filter fields as the confirmation page names them. */
const filterLabels: Record<(typeof deliveryFilterNames)[number], string> = {
  channel: "Channel",
  status: "Status",
  provider: "Provider",
  from: "Created from (UTC)",
  to: "Created to (UTC)",
  recipient: "Recipient id",
  contact: "Email or phone",
};

/** The confirmation step of a bulk action: exactly how many rows it will touch, and the button that does it. */
function BulkConfirmation(props: {
  request: BulkRequest;
  count: number;
  filters: URLSearchParams;
  csrf: string;
  /** Set when the confirmed count no longer held: what the operator confirmed. */
  changedFrom?: number;
}) {
  const { request, count, filters } = props;
  const retry = request.action === "retry";
  return (
    <>
      {props.changedFrom !== undefined ? (
        <p class="error" role="alert">
          Nothing was changed: {deliveriesText(props.changedFrom)} matched when you were asked, {count} match
          now. Confirm again to act on the current set.
        </p>
      ) : null}
      <p>
        {retry ? "Retry" : "Cancel"} will change exactly <strong>{deliveriesText(count)}</strong>
        {retry
          ? ` (${request.filter.status.join(", ")}): each goes back to the queue, due now, with a fresh attempt budget.`
          : " (queued now): each is cancelled and never sent; deliveries being sent at this moment are left alone."}
      </p>
      <dl class="facts">
        {[...filters].map(([name, value]) => (
          <>
            <dt>{filterLabels[name as keyof typeof filterLabels] ?? name}</dt>
            <dd>{value}</dd>
          </>
        ))}
        {filters.size === 0 ? (
          <>
            <dt>Filter</dt>
            <dd>none</dd>
          </>
        ) : null}
      </dl>
      {count === 0 ? (
        <p class="notice" role="status">
          No delivery matches: there is nothing to {request.action}.
        </p>
      ) : (
        <form method="post" action="/admin/deliveries/bulk" class="actions">
          <CsrfField token={props.csrf} />
          <FilterFields filters={filters} />
          <input type="hidden" name="action" value={request.action} />
          <input type="hidden" name="confirm" value="1" />
          <input type="hidden" name="expected" value={String(count)} />
          <button type="submit">
            {retry ? "Retry" : "Cancel"} {deliveriesText(count)}
          </button>
        </form>
      )}
      <p>
        <a href={`/admin/deliveries?${filters}`}>Back to the list</a> (nothing changes).
      </p>
    </>
  );
}

/** The delivery pages and actions. */
export function deliveryPages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  app.get("/admin/deliveries", async (c) => {
    const query = c.req.query();
    const { filter, issues } = deliveryFilter(query);
    const { items, nextCursor } =
      issues.length === 0 ? await listDeliveries(deps, filter) : { items: [], nextCursor: null };
    const filters = echoQuery(query, deliveryFilterNames);
    const notice = bulkNotice(query);
    return renderPage(
      c,
      deps,
      { title: "Deliveries", section: "/admin/deliveries", status: issues.length > 0 ? 400 : 200 },
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <QueryForm
          action="/admin/deliveries"
          label="Filter deliveries"
          reset={{ href: "/admin/deliveries", label: "Clear" }}
        >
          <SelectField name="channel" label="Channel" value={query.channel ?? ""} options={channels} />
          <SelectField name="status" label="Status" value={query.status ?? ""} options={deliveryStatuses} />
          <SelectField
            name="provider"
            label="Provider"
            value={query.provider ?? ""}
            options={providerNames}
          />
          <InputField name="from" label="Created from (UTC)" type="date" value={query.from ?? ""} />
          <InputField name="to" label="Created to (UTC)" type="date" value={query.to ?? ""} />
          <InputField name="recipient" label="Recipient id" value={query.recipient ?? ""} />
          <InputField
            name="contact"
            label="Email or phone"
            value={query.contact ?? ""}
            placeholder="pat@example.com or +1555…"
          />
        </QueryForm>
        {issues.length > 0 ? (
          <Issues issues={issues} />
        ) : (
          <form method="post" action="/admin/deliveries/bulk" class="actions" aria-label="Act on every match">
            <CsrfField token={c.get("csrf")} />
            <FilterFields filters={filters} />
            <button type="submit" name="action" value="retry">
              Retry all matching…
            </button>
            <button type="submit" name="action" value="cancel" class="secondary">
              Cancel all matching…
            </button>
            <span class="muted">
              Every delivery the filters match, not only this page; you confirm the count next.
            </span>
          </form>
        )}
        <ScrollTable
          caption={`Deliveries, newest first (${items.length} on this page)`}
          columns={["Created", "Channel", "Status", "To", "Attempts", "Last error", "Delivery"]}
        >
          <tbody>
            {items.map((d) => (
              <tr>
                <td>{formatTime(d.createdAt)}</td>
                <td>{d.channel}</td>
                <td>
                  <StatusBadge status={d.status} />
                  {d.reason ? <span class="muted"> {d.reason}</span> : null}
                </td>
                <td>{d.destination ?? "—"}</td>
                <td>
                  {d.attempts} / {d.maxAttempts}
                </td>
                <td>{d.lastError ?? ""}</td>
                <td>
                  <a href={`/admin/deliveries/${encodeURIComponent(d.id)}`}>{d.id}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <NextPage
          path="/admin/deliveries"
          query={echoQuery(query, deliveryFilterNames)}
          nextCursor={nextCursor}
        />
      </>,
    );
  });

  app.get("/admin/deliveries/:id", async (c) => {
    const d = await getDelivery(deps, c.req.param("id"));
    const notice = notices[c.req.query("done") ?? ""];
    const canRetry = (retryableStatuses as readonly string[]).includes(d.status) && d.payload !== null;
    const canCancel = d.status === "queued";
    const action = `/admin/deliveries/${encodeURIComponent(d.id)}`;
    c.set("inlineStyles", emailStyles([d.payload]));
    return renderPage(
      c,
      deps,
      { title: `${d.channel === "email" ? "Email" : "SMS"} delivery ${d.id}`, section: "/admin/deliveries" },
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={d.status} />
            {d.reason ? ` ${d.reason}` : ""}
          </dd>
          <dt>Notification</dt>
          <dd>
            <a href={`/admin/notifications/${encodeURIComponent(d.notificationId)}`}>{d.notificationId}</a>
          </dd>
          <dt>Recipient</dt>
          <dd>{d.recipientId}</dd>
          <dt>To</dt>
          <dd>{d.destination ?? "—"}</dd>
          <dt>Attempts</dt>
          <dd>
            {d.attempts} of {d.maxAttempts}
          </dd>
          <dt>Due</dt>
          <dd>{formatTime(d.runAt)}</dd>
          <dt>Sent</dt>
          <dd>{formatTime(d.sentAt)}</dd>
          <dt>Provider id</dt>
          <dd>{d.providerMessageId ?? "—"}</dd>
          <dt>Last error</dt>
          <dd>{d.lastError ?? "—"}</dd>
          <dt>Created</dt>
          <dd>{formatTime(d.createdAt)}</dd>
          <dt>Updated</dt>
          <dd>{formatTime(d.updatedAt)}</dd>
        </dl>
        {canRetry || canCancel ? (
          <div class="actions">
            {canRetry ? (
              <form method="post" action={`${action}/retry`}>
                <CsrfField token={c.get("csrf")} />
                <button type="submit">Retry now</button>
              </form>
            ) : null}
            {canCancel ? (
              <form method="post" action={`${action}/cancel`}>
                <CsrfField token={c.get("csrf")} />
                <button type="submit" class="secondary">
                  Cancel delivery
                </button>
              </form>
            ) : null}
          </div>
        ) : null}
        <h2>Message</h2>
        <PayloadView payload={d.payload} />
        <h2>Attempt log</h2>
        <AttemptTable attempts={d.attemptLog} />
      </>,
    );
  });

  // First post: the confirmation with the count. Second post (confirm=1): the verb, then back to the list.
  app.post("/admin/deliveries/bulk", async (c) => {
    const body = await c.req.parseBody();
    const form = Object.fromEntries(
      Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    const filters = echoQuery(form, deliveryFilterNames);
    const { request, issues } = bulkRequest(form);
    const expected = confirmedCount(form, issues);
    if (!request || issues.length > 0) {
      return renderPage(
        c,
        deps,
        { title: "Bulk action refused", section: "/admin/deliveries", status: 400 },
        <>
          <Issues issues={issues} />
          <p>
            Nothing was changed. <a href={`/admin/deliveries?${filters}`}>Back to the list</a>
          </p>
        </>,
      );
    }
    if (expected === null) {
      const count =
        request.action === "retry"
          ? await countRetryable(deps, request.filter)
          : await countCancellable(deps, request.filter);
      return renderPage(
        c,
        deps,
        {
          title: request.action === "retry" ? "Retry matching deliveries?" : "Cancel matching deliveries?",
          section: "/admin/deliveries",
        },
        <BulkConfirmation request={request} count={count} filters={filters} csrf={c.get("csrf")} />,
      );
    }
    // The verb checks the confirmed count in its own transaction and changes nothing if the set moved since
    // (deliveries failed or were sent meanwhile), so "exactly N" stays true.
    let changed: number;
    try {
      changed =
        request.action === "retry"
          ? await retryDeliveries(deps, request.filter, expected)
          : await cancelDeliveries(deps, request.filter, expected);
    } catch (error) {
      if (!(error instanceof BulkSetChangedError)) throw error;
      return renderPage(
        c,
        deps,
        {
          title: request.action === "retry" ? "Retry matching deliveries?" : "Cancel matching deliveries?",
          section: "/admin/deliveries",
          status: 409,
        },
        <BulkConfirmation
          request={request}
          count={error.count}
          filters={filters}
          csrf={c.get("csrf")}
          changedFrom={expected}
        />,
      );
    }
    // The filter can hold a contact (personal data): the log gets the action, the count and who, not the filter.
    deps.logger.info(
      `admin console: deliveries ${request.action === "retry" ? "retried" : "cancelled"} in bulk`,
      {
        changed,
        keyId: c.get("session").keyId,
      },
    );
    filters.set("done", request.action === "retry" ? "retried" : "cancelled");
    filters.set("changed", String(changed));
    return c.redirect(`/admin/deliveries?${filters}`, 303);
  });

  app.post("/admin/deliveries/:id/retry", async (c) => {
    const id = c.req.param("id");
    await retryDelivery(deps, id);
    deps.logger.info("admin console: delivery retried", { deliveryId: id, keyId: c.get("session").keyId });
    return c.redirect(`/admin/deliveries/${encodeURIComponent(id)}?done=retried`, 303);
  });

  app.post("/admin/deliveries/:id/cancel", async (c) => {
    const id = c.req.param("id");
    const current = await getDelivery(deps, id);
    const cancelled = await cancelDeliveries(deps, { id });
    if (cancelled === 0) {
      throw new AppError(
        "conflict",
        `A delivery that is '${current.status}' cannot be cancelled; only a queued one can`,
      );
    }
    deps.logger.info("admin console: delivery cancelled", { deliveryId: id, keyId: c.get("session").keyId });
    return c.redirect(`/admin/deliveries/${encodeURIComponent(id)}?done=cancelled`, 303);
  });

  return app;
}
