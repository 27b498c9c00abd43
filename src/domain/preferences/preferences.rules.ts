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
 * A JSON merge patch (RFC 7396) of the preference document: members left out keep their value, `null` puts a
 * member back to its default, nested objects merge member by member, arrays are replaced whole.
 */
export interface PreferencesPatch {
  emailEnabled?: boolean | null;
  smsEnabled?: boolean | null;
  categoryOptOuts?: { email?: string[] | null; sms?: string[] | null } | null;
  quietHours?: { enabled?: boolean | null; start?: string | null; end?: string | null } | null;
  digestHour?: number | null;
  digestCategories?: string[] | null;
}

/** Applies `patch` to `current` (RFC 7396): what the patch names changes, `null` means the default. */
export function mergePreferences(current: Preferences, patch: PreferencesPatch): Preferences {
  const defaults = defaultPreferences();
  const pick = <T>(value: T | null | undefined, kept: T, fallback: T): T =>
    value === undefined ? kept : value === null ? fallback : value;
  const optOuts = patch.categoryOptOuts === null ? defaults.categoryOptOuts : patch.categoryOptOuts;
  const quiet = patch.quietHours === null ? defaults.quietHours : patch.quietHours;
  const keptOptOuts = patch.categoryOptOuts === null ? defaults.categoryOptOuts : current.categoryOptOuts;
  const keptQuiet = patch.quietHours === null ? defaults.quietHours : current.quietHours;
  return {
    emailEnabled: pick(patch.emailEnabled, current.emailEnabled, defaults.emailEnabled),
    smsEnabled: pick(patch.smsEnabled, current.smsEnabled, defaults.smsEnabled),
    categoryOptOuts: {
      email: pick(optOuts?.email, keptOptOuts.email, defaults.categoryOptOuts.email),
      sms: pick(optOuts?.sms, keptOptOuts.sms, defaults.categoryOptOuts.sms),
    },
    quietHours: {
      enabled: pick(quiet?.enabled, keptQuiet.enabled, defaults.quietHours.enabled),
      start: pick(quiet?.start, keptQuiet.start, defaults.quietHours.start),
      end: pick(quiet?.end, keptQuiet.end, defaults.quietHours.end),
    },
    digestHour: pick(patch.digestHour, current.digestHour, defaults.digestHour),
    digestCategories: pick(patch.digestCategories, current.digestCategories, defaults.digestCategories),
  };
}

/**
 * What the recipient's preference page submits: checkboxes name what they want (a topic ticked under Email
 * means "send me these by email"), so the stored opt-outs are the topics the page showed and left unticked.
 */
export interface PreferenceForm {
  emailEnabled: boolean;
  smsEnabled: boolean;
  /** The topics the page listed: only these change; opt-outs of topics it did not list are kept. */
  shown: string[];
  email: string[];
  sms: string[];
  digest: string[];
  quietHours: { enabled: boolean; start: string; end: string };
  digestHour: number;
}

/** The whole document after `form` is applied to `current`. */
export function preferencesFromForm(current: Preferences, form: PreferenceForm): Preferences {
  const shown = new Set(form.shown);
  const choose = (kept: string[], ticked: string[]) => {
    const wanted = new Set(ticked);
    return [...kept.filter((c) => !shown.has(c)), ...form.shown.filter((c) => !wanted.has(c))];
  };
  const keptDigest = current.digestCategories.filter((c) => !shown.has(c));
  return normalizePreferences({
    emailEnabled: form.emailEnabled,
    smsEnabled: form.smsEnabled,
    categoryOptOuts: {
      email: choose(current.categoryOptOuts.email, form.email),
      sms: choose(current.categoryOptOuts.sms, form.sms),
    },
    quietHours: form.quietHours,
    digestHour: form.digestHour,
    digestCategories: [...keptDigest, ...form.digest.filter((c) => shown.has(c))],
  });
}
