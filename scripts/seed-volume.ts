/**
 * Volume seeder: fills a Herald database with realistic rows fast, for benchmarks and for measuring what each
 * unit of work costs at production volume (`scripts/bench-units.ts`, `scripts/bench.ts`).
 *
 *   bun scripts/seed-volume.ts --db ./data/volume.db [--notifications 1000000] [--deliveries 1000000]
 *                              [--attempts 2000000] [--recipients 10000] [--days 90]
 *
 * Everything is set-based SQL: recursive-CTE `INSERT … SELECT` statements of {@link CHUNK} rows, each in its own
 * write, so 1M/1M/2M rows take well under a minute. Every value is derived from the row number by a few
 * multiplicative hashes, so a run is deterministic for a given `now` and mixes what production has:
 * - notifications spread evenly over the last `days` days (ids are real ULIDs of their `created_at`, so id order
 *   is creation order as in production), priorities URGENT 3 % / HIGH 37 % / MEDIUM 45 % / LOW 15 %, five
 *   categories, a skew towards a few busy recipients, most older ones read;
 * - deliveries (email, SMS; a second pass adds the other channel of the same notifications when there are more
 *   deliveries than notifications), mostly sent or delivered, with failed, bounced, complained, unknown, skipped
 *   (with the reasons the channel decision gives, the loop guard's among them), cancelled, digested and pending
 *   digest items, and the last minutes' work still queued or leased; SMS carry a cost;
 * - attempts only for deliveries that reached a provider, numbered per delivery, the last one carrying the
 *   delivery's outcome and the earlier ones throttling retries; `deliveries.attempts` matches the log.
 */
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { type Database, openDatabase } from "../src/db/database.ts";

/** How much to store. */
export interface VolumeOptions {
  notifications: number;
  deliveries: number;
  attempts: number;
  recipients: number;
  /** Rows are spread evenly over the last `days` days. */
  days: number;
  /** The instant the data ends at (default `Date.now()`). */
  now?: number;
}

/** What was stored. */
export interface VolumeResult {
  recipients: number;
  notifications: number;
  deliveries: number;
  attempts: number;
  now: number;
  ms: number;
}

/** Rows per statement. */
const CHUNK = 100_000;
const DAY = 86_400_000;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Multipliers of the per-purpose hashes (odd, large; the product modulo a prime spreads row numbers). */
const MULT = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 1181783497, 2870177450, 1640531527];
/** A pseudo-random permille (0-999) of the integer SQL expression `x`, one independent stream per `salt`. */
const h = (x: string, salt: number) =>
  `((((${x}) * ${MULT[salt % MULT.length]} + ${salt * 7919}) % 4294967291) % 1000)`;

/** The ULID time part (10 Crockford base-32 characters) of the epoch-ms SQL expression `t`. */
function ulidTime(t: string): string {
  return Array.from(
    { length: 10 },
    (_, k) => `substr('${CROCKFORD}', ((${t}) >> ${5 * (9 - k)}) % 32 + 1, 1)`,
  ).join(" || ");
}

/** A ULID-shaped id: the time of `t`, then a table tag, a per-run salt and the row number (all Crockford digits). */
const ulid = (t: string, tag: string, run: string, i: string) =>
  `${ulidTime(t)} || '${tag}${run}' || printf('%012d', ${i})`;

/** Integers go into the SQL text: libSQL binds JS numbers as REAL. */
const int = (n: number) => String(Math.trunc(n));

/**
 * The columns every derived row of notification `i` shares (used by the notification, delivery and attempt
 * statements, so a delivery agrees with its notification without a join).
 */
function notificationColumns(i: string, o: Required<VolumeOptions>, start: number): string {
  const span = o.days * DAY;
  const busy = Math.max(1, Math.floor(o.recipients / 100));
  return `
    ${start} + ((${i}) - 1) * ${span} / ${o.notifications} AS created,
    CASE WHEN ${h(i, 1)} < 300 THEN 1 + ${h(i, 2)} * ${busy} / 1000 ELSE 1 + ((${i}) * 7919 + ${h(i, 2)}) % ${o.recipients} END AS r,
    CASE WHEN ${h(i, 3)} < 30 THEN 'URGENT' WHEN ${h(i, 3)} < 400 THEN 'HIGH' WHEN ${h(i, 3)} < 850 THEN 'MEDIUM' ELSE 'LOW' END AS priority,
    ${h(i, 4)} AS kind`;
}

