import type { Millis } from '../model.js';
import type { SnoozeTag } from './snooze.js';

/** `phoenix:enabled`: `true` acts, `dry-run` decides and reports only, `false` ignores the group. */
export type GroupMode = 'live' | 'dry-run' | 'disabled';

/** Most terminations per rolling period, all reasons together (`2/day`). */
export interface Budget {
  readonly count: number;
  readonly period: Millis;
  /** As written in the tag, for reasons and reports. */
  readonly text: string;
}

/** When terminations may happen (`Mon-Fri 09:00-17:00 Europe/Berlin`), in the zone's wall-clock time. */
export interface TimeWindow {
  /** ISO weekdays on which the window opens: 1 = Monday … 7 = Sunday. */
  readonly days: ReadonlySet<number>;
  /** Minutes after local midnight; endMinute may be below startMinute (crosses midnight into the next day). */
  readonly startMinute: number;
  readonly endMinute: number;
  readonly timeZone: string;
  readonly text: string;
}

/** A group's opt-in tags, parsed once and frozen. */
export interface GroupPolicy {
  readonly mode: GroupMode;
  readonly maxAge: Millis | undefined;
  /** Mean time between random kills, counted in window time; undefined is `off`. */
  readonly chaosMeanInterval: Millis | undefined;
  readonly budget: Budget;
  readonly minHealthyPercent: number;
  /** Undefined is always open. */
  readonly window: TimeWindow | undefined;
  readonly recoveryTimeout: Millis;
  readonly taintGrace: Millis;
  /** Present while the group is quarantined (`phoenix:quarantined`), with the tag's text. */
  readonly quarantine: string | undefined;
  /** `phoenix:snooze-until` when present; what it means now (held, refused, bad) depends on the clock and the ledger. */
  readonly snooze: SnoozeTag | undefined;
}

export const TAG = {
  enabled: 'phoenix:enabled',
  maxAge: 'phoenix:max-age',
  chaos: 'phoenix:chaos',
  budget: 'phoenix:budget',
  minHealthy: 'phoenix:min-healthy',
  window: 'phoenix:window',
  recoveryTimeout: 'phoenix:recovery-timeout',
  taintGrace: 'phoenix:taint-grace',
  quarantined: 'phoenix:quarantined',
  snoozeUntil: 'phoenix:snooze-until',
  exempt: 'phoenix:exempt',
  tainted: 'phoenix:tainted',
  recycleRequested: 'phoenix:recycle-requested',
} as const;
