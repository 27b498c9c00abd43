/**
 * The loop guard: a portal bug that fires the same event over and over must not flood a recipient. More than
 * `max` notifications of one template about one subject (or of one template, when it has no subject) to one
 * recipient within the window is a loop: the extra ones keep their in-app copy but send nothing.
 */

/** The loop guard's limits (operator settings). */
export interface LoopGuardSettings {
  max: number;
  windowMinutes: number;
}

/** The oldest creation time that still counts towards the loop window ending at `now`. */
export function loopWindowStart(now: number, settings: LoopGuardSettings): number {
  return now - settings.windowMinutes * 60_000;
}

/** True when a new notification, after `earlier` similar ones in the window, is one too many. */
export function isLoop(earlier: number, settings: LoopGuardSettings): boolean {
  return earlier >= settings.max;
}
