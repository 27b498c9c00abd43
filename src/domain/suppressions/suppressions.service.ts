/**
 * Verbs on the suppression list. Adding a contact, from provider feedback or an operator, also stops what is
 * still queued for it in the same transaction; new notifications skip it at creation (the channel guards).
 */
import type { Channel } from "../../channels/types.ts";
import type { Tx } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import { AppError, notFound } from "../../errors.ts";
import { normalizeContact } from "./contacts.rules.ts";
import {
  deleteSuppression,
  findSuppression,
  insertSuppression,
  type SuppressionPosition,
  type SuppressionRow,
  selectSuppressions,
  skipQueuedFor,
} from "./suppressions.repo.ts";

/** A suppression as the admin API shows it. */
export interface SuppressionView {
  channel: Channel;
  contact: string;
  reason: SuppressionRow["reason"];
  source: string;
  detail: string | null;
  createdAt: number;
}

/** What to suppress: an already normalised contact and why. */
export type NewSuppression = Omit<SuppressionView, "createdAt">;

const toView = (r: SuppressionRow): SuppressionView => ({
  channel: r.channel,
  contact: r.contact,
  reason: r.reason,
  source: r.source,
  detail: r.detail,
  createdAt: r.createdAt,
});

/**
 * Suppresses a contact inside the caller's transaction and skips its queued deliveries. Returns whether the
 * row is new and how many deliveries were skipped (the caller counts them in metrics after commit).
 */
export async function suppressInTx(
  tx: Tx,
  s: NewSuppression,
  now: number,
): Promise<{ created: boolean; skipped: number }> {
  const created = await insertSuppression(tx, { ...s, createdAt: now });
  const skipped = await skipQueuedFor(tx, s.channel, s.contact, now);
  return { created, skipped };
}

/** Operator entry (`POST /v1/suppressions`): reason `manual`, source `operator`; an existing entry is kept as is. */
export async function addSuppression(
  deps: Pick<Deps, "db" | "clock" | "metrics" | "logger">,
  input: { channel: Channel; contact: string; detail?: string | null },
): Promise<{ suppression: SuppressionView; created: boolean }> {
  const contact = normalizeContact(input.channel, input.contact);
  const now = deps.clock.now();
  const { created, skipped, row } = await deps.db.write(async (tx) => {
    const result = await suppressInTx(
      tx,
      { channel: input.channel, contact, reason: "manual", source: "operator", detail: input.detail ?? null },
      now,
    );
    return { ...result, row: await findSuppression(tx, input.channel, contact) };
  });
  if (!row) throw new AppError("internal", "the suppression vanished while it was being added");
  countSkipped(deps, input.channel, skipped);
  deps.logger.info("suppression added", {
    channel: input.channel,
    source: "operator",
    created,
    skippedDeliveries: skipped,
  });
  return { suppression: toView(row), created };
}

/** Counts deliveries skipped because their contact was suppressed after they were queued. */
export function countSkipped(deps: Pick<Deps, "metrics">, channel: Channel, skipped: number): void {
  if (skipped > 0)
    deps.metrics.deliveries.inc({ channel, outcome: "skipped", reason: "suppressed" }, skipped);
}

/** Removes a contact from the list (new notifications reach it again; skipped ones stay skipped). */
export async function removeSuppression(
  deps: Pick<Deps, "db" | "logger">,
  channel: Channel,
  rawContact: string,
): Promise<void> {
  const contact = normalizeContact(channel, rawContact);
  const removed = await deps.db.write((tx) => deleteSuppression(tx, channel, contact));
  if (!removed) throw notFound("Suppression", `${channel}/${contact}`);
  deps.logger.info("suppression removed", { channel });
}

function encodeCursor(p: SuppressionPosition): string {
  return Buffer.from(JSON.stringify([p.createdAt, p.channel, p.contact]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): SuppressionPosition {
  try {
    const [createdAt, channel, contact] = JSON.parse(
      Buffer.from(cursor, "base64url").toString("utf8"),
    ) as unknown[];
    if (
      Number.isSafeInteger(createdAt) &&
      (channel === "email" || channel === "sms") &&
      typeof contact === "string"
    ) {
      return { createdAt: createdAt as number, channel, contact };
    }
  } catch {
    // fall through to the validation error
  }
  throw new AppError("validation-failed", "cursor is not valid", {
    errors: [{ path: "cursor", message: "not a cursor from this API" }],
  });
}

/**
 * The list newest first with cursor pagination. `contact` matches exactly after normalisation; without a
 * channel, an `@` says it is an email address.
 */
export async function listSuppressions(
  deps: Pick<Deps, "db">,
  query: { channel?: Channel; contact?: string; cursor?: string; limit: number },
): Promise<{ items: SuppressionView[]; nextCursor: string | null }> {
  const contactChannel = query.channel ?? (query.contact?.includes("@") ? "email" : "sms");
  const rows = await selectSuppressions(deps.db.read, {
    channel: query.channel,
    contact: query.contact ? normalizeContact(contactChannel, query.contact) : undefined,
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}
