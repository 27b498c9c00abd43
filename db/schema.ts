/**
 * Herald's database schema (drizzle). Conventions: snake_case columns, integer epoch-millisecond times (UTC),
 * sortable ULID string ids, booleans as 0/1 integers, JSON in text columns.
 * Migrations are generated from this file with `npm run db:generate` and committed under db/migrations.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CHANNELS } from "../src/channels/types.ts";
import { PRIORITIES } from "../src/domain/priorities.ts";

/** API keys are stored as SHA-256 hashes; `prefix` is the first characters, shown in listings. */
export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  prefix: text("prefix").notNull(),
  hash: text("hash").notNull().unique(),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

/**
 * Admin console sign-ins. Kept in the database, not only in the signed cookie, so that signing out (or the key's
 * revocation) ends the session in every process sharing the database. Expired rows are deleted at sign-in.
 */
export const adminSessions = sqliteTable("admin_sessions", {
  id: text("id").primaryKey(),
  keyId: text("key_id")
    .notNull()
    .references(() => apiKeys.id),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  endedAt: integer("ended_at"),
});

/** People Herald notifies, keyed by the portal's own id. Erasure nulls contact data and sets `erased_at`. */
export const recipients = sqliteTable(
  "recipients",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["technician", "customer", "staff"] }).notNull(),
    name: text("name"),
    email: text("email"),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    phone: text("phone"),
    phoneVerified: integer("phone_verified", { mode: "boolean" }).notNull().default(false),
    timezone: text("timezone").notNull().default("UTC"),
    locale: text("locale").notNull().default("en"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    erasedAt: integer("erased_at"),
  },
  (t) => [
    // An operator looks a recipient up by contact (the admin console): emails are stored as the portal gave them,
    // so they are indexed in their normalised form (contacts.rules.ts); phones are stored in E.164 already.
    index("recipients_email_idx").on(sql`lower(trim(${t.email}))`),
    index("recipients_phone_idx").on(t.phone),
  ],
);

/** Per-recipient delivery preferences; a missing row means the defaults. */
export const preferences = sqliteTable("preferences", {
  recipientId: text("recipient_id")
    .primaryKey()
    .references(() => recipients.id, { onDelete: "cascade" }),
  emailEnabled: integer("email_enabled", { mode: "boolean" }).notNull().default(true),
  smsEnabled: integer("sms_enabled", { mode: "boolean" }).notNull().default(true),
  /** `{ email: string[], sms: string[] }`: categories opted out of, per channel. */
  categoryOptOuts: text("category_opt_outs", { mode: "json" })
    .$type<{ email: string[]; sms: string[] }>()
    .notNull(),
  quietHoursEnabled: integer("quiet_hours_enabled", { mode: "boolean" }).notNull().default(false),
  quietHoursStart: text("quiet_hours_start").notNull().default("22:00"),
  quietHoursEnd: text("quiet_hours_end").notNull().default("07:00"),
  digestHour: integer("digest_hour").notNull().default(9),
  /** Categories the recipient chose to receive by email in the daily digest instead of one by one. */
  digestCategories: text("digest_categories", { mode: "json" }).$type<string[]>().notNull().default([]),
  updatedAt: integer("updated_at").notNull(),
});

