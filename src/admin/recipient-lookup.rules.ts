/**
 * What the recipient lookup form asks for: a recipient id, or a contact (an email address or a phone number).
 * Pure. A contact is read the way the suppression list reads one (contacts.rules.ts): with an `@` it is an email
 * address, lower-cased; otherwise a phone number, stripped of spaces and punctuation, which must then be E.164.
 */
import { E164, RECIPIENT_ID, recipientFieldsSchema } from "../domain/recipients/recipients.rules.ts";
import { normalizeContact } from "../domain/suppressions/contacts.rules.ts";

/** A lookup to run, or none when the form is empty. */
export type RecipientLookup =
  | { by: "none" }
  | { by: "id"; id: string }
  | { by: "contact"; channel: "email" | "sms"; contact: string };

/** The lookup form's query as a lookup, with what was wrong with it (nothing is looked up then). */
export function recipientLookup(q: Record<string, string | undefined>): {
  lookup: RecipientLookup;
  issues: string[];
} {
  const id = (q.id ?? "").trim();
  const contact = (q.contact ?? "").trim();
  const none: RecipientLookup = { by: "none" };
  if (id !== "" && contact !== "")
    return { lookup: none, issues: ["Give a recipient id or a contact, not both"] };
  if (id !== "") {
    return RECIPIENT_ID.test(id)
      ? { lookup: { by: "id", id }, issues: [] }
      : { lookup: none, issues: ["Recipient id must be 1-128 letters, digits or . _ : -"] };
  }
  if (contact === "") return { lookup: none, issues: [] };
  if (contact.includes("@")) {
    const email = normalizeContact("email", contact);
    const checked = emailSchema.safeParse(email);
    return checked.success
      ? { lookup: { by: "contact", channel: "email", contact: email }, issues: [] }
      : { lookup: none, issues: [`Email address ${checked.error.issues[0]?.message ?? "is not valid"}`] };
  }
  const phone = normalizeContact("sms", contact);
  return E164.test(phone)
    ? { lookup: { by: "contact", channel: "sms", contact: phone }, issues: [] }
    : {
        lookup: none,
        issues: [
          "Contact must be an email address or a phone number with its country code, such as +15551234567",
        ],
      };
}

/** The recipient document's own email rule, so the lookup refuses what a recipient could never have. */
const emailSchema = recipientFieldsSchema.shape.email.unwrap().unwrap();
