import type { Preferences } from "./preferences.types.ts";

/** The preferences of a recipient who never set any: every channel on, quiet hours off, digest at 09:00. */
export function defaultPreferences(): Preferences {
  // A fresh object each time: callers may hand it on, and shared arrays would leak edits between recipients.
  return {
    emailEnabled: true,
    smsEnabled: true,
    categoryOptOuts: { email: [], sms: [] },
    quietHours: { enabled: false, start: "22:00", end: "07:00" },
    digestHour: 9,
    digestCategories: [],
  };
}

/** Local wall-clock time `HH:MM`, 00:00-23:59. */
export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The document as stored: category lists without repeats (first occurrence kept), everything else as given. */
export function normalizePreferences(p: Preferences): Preferences {
  return {
    emailEnabled: p.emailEnabled,
    smsEnabled: p.smsEnabled,
    categoryOptOuts: {
      email: [...new Set(p.categoryOptOuts.email)],
      sms: [...new Set(p.categoryOptOuts.sms)],
    },
    quietHours: { enabled: p.quietHours.enabled, start: p.quietHours.start, end: p.quietHours.end },
    digestHour: p.digestHour,
    digestCategories: [...new Set(p.digestCategories)],
  };
}

/**
 * Where a recipient manages notifications, for the link in every email: HERALD_PREFERENCES_URL with
 * `{recipientId}` filled in (usually a portal page), else Herald's own `/v1/me/preferences`.
 */
export function preferencesUrl(
  config: { HERALD_PREFERENCES_URL?: string; HERALD_PUBLIC_URL: string },
  recipientId: string,
): string {
  const template = config.HERALD_PREFERENCES_URL ?? `${config.HERALD_PUBLIC_URL}/v1/me/preferences`;
  return template.replace("{recipientId}", encodeURIComponent(recipientId));
}
