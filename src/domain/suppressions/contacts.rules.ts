/** The form a contact is stored and compared in: lower-case email, phone without spaces or punctuation. */
export function normalizeContact(channel: "email" | "sms", contact: string): string {
  return channel === "email" ? contact.trim().toLowerCase() : contact.replace(/[^\d+]/g, "");
}