/** The template, category and wording of a notification of hash `kind` (0-999). */
const TEMPLATE = `CASE WHEN kind < 250 THEN 'repair-approved' WHEN kind < 450 THEN 'repair-assigned' WHEN kind < 650 THEN 'repair-completed'
  WHEN kind < 750 THEN 'repair-denied' WHEN kind < 850 THEN 'repair-requested' WHEN kind < 930 THEN 'visit-scheduled'
  WHEN kind < 970 THEN 'invoice-issued' WHEN kind < 990 THEN 'system-notice' ELSE 'newsletter' END`;
const CATEGORY = `CASE WHEN kind < 850 THEN 'repair' WHEN kind < 930 THEN 'scheduling' WHEN kind < 970 THEN 'billing'
  WHEN kind < 990 THEN 'system' ELSE 'marketing' END`;
const RANK = `CASE priority WHEN 'URGENT' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END`;

/** Fills `db` with the given volume (added to what is there; run ids keep repeated runs apart). */
export async function seedVolume(db: Database, opts: VolumeOptions): Promise<VolumeResult> {
  const started = performance.now();
  const o: Required<VolumeOptions> = { now: Date.now(), ...opts, recipients: Math.max(1, opts.recipients) };
  const now = Math.trunc(o.now);
  const start = now - o.days * DAY;
  const run = Array.from({ length: 3 }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join("");
  const write = (text: string) => db.write((tx) => tx.run(sql.raw(text)));
  const series = (from: number, to: number) =>
    `WITH RECURSIVE n(x) AS (SELECT ${int(from)} UNION ALL SELECT x + 1 FROM n WHERE x < ${int(to)})`;
  const rid = (r: string) => `'vol-${run}-' || (${r})`;

  // Recipients: verified contacts for most, a few without a phone or unverified; inbox counters follow.
  for (let done = 0; done < o.recipients; done += CHUNK) {
    const to = Math.min(o.recipients, done + CHUNK);
    await write(`${series(done + 1, to)}
      INSERT INTO recipients (id, kind, name, email, email_verified, phone, phone_verified, timezone, locale, created_at, updated_at)
      SELECT ${rid("x")}, CASE WHEN x % 10 = 0 THEN 'technician' WHEN x % 50 = 1 THEN 'staff' ELSE 'customer' END,
             'Volume ' || x, 'vol' || x || '.${run.toLowerCase()}@example.test', ${h("x", 5)} < 970,
             CASE WHEN ${h("x", 6)} < 900 THEN '+1556' || printf('%07d', x % 10000000) END, ${h("x", 6)} < 850,
             CASE x % 5 WHEN 0 THEN 'America/New_York' WHEN 1 THEN 'Europe/Berlin' ELSE 'UTC' END, 'en', ${start}, ${start}
      FROM n`);
  }

  // Notifications.
  const readShare = `CASE WHEN created < ${now - 7 * DAY} THEN 800 ELSE 300 END`;
  for (let done = 0; done < o.notifications; done += CHUNK) {
    const to = Math.min(o.notifications, done + CHUNK);
    await write(`${series(done + 1, to)}
      INSERT INTO notifications (id, recipient_id, template, template_version, priority, category, title, message, action_url,
                                 subject_type, subject_id, context, event_type, created_at, read_at, email_sent, sms_sent)
      SELECT ${ulid("created", "N", run, "x")}, ${rid("r")}, ${TEMPLATE}, 1, priority, ${CATEGORY},
             'Repair R-' || (x / 3) || ' ' || replace(${TEMPLATE}, 'repair-', ''),
             'Your repair request R-' || (x / 3) || ' at ' || (x % 997) || ' Main St was updated: ' || replace(${TEMPLATE}, '-', ' ') || '.',
             'https://portal.example.test/repairs/R-' || (x / 3),
             'repair', 'R-' || (x / 3), '{"repair":{"id":"R-' || (x / 3) || '"}}', replace(${TEMPLATE}, '-', '.'), created,
             CASE WHEN ${h("x", 7)} < ${readShare} THEN created + 600000 + ${h("x", 0)} * 3600 END,
             priority <> 'LOW', priority IN ('URGENT', 'HIGH')
      FROM (SELECT x, ${notificationColumns("x", o, start)} FROM n)`);
  }

  // Deliveries: pass 0 gives each notification its first channel, pass 1 the other one.
  const derivedDelivery = (j: string) => `
    SELECT j, i, pass, created, r, priority, kind,
      CASE WHEN (pass = 0) = (${h("i", 5)} < 250) THEN 'sms' ELSE 'email' END AS channel,
      ${h("j", 6)} AS roll, ${h("j", 7)} AS roll2
    FROM (SELECT j, i, pass, ${notificationColumns("i", o, start)}
          FROM (SELECT ${j} AS j, 1 + ((${j}) - 1) % ${o.notifications} AS i, (((${j}) - 1) / ${o.notifications}) % 2 AS pass FROM n))`;
  const STATUS = `CASE
      WHEN created > ${now - 2 * 60_000} THEN CASE WHEN roll < 600 THEN 'queued' WHEN roll < 700 THEN 'leased' ELSE 'sent' END
      WHEN channel = 'sms' AND priority IN ('MEDIUM', 'LOW') THEN 'skipped'
      WHEN channel = 'email' AND priority = 'LOW' THEN CASE WHEN created > ${now - DAY} AND roll < 500 THEN 'digest' ELSE 'digested' END
      WHEN roll < 12 THEN 'failed'
      WHEN roll < 20 THEN CASE channel WHEN 'email' THEN 'bounced' ELSE 'failed' END
      WHEN roll < 22 THEN CASE channel WHEN 'email' THEN 'complained' ELSE 'unknown' END
      WHEN roll < 90 THEN 'skipped'
      WHEN roll < 93 THEN 'cancelled'
      WHEN created > ${now - 12 * 3_600_000} AND roll < 100 THEN 'queued'
      WHEN roll < 560 THEN 'delivered'
      ELSE 'sent' END`;
  const SKIP_REASON = `CASE WHEN channel = 'sms' AND priority IN ('MEDIUM', 'LOW') THEN 'priority'
      WHEN roll2 < 300 THEN 'channel-opt-out' WHEN roll2 < 500 THEN 'unverified-contact' WHEN roll2 < 650 THEN 'suppressed'
      WHEN roll2 < 750 THEN 'category-opt-out' WHEN roll2 < 850 THEN 'loop' WHEN roll2 < 930 THEN 'no-contact' ELSE 'budget' END`;
  const spent = `status IN ('sent', 'delivered', 'bounced', 'complained', 'unknown')`;
  for (let done = 0; done < o.deliveries; done += CHUNK) {
    const to = Math.min(o.deliveries, done + CHUNK);
    await write(`${series(done + 1, to)}
      INSERT INTO deliveries (id, notification_id, recipient_id, channel, status, reason, priority_rank, run_at, attempts, max_attempts,
                              lease_owner, lease_token, lease_until, send_started_at, destination, payload, provider_message_id, last_error,
                              created_at, updated_at, sent_at, cost_usd)
      SELECT ${ulid("created + pass", "D", run, "j")}, ${ulid("created", "N", run, "i")}, ${rid("r")}, channel, status,
             CASE status WHEN 'skipped' THEN ${SKIP_REASON} WHEN 'digest' THEN 'digest' WHEN 'digested' THEN 'digest'
               WHEN 'cancelled' THEN 'cancelled-by-operator' WHEN 'queued' THEN CASE WHEN created <= ${now - 2 * 60_000} THEN 'quiet-hours' END END,
             ${RANK},
             CASE WHEN status = 'queued' AND created <= ${now - 2 * 60_000} THEN created + 8 * 3600000
                  WHEN status = 'digest' THEN (created / ${DAY} + 1) * ${DAY} + 9 * 3600000 ELSE created END,
             0, 8,
             CASE WHEN status = 'leased' THEN 'worker-1' END, CASE WHEN status = 'leased' THEN 'tok-' || j END,
             CASE WHEN status = 'leased' THEN ${now} + 30000 END,
             CASE WHEN status IN ('leased', 'unknown') THEN created + 500 END,
             CASE channel WHEN 'email' THEN 'vol' || r || '.${run.toLowerCase()}@example.test' ELSE '+1556' || printf('%07d', r % 10000000) END,
             CASE channel WHEN 'email' THEN json_object('kind', 'email', 'subject', 'Repair R-' || (i / 3) || ' update',
                    'html', '<html><body><h1>Repair R-' || (i / 3) || '</h1><p>Your repair request was updated. Open the portal to see the details and the next steps.</p></body></html>',
                    'text', 'Repair R-' || (i / 3) || ': your repair request was updated. Open the portal to see the details.')
               ELSE json_object('kind', 'sms', 'text', 'Repair R-' || (i / 3) || ' updated: see the portal', 'encoding', 'GSM-7', 'segments', 1) END,
             CASE WHEN ${spent} AND status <> 'unknown' THEN 'pm-${run}-' || j END,
             CASE status WHEN 'failed' THEN CASE channel WHEN 'email' THEN 'MessageRejected: Email address is not verified' ELSE 'InvalidParameter: invalid phone number' END
               WHEN 'bounced' THEN 'bounce: Permanent/General' WHEN 'complained' THEN 'complaint: abuse' END,
             created, created + 2000 + roll2 * 10,
             CASE WHEN ${spent} AND status <> 'unknown' THEN created + 300 + roll2 * 4 END,
             CASE WHEN channel = 'sms' AND status NOT IN ('skipped', 'cancelled') THEN CASE WHEN roll2 < 150 THEN 0.0129 ELSE 0.00645 END ELSE 0 END
      FROM (SELECT *, ${STATUS} AS status FROM (${derivedDelivery("x")}))`);
  }

  // Attempts: only deliveries that reached a provider; per delivery a count drawn so the total is about
  // `attempts`, then trimmed or topped up to exactly that.
  const attempted = `status IN ('sent', 'delivered', 'bounced', 'complained', 'failed', 'unknown', 'leased')`;
  const mine = `substr(id, 11, 4) = 'D${run}'`;
  const row = await db.read.get<{ n: number }>(
    sql.raw(`SELECT count(*) AS n FROM deliveries WHERE ${mine} AND ${attempted}`),
  );
  const attemptedCount = Number(row?.n ?? 0);
  if (attemptedCount > 0 && o.attempts > 0) {
    const mean = o.attempts / attemptedCount;
    const base = Math.floor(mean);
    const extra = Math.round((mean - base) * 1000);
    const maxK = base + 2;
    const count = `(${base} + (${h("j2", 3)} < ${extra}))`;
    const insertAttempts = (where: string, k: string, limit: number | null) => `
      INSERT INTO delivery_attempts (id, delivery_id, attempt, provider, provider_message_id, status, error_code, error_message,
                                     duration_ms, cost_usd, created_at)
      SELECT ${ulid(`min(d.created_at + (k - 1) * 30000 + 200, ${now})`, "A", run, "(k * 100000000 + j2)")}, d.id, k,
             CASE d.channel WHEN 'email' THEN 'ses' ELSE 'sns' END,
             CASE WHEN k = c THEN d.provider_message_id END,
             CASE WHEN k < c THEN 'retry' WHEN d.status = 'failed' THEN 'failed' WHEN d.status = 'unknown' THEN 'ambiguous'
                  WHEN d.status = 'leased' THEN 'lease-expired' ELSE 'sent' END,
             CASE WHEN k < c THEN 'Throttling' WHEN d.status = 'failed' THEN 'MessageRejected' END,
             CASE WHEN k < c THEN 'Maximum sending rate exceeded.' WHEN d.status = 'failed' THEN d.last_error END,
             40 + ${h("j2", 4)} / 4, CASE WHEN k = c THEN d.cost_usd ELSE 0 END,
             min(d.created_at + (k - 1) * 30000 + 200, ${now})
      FROM (SELECT *, ${count} AS c FROM (SELECT *, CAST(substr(id, 15) AS INTEGER) AS j2 FROM deliveries WHERE ${mine} AND ${attempted} ${where})) d
      JOIN (WITH RECURSIVE kk(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM kk WHERE k < ${maxK}) SELECT k FROM kk) ON ${k}
      ${limit === null ? "" : `LIMIT ${int(limit)}`}`;
    // Chunks by delivery id range keep each statement to about CHUNK deliveries.
    const bounds = await db.read.all<{ id: string }>(
      sql.raw(
        `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM deliveries WHERE ${mine} AND ${attempted}) WHERE rn % ${CHUNK} = 0`,
      ),
    );
    const edges = ["", ...bounds.map((b) => b.id)];
    for (const [index, low] of edges.entries()) {
      const high = edges[index + 1];
      const range = `${low ? `AND id > '${low}'` : ""} ${high ? `AND id <= '${high}'` : ""}`;
      await write(insertAttempts(range, "k <= c", null));
    }
    const have = Number(
      (
        await db.read.get<{ n: number }>(
          sql.raw(`SELECT count(*) AS n FROM delivery_attempts WHERE substr(id, 11, 4) = 'A${run}'`),
        )
      )?.n ?? 0,
    );
    if (have > o.attempts) {
      await write(
        `DELETE FROM delivery_attempts WHERE id IN (SELECT id FROM delivery_attempts WHERE substr(id, 11, 4) = 'A${run}' AND attempt > 1 ORDER BY attempt DESC, id LIMIT ${have - o.attempts})`,
      );
    } else if (have < o.attempts) {
      // One more attempt (a retry before the rest, numbered after them) for the first deliveries short of it.
      await write(
        insertAttempts("", `k = c + 1`, o.attempts - have).replace(
          /CASE WHEN k < c THEN 'retry'/,
          "CASE WHEN k > c THEN 'retry'",
        ),
      );
    }
    await write(`UPDATE deliveries SET attempts = (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = deliveries.id)
      WHERE ${mine} AND ${attempted}`);
  }

  await db.write(async (tx) => {
    await tx.run(
      sql.raw(
        `INSERT OR IGNORE INTO inbox_counters (recipient_id, unread, version) SELECT id, 0, 0 FROM recipients WHERE id LIKE 'vol-${run}-%'`,
      ),
    );
    await tx.run(
      sql.raw(`UPDATE inbox_counters SET unread = (SELECT count(*) FROM notifications n WHERE n.recipient_id = inbox_counters.recipient_id AND n.read_at IS NULL)
               WHERE recipient_id LIKE 'vol-${run}-%'`),
    );
  });
  const total = async (table: string, tag: string) =>
    Number(
      (
        await db.read.get<{ n: number }>(
          sql.raw(`SELECT count(*) AS n FROM ${table} WHERE substr(id, 11, 4) = '${tag}${run}'`),
        )
      )?.n ?? 0,
    );
  return {
    recipients: o.recipients,
    notifications: await total("notifications", "N"),
    deliveries: await total("deliveries", "D"),
    attempts: await total("delivery_attempts", "A"),
    now,
    ms: Math.round(performance.now() - started),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      db: { type: "string" },
      notifications: { type: "string", default: "1000000" },
      deliveries: { type: "string", default: "1000000" },
      attempts: { type: "string", default: "2000000" },
      recipients: { type: "string", default: "10000" },
      days: { type: "string", default: "90" },
    },
  });
  if (!values.db) {
    console.error(
      "usage: bun scripts/seed-volume.ts --db <file> [--notifications N] [--deliveries N] [--attempts N] [--recipients N] [--days N]",
    );
    process.exit(2);
  }
  const db = await openDatabase({ url: `file:${values.db}` });
  await db.migrate();
  const result = await seedVolume(db, {
    notifications: Number(values.notifications),
    deliveries: Number(values.deliveries),
    attempts: Number(values.attempts),
    recipients: Number(values.recipients),
    days: Number(values.days),
  });
  await db.close();
  console.log(JSON.stringify(result));
}
