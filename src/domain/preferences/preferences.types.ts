/**
 * A recipient's delivery preferences: the whole document `GET/PUT .../preferences` reads and replaces, and
 * what the channel decision (`delivery-policy.rules.ts`) consults.
 */
export interface Preferences {
  emailEnabled: boolean;
  smsEnabled: boolean;
  /** Categories opted out of, per channel (the in-app copy is always kept). */
  categoryOptOuts: { email: string[]; sms: string[] };
  /** A daily window in the recipient's local time (`HH:MM`); `start` after `end` crosses midnight. */
  quietHours: { enabled: boolean; start: string; end: string };
  /** Local hour (0-23) at which the daily digest goes out. */
  digestHour: number;
  /** Categories whose (non-URGENT) emails go into the daily digest instead of one by one. */
  digestCategories: string[];
}
