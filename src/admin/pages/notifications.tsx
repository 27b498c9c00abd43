/**
 * `/admin/notifications`: the notification list with filters and cursor pagination (`listNotifications`, as
 * `GET /v1/notifications`), and one notification as it was rendered and sent: its context, each channel's
 * decision at creation and state now, the email (in a sandboxed frame) and SMS each delivery carries, and each
 * delivery's attempt log.
 */
import { Hono } from "hono";
import type { DeliveryPayload } from "../../../db/schema.ts";
import { type DeliveryView, getDelivery, listDeliveries } from "../../delivery/deliveries.service.ts";
import type { Deps } from "../../deps.ts";
import {
  getNotification,
  getNotificationContext,
  listNotifications,
  type NotificationFilter,
} from "../../domain/notifications/notifications.queries.ts";
import {
  type DecisionView,
  notificationDecisions,
} from "../../domain/notifications/notifications.service.ts";
import type { AdminEnv } from "../admin-env.ts";
import { Issues, NextPage, PriorityBadge, QueryForm, ScrollTable, StatusBadge } from "../components.tsx";
import { InputField, SelectField } from "../fields.tsx";
import { formatTime } from "../layout.tsx";
import { echoQuery, notificationFilter, priorities, readStates } from "../list-filters.rules.ts";
import { renderPage } from "../render.tsx";
import { AttemptTable, emailStyles, PayloadView } from "./deliveries.tsx";

const filterNames = ["priority", "category", "read", "from", "to", "recipient", "q"] as const;

/** A delivery row's state as "email: sent" with a badge. */
function ChannelStates(props: { deliveries: DeliveryView[] }) {
  if (props.deliveries.length === 0) return <span class="muted">in-app only</span>;
  return (
    <>
      {props.deliveries.map((d) => (
        <div>
          {d.channel}: <StatusBadge status={d.status} />
          {d.reason ? <span class="muted"> {d.reason}</span> : null}
        </div>
      ))}
    </>
  );
}

/** A channel's decision at creation: `deferred (quiet-hours) until …`, `skipped (preference)`, `queued`. */
function DecisionText(props: { decision: DecisionView | undefined }) {
  const d = props.decision;
  if (!d) return <>—</>;
  return (
    <>
      {d.status}
      {d.reason && d.reason !== d.status ? ` (${d.reason})` : ""}
      {d.status === "deferred" && d.runAt !== null ? ` until ${formatTime(d.runAt)}` : ""}
    </>
  );
}

/** States in which a delivery makes no send of its own, so its empty attempt log says nothing. */
const withoutOwnSend = new Set(["skipped", "digest", "digested"]);

/** What one channel's delivery carries, or why it carries nothing of its own. */
function DeliveryContent(props: { delivery: DeliveryView & { payload: DeliveryPayload | null } }) {
  const d = props.delivery;
  switch (d.status) {
    case "skipped":
      return (
        <p class="muted">
          Skipped when the notification was created{d.reason ? ` (${d.reason})` : ""}: nothing was rendered or
          sent on this channel.
        </p>
      );
    case "digest":
      return (
        <p class="muted">
          Held for the recipient's daily digest: it goes out inside the digest email, not alone.
        </p>
      );
    case "digested":
      return <p class="muted">Sent inside the recipient's daily digest email, not on its own.</p>;
    default:
      return <PayloadView payload={d.payload} />;
  }
}

