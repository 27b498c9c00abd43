/**
 * `/admin/recipients`: look a recipient up by id or by contact and see what decides their deliveries: contact
 * data, preferences (as `GET /v1/recipients/{id}/preferences` reads them), quiet hours, the suppressions of their
 * contacts (`listSuppressions`, with the remove button of the suppressions page) and their latest notifications
 * (`listNotifications`, as `GET /v1/notifications?recipientId=…`).
 */
import { Hono } from "hono";
import type { Deps } from "../../deps.ts";
import { listNotifications } from "../../domain/notifications/notifications.queries.ts";
import { getRecipientWithPreferences } from "../../domain/preferences/preferences.service.ts";
import type { Preferences } from "../../domain/preferences/preferences.types.ts";
import { findRecipientsByContact, type Recipient } from "../../domain/recipients/recipients.service.ts";
import { listSuppressions, type SuppressionView } from "../../domain/suppressions/suppressions.service.ts";
import type { AdminEnv } from "../admin-env.ts";
import { Issues, PriorityBadge, QueryForm, ScrollTable } from "../components.tsx";
import { InputField } from "../fields.tsx";
import { formatTime } from "../layout.tsx";
import { PAGE_SIZE } from "../list-filters.rules.ts";
import { recipientLookup } from "../recipient-lookup.rules.ts";
import { renderPage } from "../render.tsx";
import { RemoveSuppressionForm } from "./suppressions.tsx";

/** How many of a recipient's notifications the page shows; the notification list has the rest. */
const RECENT_NOTIFICATIONS = 10;

/** What an action left behind, shown once after its redirect. */
const notices: Record<string, string> = {
  removed: "The suppression was removed: new notifications reach that contact again.",
};

const listed = (items: string[]) => (items.length > 0 ? items.join(", ") : "none");
const recipientHref = (id: string) => `/admin/recipients?id=${encodeURIComponent(id)}`;

/** A contact with its verified flag, or a dash when the recipient has none. */
function Contact(props: { value: string | null; verified: boolean }) {
  if (!props.value) return <>—</>;
  return (
    <>
      {props.value} <span class="muted">({props.verified ? "verified" : "not verified"})</span>
    </>
  );
}

/** The recipient's stored contact data. */
function RecipientFacts(props: { recipient: Recipient }) {
  const r = props.recipient;
  return (
    <dl class="facts">
      <dt>Id</dt>
      <dd>{r.id}</dd>
      <dt>Kind</dt>
      <dd>{r.kind}</dd>
      <dt>Name</dt>
      <dd>{r.name ?? "—"}</dd>
      <dt>Email</dt>
      <dd>
        <Contact value={r.email} verified={r.emailVerified} />
      </dd>
      <dt>Phone</dt>
      <dd>
        <Contact value={r.phone} verified={r.phoneVerified} />
      </dd>
      <dt>Time zone</dt>
      <dd>{r.timezone}</dd>
      <dt>Locale</dt>
      <dd>{r.locale}</dd>
      <dt>Created</dt>
      <dd>{formatTime(r.createdAt)}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(r.updatedAt)}</dd>
    </dl>
  );
}

/** The preference document: channels, topics opted out of, digest, quiet hours. */
function PreferenceFacts(props: { preferences: Preferences; timezone: string }) {
  const p = props.preferences;
  return (
    <>
      <h2>Preferences</h2>
      <dl class="facts">
        <dt>Email</dt>
        <dd>{p.emailEnabled ? "on" : "off"}</dd>
        <dt>SMS</dt>
        <dd>{p.smsEnabled ? "on" : "off"}</dd>
        <dt>Topics off by email</dt>
        <dd>{listed(p.categoryOptOuts.email)}</dd>
        <dt>Topics off by SMS</dt>
        <dd>{listed(p.categoryOptOuts.sms)}</dd>
        <dt>Daily digest</dt>
        <dd>
          {p.digestCategories.length > 0
            ? `${listed(p.digestCategories)} at ${String(p.digestHour).padStart(2, "0")}:00 local time`
            : `nothing (would go at ${String(p.digestHour).padStart(2, "0")}:00 local time)`}
        </dd>
      </dl>
      <h2>Quiet hours</h2>
      <p>
        {p.quietHours.enabled
          ? `On: ${p.quietHours.start} to ${p.quietHours.end} in ${props.timezone}. Everything but URGENT waits until they end.`
          : `Off (would be ${p.quietHours.start} to ${p.quietHours.end} in ${props.timezone}).`}
      </p>
    </>
  );
}

