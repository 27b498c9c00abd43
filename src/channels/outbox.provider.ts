/**
 * The development providers (HERALD_EMAIL_PROVIDER=outbox, HERALD_SMS_PROVIDER=outbox, the defaults): every
 * message is captured in `outbox_messages` instead of leaving the machine, so `npm start` works without an
 * AWS account and demos can show exactly what would have been sent (`GET /v1/outbox`).
 */
import { outboxMessages } from "../../db/schema.ts";
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import { newId } from "../ids.ts";
import type { Providers } from "./types.ts";

/** Email and SMS providers writing to the outbox table. The message id is the outbox row's id. */
export function createOutboxProviders(db: Database, clock: Clock): Providers {
  const capture = async (row: Omit<typeof outboxMessages.$inferInsert, "id" | "createdAt">) => {
    // Stamped at the call, as a real provider's door would see it: inside the write the clock would read when the
    // group commit got to the row, which under load is later and bunches calls into the next second.
    const createdAt = clock.now();
    const id = newId(createdAt);
    await db.write((tx) => tx.insert(outboxMessages).values({ id, createdAt, ...row }));
    return { providerMessageId: id };
  };
  return {
    email: {
      name: "outbox",
      sendEmail: (message) =>
        capture({
          deliveryId: message.deliveryId,
          recipientId: message.recipientId,
          channel: "email",
          to: message.to,
          from: `${message.from.name} <${message.from.address}>`,
          subject: message.subject,
          html: message.html,
          text: message.text,
        }),
    },
    sms: {
      name: "outbox",
      sendSms: (message) =>
        capture({
          deliveryId: message.deliveryId,
          recipientId: message.recipientId,
          channel: "sms",
          to: message.to,
          text: message.text,
        }),
    },
  };
}