/** Liquid templates, one per notification kind. `version` grows on every change. */
export const templates = sqliteTable("templates", {
  name: text("name").primaryKey(),
  description: text("description").notNull().default(""),
  category: text("category").notNull(),
  defaultPriority: text("default_priority", { enum: PRIORITIES }).notNull(),
  title: text("title").notNull(),
  message: text("message").notNull(),
  emailSubject: text("email_subject"),
  emailHtml: text("email_html"),
  emailText: text("email_text"),
  sms: text("sms"),
  requiredContext: text("required_context", { mode: "json" }).$type<string[]>().notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  version: integer("version").notNull().default(1),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Key/value settings: branding, the recipient-token secret, maintenance mode and the like. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Event rules: what `POST /v1/events` of a type creates. */
export const eventRules = sqliteTable("event_rules", {
  eventType: text("event_type").primaryKey(),
  description: text("description").notNull().default(""),
  template: text("template").notNull(),
  /** Paths into the event's `data` that hold recipients, e.g. `["technician", "customer"]`. */
  recipients: text("recipients", { mode: "json" }).$type<string[]>().notNull(),
  priority: text("priority", { enum: PRIORITIES }),
  category: text("category"),
  /** Dotted path into `data` of the notifications' subject id (`repair.id`); null: `<event namespace>.id`. */
  subjectPath: text("subject_path"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The in-app copy of every notification: what the inbox shows. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    recipientId: text("recipient_id")
      .notNull()
      .references(() => recipients.id),
    template: text("template").notNull(),
    templateVersion: integer("template_version").notNull(),
    priority: text("priority", { enum: PRIORITIES }).notNull(),
    category: text("category").notNull(),
    title: text("title").notNull(),
    message: text("message").notNull(),
    actionUrl: text("action_url"),
    subjectType: text("subject_type"),
    subjectId: text("subject_id"),
    context: text("context", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    dedupeKey: text("dedupe_key"),
    eventType: text("event_type"),
    sendAt: integer("send_at"),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
    /**
     * Archived: hidden from the inbox, kept for the portal, reports and dedupe. An archived notification is always
     * read (archiving marks it read, marking it unread brings it back), so the unread index and count hold only
     * inbox rows.
     */
    archivedAt: integer("archived_at"),
    emailSent: integer("email_sent", { mode: "boolean" }).notNull().default(false),
    smsSent: integer("sms_sent", { mode: "boolean" }).notNull().default(false),
    erasedAt: integer("erased_at"),
  },
  (t) => [
    // The inbox reads newest-first per recipient; ids are ULIDs, so id order is creation order.
    index("notifications_recipient_idx").on(t.recipientId, t.id),
    index("notifications_recipient_unread_idx").on(t.recipientId, t.id).where(sql`read_at IS NULL`),
    // The inbox lists only what is not archived: its own partial index, so archived rows are never walked past.
    index("notifications_inbox_idx").on(t.recipientId, t.id).where(sql`archived_at IS NULL`),
    index("notifications_created_idx").on(t.createdAt),
    // The loop guard counts one recipient's recent notifications of one template (and subject): a range of the
    // window's entries, with the subject in the index so the count never reads the table.
    index("notifications_loop_idx").on(t.recipientId, t.template, t.createdAt, t.subjectType, t.subjectId),
    uniqueIndex("notifications_dedupe_idx").on(t.recipientId, t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
  ],
);

/** Unread count and change version per recipient, kept in step with `notifications` in the same transaction. */
export const inboxCounters = sqliteTable("inbox_counters", {
  recipientId: text("recipient_id")
    .primaryKey()
    .references(() => recipients.id, { onDelete: "cascade" }),
  unread: integer("unread").notNull().default(0),
  version: integer("version").notNull().default(0),
});

export const deliveryStatuses = [
  "queued",
  "leased",
  "sent",
  "delivered",
  "bounced",
  "complained",
  "failed",
  "cancelled",
  "unknown",
  "skipped",
  "digest",
  "digested",
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * One row per notification × channel (email, SMS): the job table. See src/README.md "The job table's invariants" for the
 * claim statement and the lease invariants. `payload` holds exactly what will be sent.
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    notificationId: text("notification_id")
      .notNull()
      .references(() => notifications.id, { onDelete: "cascade" }),
    recipientId: text("recipient_id").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    reason: text("reason"),
    priorityRank: integer("priority_rank").notNull(),
    runAt: integer("run_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(8),
    leaseOwner: text("lease_owner"),
    leaseToken: text("lease_token"),
    leaseUntil: integer("lease_until"),
    sendStartedAt: integer("send_started_at"),
    destination: text("destination"),
    payload: text("payload", { mode: "json" }).$type<DeliveryPayload>(),
    providerMessageId: text("provider_message_id"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
    /** For a `digested` item: the digest notification that carried it (assigned in one transaction). */
    digestId: text("digest_id"),
    /** SMS: estimated cost at creation, the provider's price once sent (the SMS budget sums it). */
    costUsd: real("cost_usd").notNull().default(0),
    /**
     * The row's `status`, `reason` and `run_at` as created (the channel decision a dedupe replay answers with),
     * copied by a trigger (migration 0006) on the first update that changes one of them; null while they are
     * unchanged. Kept by the database so no code path that moves a delivery can forget it, and the create path
     * pays nothing for it.
     */
    decidedStatus: text("decided_status", { enum: deliveryStatuses }),
    decidedReason: text("decided_reason"),
    decidedRunAt: integer("decided_run_at"),
  },
  (t) => [
    index("deliveries_claim_idx").on(t.channel, t.priorityRank, t.runAt, t.id).where(sql`status = 'queued'`),
    index("deliveries_lease_idx").on(t.leaseUntil).where(sql`status = 'leased'`),
    index("deliveries_notification_idx").on(t.notificationId),
    // Operators list one status (failed, unknown, …) newest first.
    index("deliveries_status_id_idx").on(t.status, t.id),
    // The backlog counts one channel's leased and unknown deliveries (backlog.repo.ts): few rows, read per scrape.
    index("deliveries_held_idx").on(t.status, t.channel).where(sql`status IN ('leased', 'unknown')`),
    // A recipient's deliveries newest first (the operator list) and erasure.
    index("deliveries_recipient_id_idx").on(t.recipientId, t.id),
    // Provider feedback (SES bounces, SNS SMS status) finds the delivery by the provider's message id.
    index("deliveries_provider_message_idx")
      .on(t.providerMessageId)
      .where(sql`provider_message_id IS NOT NULL`),
    // Budgets and reports read one channel's recent rows.
    index("deliveries_channel_created_idx").on(t.channel, t.createdAt),
    // The digest scheduler finds due items without scanning the queue.
    index("deliveries_digest_due_idx").on(t.runAt).where(sql`status = 'digest'`),
    // …and one recipient's pending items without reading their other deliveries.
    index("deliveries_digest_recipient_idx").on(t.recipientId, t.runAt).where(sql`status = 'digest'`),
    // SMS spend (budget guard, alerts, reports) sums cost by status over days of SMS from the index alone. Only SMS
    // rows are in it, and SMS are rate-limited, so it costs the write path next to nothing.
    index("deliveries_sms_spend_idx")
      .on(t.channel, t.createdAt, t.status, t.costUsd)
      .where(sql`channel = 'sms'`),
  ],
);

/** What a delivery sends: an email (subject, html, text) or an SMS (text). */
export type DeliveryPayload =
  | { kind: "email"; subject: string; html: string; text: string }
  | { kind: "sms"; text: string; encoding: "GSM-7" | "UCS-2"; segments: number };

/** One row per provider attempt, written in the same transaction as the delivery's new state. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    provider: text("provider").notNull(),
    providerMessageId: text("provider_message_id"),
    status: text("status").notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    durationMs: integer("duration_ms").notNull(),
    costUsd: real("cost_usd").notNull().default(0),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("delivery_attempts_delivery_idx").on(t.deliveryId),
    index("delivery_attempts_created_idx").on(t.createdAt),
  ],
);

/** Messages the `outbox` providers captured instead of sending (development and demos). */
export const outboxMessages = sqliteTable(
  "outbox_messages",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id"),
    recipientId: text("recipient_id"),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    to: text("to").notNull(),
    from: text("from"),
    subject: text("subject"),
    html: text("html"),
    text: text("text").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("outbox_created_idx").on(t.createdAt)],
);

/** Stored first responses for `Idempotency-Key`, scoped to the API key that sent them. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    apiKeyId: text("api_key_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    statusCode: integer("status_code").notNull(),
    responseBody: text("response_body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index("idempotency_created_idx").on(t.createdAt)],
);

/**
 * Contacts Herald must not send to: permanent bounces, complaints, SMS opt-outs (from provider feedback) and
 * operator entries. `contact` is normalised (lower-case email, E.164 phone).
 */
export const suppressions = sqliteTable(
  "suppressions",
  {
    channel: text("channel", { enum: CHANNELS }).notNull(),
    contact: text("contact").notNull(),
    reason: text("reason", { enum: ["bounce", "complaint", "opt-out", "manual"] }).notNull(),
    /** Where it came from: `ses`, `sns` or `operator`. */
    source: text("source").notNull(),
    /** Provider detail (bounce type, feedback id, operator note); never message content. */
    detail: text("detail"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.contact] })],
);

/**
 * One row per scheduler run, keyed by its time window (e.g. `digest` × `2026-11-23T09`): inserting the key is
 * how a tick claims its window, so concurrent triggers and restarts run each window once.
 */
export const schedulerRuns = sqliteTable(
  "scheduler_runs",
  {
    scheduler: text("scheduler").notNull(),
    window: text("window").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    /** What the run did, as small JSON (counts), for health and reports. */
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.scheduler, t.window] }),
    index("scheduler_runs_started_idx").on(t.startedAt),
  ],
);

