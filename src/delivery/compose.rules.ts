/**
 * Turns a leased delivery into the message its provider sends. Pure: the stored payload is already rendered;
 * this adds the sender, the unsubscribe link, and for SMS enforces the segment limit and prices the result.
 */
import type { OutgoingEmail, OutgoingSms } from "../channels/types.ts";
import { ProviderError } from "../channels/types.ts";
import { estimateSmsCostUsd, smsInfo, truncateSms } from "../domain/sms/sms.rules.ts";
import type { LeasedDelivery } from "./delivery-queue.repo.ts";

/** A delivery with nothing to send (the recipient was erased, or the row was damaged): fails permanently. */
function nothingToSend(row: LeasedDelivery): ProviderError {
  return new ProviderError(
    "no-destination",
    `delivery ${row.id} has no ${row.channel} destination or payload`,
  );
}

/** The email for `row`, from `fromName <fromAddress>`. */
export function composeEmail(
  row: LeasedDelivery,
  sender: { fromName: string; fromAddress: string; unsubscribeUrl: string; now: number },
): OutgoingEmail {
  if (!row.destination || row.payload?.kind !== "email") throw nothingToSend(row);
  return {
    deliveryId: row.id,
    recipientId: row.recipientId,
    to: row.destination,
    from: { name: sender.fromName, address: sender.fromAddress },
    subject: row.payload.subject,
    html: row.payload.html,
    text: row.payload.text,
    unsubscribeUrl: sender.unsubscribeUrl,
    date: sender.now,
  };
}

/**
 * The SMS for `row`, cut to `maxSegments` (HERALD_SMS_MAX_SEGMENTS) so one long render cannot multiply the
 * bill, with its segment count and estimated cost at the destination's per-segment price.
 */
export function composeSms(
  row: LeasedDelivery,
  maxSegments: number,
): { message: OutgoingSms; segments: number; costUsd: number } {
  if (!row.destination || row.payload?.kind !== "sms") throw nothingToSend(row);
  const text = truncateSms(row.payload.text, maxSegments);
  const { segments } = smsInfo(text);
  return {
    message: { deliveryId: row.id, recipientId: row.recipientId, to: row.destination, text },
    segments,
    costUsd: estimateSmsCostUsd(segments, row.destination),
  };
}
