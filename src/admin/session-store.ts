/**
 * Admin console sessions in the database: a sign-in adds a row, a sign-out ends it, and every request asks, in
 * one uncached query, whether its session is still live: not ended, not expired, and its API key not revoked and
 * still admin-scoped. Being in the database (not in a process's memory) is what makes a sign-out or a revocation
 * end the session in every process sharing the database.
 */
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { adminSessions, apiKeys } from "../../db/schema.ts";
import type { Deps } from "../deps.ts";
import { liveAdminKey } from "../domain/api-keys/api-keys.service.ts";
import { type AdminSession, newSession } from "./session.ts";

type Store = Pick<Deps, "db" | "clock">;

/** Records a new session for `keyId` (and drops sessions that have expired, so the table stays small). */
export async function startSession({ db, clock }: Store, keyId: string): Promise<AdminSession> {
  const now = clock.now();
  const session = newSession(keyId, now);
  await db.write(async (tx) => {
    await tx.delete(adminSessions).where(lt(adminSessions.expiresAt, now));
    await tx.insert(adminSessions).values({ ...session, createdAt: now });
  });
  return session;
}

/** True while `session` may be used: see the module comment. */
export async function isSessionLive({ db, clock }: Store, session: AdminSession): Promise<boolean> {
  const [row] = await db.read
    .select({ id: adminSessions.id })
    .from(adminSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, adminSessions.keyId))
    .where(
      and(
        eq(adminSessions.id, session.id),
        eq(adminSessions.keyId, session.keyId),
        isNull(adminSessions.endedAt),
        gt(adminSessions.expiresAt, clock.now()),
        liveAdminKey,
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** Ends `session` everywhere (a sign-out). */
export async function endSession({ db, clock }: Store, session: AdminSession): Promise<void> {
  const now = clock.now();
  await db.write((tx) =>
    tx
      .update(adminSessions)
      .set({ endedAt: now })
      .where(and(eq(adminSessions.id, session.id), isNull(adminSessions.endedAt))),
  );
}
