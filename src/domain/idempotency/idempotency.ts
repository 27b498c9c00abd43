import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { idempotencyKeys } from "../../../db/schema.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import { AppError } from "../../errors.ts";

/**
 * `Idempotency-Key` support: the first response to a key is stored in the same transaction as the work it
 * describes, so a retry gets exactly that response and the work happens once. Keys are scoped to the API
 * key that sent them and kept at least 24 h (the cleanup scheduler removes older ones).
 */
export interface IdempotencyClaim {
  apiKeyId: string;
  key: string;
  /** Hash of what the request asked for; the same key with another request is refused. */
  requestHash: string;
}

/** A response stored for replay. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** How long a key is honoured at least. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** Punctuation waiting on {@link canonical}'s work stack, told apart from the values waiting beside it. */
class Literal {
  constructor(readonly text: string) {}
}
const OPEN_ARRAY = new Literal("[");
const CLOSE_ARRAY = new Literal("]");
const OPEN_OBJECT = new Literal("{");
const CLOSE_OBJECT = new Literal("}");
const COMMA = new Literal(",");

/**
 * Stable JSON (sorted keys) so that key order in a retried body does not matter. Iterative, with its own
 * stack, so a body's depth costs heap, never call stack: the HTTP layer already refuses bodies nested deeper
 * than 32 levels, and this function stays safe for any caller that did not go through it.
 */
export function canonical(root: unknown): string {
  let out = "";
  // Popped from the end: a container pushes its closing mark first and its first member last.
  const work: unknown[] = [root];
  while (work.length > 0) {
    const value = work.pop();
    if (value instanceof Literal) {
      out += value.text;
    } else if (Array.isArray(value)) {
      work.push(CLOSE_ARRAY);
      for (let i = value.length - 1; i >= 0; i--) {
        work.push(value[i]);
        if (i > 0) work.push(COMMA);
      }
      out += OPEN_ARRAY.text;
    } else if (value && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      work.push(CLOSE_OBJECT);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i] as [string, unknown];
        work.push(member, new Literal(`${JSON.stringify(key)}:`));
        if (i > 0) work.push(COMMA);
      }
      out += OPEN_OBJECT.text;
    } else {
      out += JSON.stringify(value) ?? "null";
    }
  }
  return out;
}

/** The hash identifying a request: route plus canonical body. */
export function requestHash(route: string, body: unknown): string {
  return createHash("sha256").update(route).update("\n").update(canonical(body)).digest("hex");
}

/**
 * The stored response for `claim` if one exists and is still honoured (`now` within the TTL); throws
 * `idempotency-key-reused` when the key was used for a different request.
 */
export async function replay(
  q: Queryable,
  claim: IdempotencyClaim,
  now: number,
): Promise<StoredResponse | null> {
  const [row] = await q
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.apiKeyId, claim.apiKeyId), eq(idempotencyKeys.key, claim.key)))
    .limit(1);
  if (!row || row.createdAt < now - IDEMPOTENCY_TTL_MS) return null;
  if (row.requestHash !== claim.requestHash) {
    throw new AppError(
      "idempotency-key-reused",
      "This Idempotency-Key was already used with a different request body; use a new key for a new request",
    );
  }
  return { status: row.statusCode, body: JSON.parse(row.responseBody) };
}

/** Records the first response for `claim` inside the transaction that did the work. */
export async function remember(
  tx: Tx,
  claim: IdempotencyClaim,
  response: StoredResponse,
  now: number,
): Promise<void> {
  await tx
    .insert(idempotencyKeys)
    .values({
      apiKeyId: claim.apiKeyId,
      key: claim.key,
      requestHash: claim.requestHash,
      statusCode: response.status,
      responseBody: JSON.stringify(response.body),
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.apiKeyId, idempotencyKeys.key],
      set: {
        requestHash: claim.requestHash,
        statusCode: response.status,
        responseBody: JSON.stringify(response.body),
        createdAt: now,
      },
    });
}