/** The notification pages. */
export function notificationPages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  app.get("/admin/notifications", async (c) => {
    const query = c.req.query();
    const { filter, issues } = notificationFilter(query);
    const { items, nextCursor } =
      issues.length === 0 ? await listNotificationsPage(deps, filter) : { items: [], nextCursor: null };
    return renderPage(
      c,
      deps,
      { title: "Notifications", section: "/admin/notifications", status: issues.length > 0 ? 400 : 200 },
      <>
        <QueryForm
          action="/admin/notifications"
          label="Filter notifications"
          reset={{ href: "/admin/notifications", label: "Clear" }}
        >
          <SelectField name="priority" label="Priority" value={query.priority ?? ""} options={priorities} />
          <InputField name="category" label="Category" value={query.category ?? ""} />
          <SelectField name="read" label="Read" value={query.read ?? ""} options={readStates} />
          <InputField name="from" label="Created from (UTC)" type="date" value={query.from ?? ""} />
          <InputField name="to" label="Created to (UTC)" type="date" value={query.to ?? ""} />
          <InputField name="recipient" label="Recipient id" value={query.recipient ?? ""} />
          <InputField
            name="q"
            label="Text"
            type="search"
            value={query.q ?? ""}
            placeholder="title or message"
          />
        </QueryForm>
        <Issues issues={issues} />
        <ScrollTable
          caption={`Notifications, newest first (${items.length} on this page)`}
          columns={["Created", "Priority", "Title", "Recipient", "Category", "Read", "Channels"]}
        >
          <tbody>
            {items.map(({ notification: n, deliveries }) => (
              <tr>
                <td>{formatTime(n.createdAt)}</td>
                <td>
                  <PriorityBadge priority={n.priority} />
                </td>
                <td>
                  <a href={`/admin/notifications/${encodeURIComponent(n.id)}`}>{n.title}</a>
                </td>
                <td>
                  <a href={`/admin/recipients?id=${encodeURIComponent(n.recipientId)}`}>{n.recipientId}</a>
                </td>
                <td>{n.category}</td>
                <td>{n.read ? "read" : "unread"}</td>
                <td>
                  <ChannelStates deliveries={deliveries} />
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <NextPage path="/admin/notifications" query={echoQuery(query, filterNames)} nextCursor={nextCursor} />
      </>,
    );
  });

  app.get("/admin/notifications/:id", async (c) => {
    const id = c.req.param("id");
    const n = await getNotification(deps, id);
    const [context, decisions, deliveries] = await Promise.all([
      getNotificationContext(deps, id),
      notificationDecisions(deps, id),
      Promise.all(n.deliveries.map((d) => getDelivery(deps, d.id))),
    ]);
    const decisionOf = (deliveryId: string) => decisions.find((d) => d.deliveryId === deliveryId);
    c.set("inlineStyles", emailStyles(deliveries.map((d) => d.payload)));
    return renderPage(
      c,
      deps,
      { title: n.title, section: "/admin/notifications" },
      <>
        <dl class="facts">
          <dt>Id</dt>
          <dd>{n.id}</dd>
          <dt>Priority</dt>
          <dd>
            <PriorityBadge priority={n.priority} />
          </dd>
          <dt>Recipient</dt>
          <dd>
            <a href={`/admin/recipients?id=${encodeURIComponent(n.recipientId)}`}>{n.recipientId}</a> (
            <a href={`/admin/notifications?recipient=${encodeURIComponent(n.recipientId)}`}>
              their notifications
            </a>
            )
          </dd>
          <dt>Template</dt>
          <dd>{n.template}</dd>
          <dt>Category</dt>
          <dd>{n.category}</dd>
          <dt>Created</dt>
          <dd>{formatTime(n.createdAt)}</dd>
          {n.sendAt !== null ? (
            <>
              <dt>Send at</dt>
              <dd>{formatTime(n.sendAt)}</dd>
            </>
          ) : null}
          <dt>Read</dt>
          <dd>{n.read ? formatTime(n.readAt) : "unread"}</dd>
          {n.subject ? (
            <>
              <dt>Subject</dt>
              <dd>
                {n.subject.type} {n.subject.id}
              </dd>
            </>
          ) : null}
          {n.actionUrl ? (
            <>
              <dt>Action URL</dt>
              <dd>{n.actionUrl}</dd>
            </>
          ) : null}
        </dl>
        <h2>In-app message</h2>
        <pre>{n.message}</pre>

        <h2>Context</h2>
        <pre>{JSON.stringify(context, null, 2)}</pre>

        <h2>Channels</h2>
        <ScrollTable
          caption="Each channel's decision at creation, and its delivery now"
          columns={["Channel", "Decided", "Now", "Reason or last error", "Attempts", "Delivery"]}
        >
          <tbody>
            <tr>
              <th scope="row">in-app</th>
              <td>stored</td>
              <td>
                <StatusBadge status="delivered" />
              </td>
              <td>in the inbox{n.read ? ", read" : ""}</td>
              <td>—</td>
              <td>—</td>
            </tr>
            {deliveries.map((d) => (
              <tr>
                <th scope="row">{d.channel}</th>
                <td>
                  <DecisionText decision={decisionOf(d.id)} />
                </td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>{d.reason ?? d.lastError ?? ""}</td>
                <td>{d.attempts}</td>
                <td>
                  <a href={`/admin/deliveries/${encodeURIComponent(d.id)}`}>{d.id}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>

        {deliveries.map((d) => (
          <section aria-labelledby={`delivery-${d.id}`}>
            <h2 id={`delivery-${d.id}`}>{d.channel === "email" ? "Email" : "SMS"}</h2>
            <DeliveryContent delivery={d} />
            {d.attemptLog.length > 0 || !withoutOwnSend.has(d.status) ? (
              <AttemptTable attempts={d.attemptLog} />
            ) : null}
          </section>
        ))}
      </>,
    );
  });

  return app;
}

/** One page of notifications, each with its deliveries (a notification has at most one per channel). */
async function listNotificationsPage(deps: Deps, filter: NotificationFilter) {
  const page = await listNotifications(deps, filter);
  const items = await Promise.all(
    page.items.map(async (notification) => ({
      notification,
      deliveries: (await listDeliveries(deps, { notificationId: notification.id, limit: 10 })).items,
    })),
  );
  return { items, nextCursor: page.nextCursor };
}
