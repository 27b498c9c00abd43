/**
 * The recipient's own preference page (`/preferences`, opened from the link in every email): what it shows and
 * what saving it changes. The page needs no login: its signed link names the recipient (recipient-links.ts).
 */
import { asc, eq } from "drizzle-orm";
import { templates } from "../../../db/schema.ts";
import type { Deps } from "../../deps.ts";
import { notFound } from "../../errors.ts";
import { getBranding } from "../branding/branding.service.ts";
import { findRecipient } from "../recipients/recipients.service.ts";
import { type PreferenceForm, preferencesFromForm } from "./preferences.rules.ts";
import { changePreferences, getPreferences } from "./preferences.service.ts";
import type { Preferences } from "./preferences.types.ts";

/** Everything the page shows. */
export interface PreferencePage {
  recipient: { name: string | null; hasEmail: boolean; hasPhone: boolean; timezone: string };
  preferences: Preferences;
  /** The topics a recipient can choose from: the categories of active templates and any they already chose. */
  topics: string[];
  companyName: string;
  primaryColor: string;
}

/** The page for a live recipient; not-found for an unknown or erased one. */
export async function preferencePage(
  deps: Pick<Deps, "db" | "caches">,
  recipientId: string,
): Promise<PreferencePage> {
  const q = deps.db.read;
  const recipient = await findRecipient(q, recipientId);
  if (!recipient) throw notFound("Recipient", recipientId);
  const [preferences, categories, branding] = await Promise.all([
    getPreferences(q, recipientId),
    q
      .selectDistinct({ category: templates.category })
      .from(templates)
      .where(eq(templates.active, true))
      .orderBy(asc(templates.category)),
    getBranding(deps),
  ]);
  const topics = [
    ...new Set([
      ...categories.map((c) => c.category),
      ...preferences.categoryOptOuts.email,
      ...preferences.categoryOptOuts.sms,
      ...preferences.digestCategories,
    ]),
  ].sort();
  return {
    recipient: {
      name: recipient.name,
      hasEmail: recipient.email !== null,
      hasPhone: recipient.phone !== null,
      timezone: recipient.timezone,
    },
    preferences,
    topics,
    companyName: branding.companyName,
    primaryColor: branding.primaryColor,
  };
}

/** Applies the page's form to the recipient's stored preferences (topics the page did not list keep theirs). */
export function savePreferencePage(
  deps: Pick<Deps, "db" | "clock">,
  recipientId: string,
  form: PreferenceForm,
): Promise<Preferences> {
  return changePreferences(deps, recipientId, (current) => preferencesFromForm(current, form));
}
