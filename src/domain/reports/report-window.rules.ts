/**
 * Report time windows: a window is written `<n>h` or `<n>d` (`24h`, `7d`) in the API and the CLI, and every
 * report reads the rows created in `[now - window, now]`. UTC days for per-day figures.
 */
import { AppError } from "../../errors.ts";

/** One hour and one day in epoch milliseconds. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The longest window a report accepts (retention keeps delivery rows 90 days by default). */
export const MAX_WINDOW_MS = 366 * DAY_MS;

/** The pattern of a window argument, shared with the API's query schema. */
export const WINDOW_PATTERN = /^[1-9]\d{0,4}[hd]$/;

/** A window as reports echo it: its text, its start and its end (`now`). */
export interface ReportWindow {
  window: string;
  from: number;
  to: number;
}

/** The length of a `24h` / `7d` window in ms, or null when `text` is not one. */
export function windowMs(text: string): number | null {
  if (!WINDOW_PATTERN.test(text)) return null;
  return Number(text.slice(0, -1)) * (text.endsWith("h") ? HOUR_MS : DAY_MS);
}

/** Parses `24h` / `7d` into the window ending at `now`; a malformed or over-long window is a validation error. */
export function reportWindow(text: string, now: number): ReportWindow {
  const ms = windowMs(text);
  if (ms === null) {
    throw new AppError(
      "validation-failed",
      `window '${text}' must be a number of hours or days, like 24h or 7d`,
      {
        errors: [{ path: "window", message: "must look like 24h or 7d" }],
      },
    );
  }
  if (ms > MAX_WINDOW_MS) {
    throw new AppError("validation-failed", `window '${text}' is longer than 366 days`, {
      errors: [{ path: "window", message: "must be at most 366d" }],
    });
  }
  return { window: text, from: now - ms, to: now };
}

/** Start of the UTC day containing `instant`. */
export function utcDayStart(instant: number): number {
  return Math.floor(instant / DAY_MS) * DAY_MS;
}

/** `YYYY-MM-DD` of the UTC day containing `instant`. */
export function utcDate(instant: number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** A share rounded to 4 decimals (0.9512), or null when there is nothing to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** USD rounded to micro-dollars, so float sums print and compare cleanly. */
export function usd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
