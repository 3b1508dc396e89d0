import type { Millis } from '../model.js';

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

/** `phoenix:snooze-until` as written and as a time; whether it holds is snooze.ts's to say. */
export interface SnoozeTag {
  readonly until: Millis;
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
  /** `phoenix:canary=true`: the group a new launch version goes to first (see decide/canary.ts). */
  readonly canary: boolean;
  /** `phoenix:max-surge=1`: a group at its max size may have MaxSize raised by one for a surge, and restored after. */
  readonly maxSurge: boolean;
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
  canary: 'phoenix:canary',
  maxSurge: 'phoenix:max-surge',
  exempt: 'phoenix:exempt',
  tainted: 'phoenix:tainted',
  /** Marks a throwaway group that `phoenix selftest` made: the only groups a self-test event may name. */
  selftest: 'phoenix:selftest',
  snoozeUntil: 'phoenix:snooze-until',
  recycleRequested: 'phoenix:recycle-requested',
} as const;

/** The one value of `phoenix:max-surge` that opts a group in; IAM's condition on UpdateAutoScalingGroup names the same. */
export const MAX_SURGE_ON = '1';