/** The state of each alert rule evaluated in-process, so a restart neither re-sends nor forgets an alert. */
export const alertStates = sqliteTable("alert_states", {
  name: text("name").primaryKey(),
  state: text("state", { enum: ["ok", "pending", "firing"] }).notNull(),
  severity: text("severity", { enum: ["warning", "critical"] }).notNull(),
  value: real("value"),
  summary: text("summary").notNull().default(""),
  /** When the current state began. */
  since: integer("since").notNull(),
  /** When an alert email for the current state was sent (null: not yet, or not configured). */
  notifiedAt: integer("notified_at"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Every change of an alert rule's state (ok → pending → firing → ok), written in the evaluation's transaction:
 * the history the admin console shows. Retention removes rows after 90 days. Ids are ULIDs of `at`, so id order
 * is time order.
 */
export const alertEvents = sqliteTable(
  "alert_events",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    severity: text("severity", { enum: ["warning", "critical"] }).notNull(),
    from: text("from_state", { enum: ["ok", "pending", "firing"] }).notNull(),
    to: text("to_state", { enum: ["ok", "pending", "firing"] }).notNull(),
    value: real("value"),
    summary: text("summary").notNull().default(""),
    at: integer("at").notNull(),
  },
  (t) => [index("alert_events_name_idx").on(t.name, t.id), index("alert_events_at_idx").on(t.at)],
);

/**
 * SNS messages the webhook has applied, by SNS MessageId: a retry by SNS or a replay inside the one-hour freshness
 * window is answered without applying anything again (even feedback that matched no delivery, so a replayed bounce
 * cannot re-suppress an address an operator has since lifted). Retention prunes rows after a day.
 */
export const snsMessages = sqliteTable(
  "sns_messages",
  {
    messageId: text("message_id").primaryKey(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("sns_messages_received_idx").on(t.receivedAt)],
);

/**
 * Committed SMS spend per UTC day (`day` = created_at / 86,400,000), kept exact by triggers on `deliveries`
 * (migration 0005): every insert, status or cost change and delete of an SMS delivery adds its difference in
 * the same transaction. The SMS budget reads one row for today and at most 31 for the month, whatever the SMS
 * volume, instead of summing every SMS row of the month (about 1 µs a row, on the only thread).
 */
export const smsSpendDays = sqliteTable("sms_spend_days", {
  day: integer("day").primaryKey(),
  usd: real("usd").notNull().default(0),
});

/**
 * The providers' rate budget, shared by every process on the database (src/delivery/send-budget.rules.ts):
 * one row per claim batch, saying that `calls` provider calls start between `starts_at` and `ends_at`. A batch
 * counts against its channel's rate until `ends_at` + 1 s; later claims delete it a second after that.
 */
export const sendGrants = sqliteTable(
  "send_grants",
  {
    id: integer("id").primaryKey(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    calls: integer("calls").notNull(),
  },
  // Covers the budget's read: a claim sums `calls` over its channel's last second without touching the table.
  (t) => [index("send_grants_window_idx").on(t.channel, t.endsAt, t.calls)],
);

/**
 * Channels paused by an account-level provider error (src/delivery/channel-pauses.repo.ts): written by the worker
 * that paused, read by `herald channels`, `herald status` and `GET /v1/channels` from any process. Deleting a row
 * is the operator's resume: the paused worker looks for its row every second and resumes when it is gone.
 */
export const channelPauses = sqliteTable("channel_pauses", {
  channel: text("channel", { enum: CHANNELS }).primaryKey(),
  code: text("code").notNull(),
  message: text("message").notNull(),
  pausedAt: integer("paused_at").notNull(),
  until: integer("until").notNull(),
});
