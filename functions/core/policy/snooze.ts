import { TagValueError } from '../errors.js';
import type { Millis } from '../model.js';
import { DAY, TRUSTED_CLOCK_SKEW, WEEK } from '../model.js';
import type { SnoozeTag } from './policy.js';
import { TAG } from './policy.js';

/** The longest a snooze may postpone a group's recycling, counted from when a tick first saw it. */
export const LONGEST_SNOOZE: Millis = DAY;
/** A snooze that ended longer ago than this and is still tagged is a forgotten tag, reported as bad. */
const STALE_AFTER: Millis = DAY;

export const SNOOZE_EXPECTED = 'an ISO time with an offset, such as 2026-12-01T18:00:00Z or 2026-12-01T19:00:00+01:00, at most 24h ahead';

// Seconds and fractions optional; the offset is required so a time never depends on the reader's zone.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A snooze as a tick first saw it, kept in the ledger: its length and its place in the group's week are
 * counted from then, and marking the same value again changes nothing.
 */
export interface SnoozeMark {
  readonly group: string;
  /** The tag's time: the snooze's identity within its group. */
  readonly until: Millis;
  readonly seenAt: Millis;
  /** Who wrote the tag and when, as CloudTrail told the verifier; absent when it did not (no trail, or not yet delivered). */
  readonly setter?: SnoozeSetBy;
}

/** The earliest CloudTrail record of the tag write with this value: the caller and the call's time. */
export interface SnoozeSetBy {
  readonly by: string;
  readonly at: Millis;
}

/** `phoenix:snooze-until`'s time, or undefined when it is not an ISO time with an offset. */
export function parseSnoozeUntil(value: string): SnoozeTag | undefined {
  if (!ISO_WITH_OFFSET.test(value)) return undefined;
  const until = Date.parse(value);
  return Number.isNaN(until) ? undefined : { until, text: value };
}

export type SnoozeState =
  | { readonly kind: 'none' }
  /** Recycling waits until `until`, a taint past its grace aside. `mark` is what the ledger keeps of it. */
  | { readonly kind: 'held'; readonly until: Millis; readonly mark: SnoozeMark; readonly recorded: boolean }
  /** Over the account's weekly limit: not honoured, the group recycles as usual. */
  | { readonly kind: 'refused'; readonly why: string; readonly mark: SnoozeMark; readonly recorded: boolean }
  /** Too long or long past: a bad tag, so the group is skipped and never snoozed longer instead. */
  | { readonly kind: 'bad'; readonly error: TagValueError; readonly mark: SnoozeMark | undefined; readonly recorded: boolean };

const NONE: SnoozeState = Object.freeze({ kind: 'none' });

export interface SnoozeInput {
  /** The group's `phoenix:snooze-until`, when it has one. */
  readonly tag: SnoozeTag | undefined;
  readonly group: string;
  readonly now: Millis;
  /** The group's marks in the ledger (at least the last week's). */
  readonly marks: readonly SnoozeMark[];
  /** The account's most snoozes per group in any rolling week. */
  readonly maxPerWeek: number;
}

function withinLength(mark: SnoozeMark): boolean {
  return mark.until - mark.seenAt <= LONGEST_SNOOZE + TRUSTED_CLOCK_SKEW;
}

function byFirstSight(a: SnoozeMark, b: SnoozeMark): number {
  return a.seenAt - b.seenAt || a.until - b.until;
}

/**
 * What a group's snooze tag means now. A value's length is judged from when it was first seen, so a time
 * two days ahead stays a bad tag instead of becoming a snooze once it is within a day. Of the snoozes first
 * seen in the last week, the earliest `maxPerWeek` hold: the order is the ledger's, so overlapping ticks
 * that each saw a different value still agree on which ones count.
 */
export function snoozeState(input: SnoozeInput): SnoozeState {
  const { tag, group, now, marks, maxPerWeek } = input;
  if (tag === undefined) return NONE;
  const until = tag.until;
  if (until < now - STALE_AFTER) {
    const error = new TagValueError(TAG.snoozeUntil, tag.text, `${SNOOZE_EXPECTED}; this one ended more than a day ago (remove it)`);
    return { kind: 'bad', error, mark: undefined, recorded: false };
  }
  if (until <= now) return NONE;
  const stored = marks.find((mark) => mark.group === group && mark.until === until);
  const mark = stored ?? { group, until, seenAt: now };
  const recorded = stored !== undefined;
  if (!withinLength(mark)) {
    const ahead = `it was ${Math.round((mark.until - mark.seenAt) / 3_600_000)}h ahead when first seen`;
    return { kind: 'bad', error: new TagValueError(TAG.snoozeUntil, tag.text, `${SNOOZE_EXPECTED}; ${ahead}`), mark, recorded };
  }
  const week = marks.filter((other) => other.group === group && other.seenAt > now - WEEK && withinLength(other));
  const counted = (recorded ? week : [...week, mark]).sort(byFirstSight);
  const place = counted.findIndex((other) => other.until === until);
  if (place < maxPerWeek) return { kind: 'held', until, mark, recorded };
  return {
    kind: 'refused',
    why: `snooze refused: the account allows ${maxPerWeek} snoozes per group in any week (deploy parameter maxSnoozesPerWeek)`,
    mark,
    recorded,
  };
}

/** What the group's tick marks in the ledger: a snooze value seen for the first time. */
export function markToWrite(state: SnoozeState): SnoozeMark | undefined {
  return state.kind !== 'none' && !state.recorded ? state.mark : undefined;
}
