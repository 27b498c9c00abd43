/** The admin console's page frame: head, navigation, the maintenance banner and the main landmark. */
import type { Child } from "hono/jsx";

/** The console's sections, in navigation order: `[path, label]`. */
export const sections = [
  ["/admin", "Overview"],
  ["/admin/notifications", "Notifications"],
  ["/admin/deliveries", "Deliveries"],
  ["/admin/templates", "Templates"],
  ["/admin/recipients", "Recipients"],
  ["/admin/suppressions", "Suppressions"],
  ["/admin/settings", "Settings"],
  ["/admin/alerts", "Alerts"],
  ["/admin/reports", "Reports"],
] as const;

/** A section's path. */
export type SectionPath = (typeof sections)[number][0];

/** What every signed-in page shows around its content. */
export interface LayoutProps {
  title: string;
  /** The section highlighted in the navigation. */
  section: SectionPath;
  /** The CSRF token for the sign-out form. */
  csrf: string;
  /** Maintenance mode as the settings say, for the banner. */
  maintenance: { enabled: boolean; reason: string | null; since: number | null };
  children?: Child;
}

/** The bare document (the sign-in page uses it directly). */
export function Document(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Herald admin`}</title>
        <link rel="stylesheet" href="/admin/assets/admin.css" />
        {/* No icon: saves the browser a request for /favicon.ico, which Herald does not serve. */}
        <link rel="icon" href="data:," />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

/** A signed-in page: skip link, header with navigation and sign-out, banner, content. */
export function Layout(props: LayoutProps) {
  const { maintenance } = props;
  return (
    <Document title={props.title}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/admin">
          Herald admin
        </a>
        <nav aria-label="Sections">
          <ul>
            {sections.map(([path, label]) => (
              <li>
                <a href={path} aria-current={path === props.section ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form method="post" action="/admin/logout" class="logout">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      {maintenance.enabled ? (
        <div class="banner" role="status">
          <strong>Maintenance mode is on</strong>
          {maintenance.since !== null ? ` since ${formatTime(maintenance.since)}` : ""}: provider sends are
          held and deliveries stay queued.{maintenance.reason ? ` Note: ${maintenance.reason}` : ""}
        </div>
      ) : null}
      <main id="main">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** Epoch ms as `YYYY-MM-DD HH:MM:SS UTC` (the console shows every time in UTC). */
export function formatTime(ms: number | null): string {
  if (ms === null) return "—";
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A duration in ms as the largest sensible unit (`45 s`, `12 min`, `3.5 h`). */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