/** The suppressions on the recipient's contacts, each with its remove button. */
function ContactSuppressions(props: { recipientId: string; suppressions: SuppressionView[]; csrf: string }) {
  if (props.suppressions.length === 0)
    return <p class="muted">None: Herald may send to every contact of this recipient.</p>;
  return (
    <ScrollTable
      caption="Suppressed contacts"
      columns={["Channel", "Contact", "Reason", "Since", "Detail", "Action"]}
    >
      <tbody>
        {props.suppressions.map((s) => (
          <tr>
            <td>{s.channel}</td>
            <td>{s.contact}</td>
            <td>
              {s.reason} <span class="muted">({s.source})</span>
            </td>
            <td>{formatTime(s.createdAt)}</td>
            <td>{s.detail ?? ""}</td>
            <td>
              <RemoveSuppressionForm suppression={s} csrf={props.csrf} recipientId={props.recipientId} />
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** The recipient lookup page. */
export function recipientPages(deps: Deps) {
  const app = new Hono<AdminEnv>();

  /** Everything the page shows about one recipient, or null when the id names no live recipient. */
  async function profile(id: string) {
    const found = await getRecipientWithPreferences(deps.db.read, id);
    if (!found) return null;
    const { recipient } = found;
    const contacts = [
      { channel: "email" as const, contact: recipient.email },
      { channel: "sms" as const, contact: recipient.phone },
    ].filter((c): c is { channel: "email" | "sms"; contact: string } => c.contact !== null);
    const suppressions = (
      await Promise.all(contacts.map((c) => listSuppressions(deps, { ...c, limit: 1 })))
    ).flatMap((page) => page.items);
    const notifications = await listNotifications(deps, { recipientId: id, limit: RECENT_NOTIFICATIONS });
    return { ...found, suppressions, notifications: notifications.items };
  }

  app.get("/admin/recipients", async (c) => {
    const query = c.req.query();
    const { lookup, issues } = recipientLookup(query);
    const csrf = c.get("csrf");
    let status: 200 | 400 | 404 = issues.length > 0 ? 400 : 200;
    let result = null;
    if (lookup.by === "id") {
      const shown = await profile(lookup.id);
      if (shown) result = { kind: "one" as const, shown };
      else {
        status = 404;
        result = {
          kind: "none" as const,
          message: `No recipient has the id '${lookup.id}' (or it was erased).`,
        };
      }
    } else if (lookup.by === "contact") {
      const matches = await findRecipientsByContact(deps, lookup.channel, lookup.contact, PAGE_SIZE + 1);
      const only = matches.length === 1 && matches[0] ? await profile(matches[0].id) : null;
      if (only) result = { kind: "one" as const, shown: only };
      else if (matches.length > 1)
        result = {
          kind: "many" as const,
          matches: matches.slice(0, PAGE_SIZE),
          more: matches.length > PAGE_SIZE,
        };
      else {
        status = 404;
        result = {
          kind: "none" as const,
          message: `No recipient has the ${lookup.channel === "email" ? "email address" : "phone number"} ${lookup.contact}.`,
        };
      }
    }
    const notice = notices[query.done ?? ""];
    const shown = result?.kind === "one" ? result.shown : null;

    return renderPage(
      c,
      deps,
      {
        title: shown ? `Recipient ${shown.recipient.id}` : "Recipients",
        section: "/admin/recipients",
        status,
      },
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <QueryForm action="/admin/recipients" label="Look up a recipient" submit="Look up">
          <InputField name="id" label="Recipient id" value={query.id ?? ""} />
          <InputField
            name="contact"
            label="or email or phone"
            value={query.contact ?? ""}
            placeholder="pat@example.com or +1555…"
          />
        </QueryForm>
        <Issues issues={issues} />
        {result?.kind === "none" ? (
          <p class="error" role="alert">
            {result.message}
          </p>
        ) : null}
        {result?.kind === "many" ? (
          <ScrollTable
            caption={
              result.more
                ? `Recipients with this contact (the first ${PAGE_SIZE} by id)`
                : `Recipients with this contact (${result.matches.length})`
            }
            columns={["Recipient", "Kind", "Name", "Email", "Phone"]}
          >
            <tbody>
              {result.matches.map((r) => (
                <tr>
                  <td>
                    <a href={recipientHref(r.id)}>{r.id}</a>
                  </td>
                  <td>{r.kind}</td>
                  <td>{r.name ?? ""}</td>
                  <td>{r.email ?? ""}</td>
                  <td>{r.phone ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        ) : null}
        {shown ? (
          <>
            <RecipientFacts recipient={shown.recipient} />
            <PreferenceFacts preferences={shown.preferences} timezone={shown.recipient.timezone} />
            <h2>Suppressions</h2>
            <ContactSuppressions
              recipientId={shown.recipient.id}
              suppressions={shown.suppressions}
              csrf={csrf}
            />
            <h2>Recent notifications</h2>
            {shown.notifications.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ScrollTable
                caption={`Latest ${RECENT_NOTIFICATIONS} at most, newest first`}
                columns={["Created", "Priority", "Title", "Category", "Read"]}
              >
                <tbody>
                  {shown.notifications.map((n) => (
                    <tr>
                      <td>{formatTime(n.createdAt)}</td>
                      <td>
                        <PriorityBadge priority={n.priority} />
                      </td>
                      <td>
                        <a href={`/admin/notifications/${encodeURIComponent(n.id)}`}>{n.title}</a>
                      </td>
                      <td>{n.category}</td>
                      <td>{n.read ? "read" : "unread"}</td>
                    </tr>
                  ))}
                </tbody>
              </ScrollTable>
            )}
            <p>
              <a href={`/admin/notifications?recipient=${encodeURIComponent(shown.recipient.id)}`}>
                All notifications of {shown.recipient.id}
              </a>{" "}
              ·{" "}
              <a href={`/admin/deliveries?recipient=${encodeURIComponent(shown.recipient.id)}`}>
                All deliveries
              </a>
            </p>
          </>
        ) : null}
      </>,
    );
  });

  return app;
}
