import type { Millis } from '../functions/core/model.js';
import { DAY, TRUSTED_CLOCK_SKEW, WEEK } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import { parseSnoozeUntil } from '../functions/core/policy/snooze.js';

/** A value an owner wrote to `phoenix:snooze-until`, as the world saw it written. */
interface Sighting {
  readonly text: string;
  readonly setAt: Millis;
  /** Undefined: not an ISO time with an offset (the group's tags then do not parse, a brake of its own). */
  readonly until: Millis | undefined;
  /** At most a day ahead of when it was written, and among the first allowed in the week before it. */
  readonly valid: boolean;
  readonly withinLimit: boolean;
}

export interface SnoozeWatchOptions {
  readonly clock: { now(): Millis };
  /** How late after a write Phoenix may first see it: a Describe's lag and a tick or two. */
  readonly seenWithin: Millis;
  readonly maxPerWeek: number;
}

/** What the world did with snoozes, counted from the tag writes themselves. */
export interface SnoozeFigures {
  /** Values written to `phoenix:snooze-until`, removals aside. */
  readonly set: number;
  /** Well formed, at most a day ahead, within the weekly limit: each must hold. */
  readonly honourable: number;
  /** Well formed and short enough, but beyond the weekly limit counted from the writes: may be refused. */
  readonly overLimit: number;
  /** Malformed, more than a day ahead, or long past: bad tags. */
  readonly bad: number;
  /** Terminations other than an undo of tainted instances while a snooze held: the one rule a snooze leaves running. */
  readonly taintedReplacedWhileSnoozed: number;
}

/**
 * The referee's own reading of snoozes, from when each value was written, never from Phoenix's marks. It
 * judges a snooze held only where Phoenix must certainly hold it: a value at most a day ahead of its write,
 * with fewer than the limit of such writes in the week and the lateness before it (Phoenix counts from
 * when it first saw each one, later than the write, so it never counts more). A value more than a day and
 * that lateness ahead, or more than a day and that lateness past, is a bad tag that stops the group.
 */
export class SnoozeWatch {
  private readonly byGroup = new Map<string, Sighting[]>();
  /** The value each group carries now, if any. */
  private readonly current = new Map<string, Sighting>();
  private taintedReplaced = 0;

  constructor(private readonly options: SnoozeWatchOptions) {}

  tagsChanged(group: string, tags: Readonly<Record<string, string>>): void {
    const text = tags[TAG.snoozeUntil];
    if (text === undefined) {
      this.current.delete(group);
      return;
    }
    if (this.current.get(group)?.text === text) return;
    const setAt = this.options.clock.now();
    const until = parseSnoozeUntil(text)?.until;
    const valid = until !== undefined && until > setAt && until - setAt <= DAY;
    const earlier = (this.byGroup.get(group) ?? []).filter((sighting) => sighting.valid && sighting.setAt > setAt - WEEK - this.options.seenWithin);
    const sighting: Sighting = { text, setAt, until, valid, withinLimit: earlier.length < this.options.maxPerWeek };
    this.byGroup.set(group, [...(this.byGroup.get(group) ?? []), sighting]);
    this.current.set(group, sighting);
  }

  /**
   * Whether a termination now (not an undo) breaks the group's snooze: one that holds, unless the victim
   * is tainted; or a bad snooze value, which stops the group like any bad tag. `visible` says whether a
   * write at that time is one Phoenix has read by now.
   */
  breaks(group: string, victimTainted: boolean, visible: (since: Millis) => boolean): boolean {
    const sighting = this.current.get(group);
    if (sighting?.until === undefined || !visible(sighting.setAt)) return false;
    const now = this.options.clock.now();
    const slack = TRUSTED_CLOCK_SKEW + this.options.seenWithin;
    if (sighting.until - sighting.setAt > DAY + slack) return true;
    if (now > sighting.until + DAY + slack) return true;
    const holds = sighting.valid && sighting.withinLimit && now < sighting.until;
    if (holds && victimTainted) this.taintedReplaced += 1;
    return holds && !victimTainted;
  }

  figures(): SnoozeFigures {
    const all = [...this.byGroup.values()].flat();
    const wellFormed = all.filter((sighting) => sighting.valid);
    return {
      set: all.length,
      honourable: wellFormed.filter((sighting) => sighting.withinLimit).length,
      overLimit: wellFormed.filter((sighting) => !sighting.withinLimit).length,
      bad: all.filter((sighting) => !sighting.valid && !shortPast(sighting)).length,
      taintedReplacedWhileSnoozed: this.taintedReplaced,
    };
  }
}

/** A time already past when written, by less than a day: a snooze over, not a bad tag. */
function shortPast(sighting: Sighting): boolean {
  return sighting.until !== undefined && sighting.until <= sighting.setAt && sighting.until >= sighting.setAt - DAY;
}
