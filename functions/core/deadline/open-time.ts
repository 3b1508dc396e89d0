import type { Millis } from '../model.js';
import { DAY, MINUTE } from '../model.js';
import type { TimeWindow } from '../policy/policy.js';
import { zoneFormatter, zoneOffset } from '../policy/zone-clock.js';

/**
 * A window's open time as a function the deadline model can ask thousands of times per group: whether it
 * is open at an instant (the window gate's question), how much open time lies before an instant (the
 * spreading rule's question) and when that much has passed. Built once per window text and range from
 * the zone's offsets, so a week is a few dozen intervals instead of hundreds of wall-clock lookups.
 */
export interface OpenTime {
  /** Exactly as `isWindowOpen`. */
  isOpen(at: Millis): boolean;
  /** Open time before `at`, counted as `openTimeBetween` counts it (whole quarter hours that start open). */
  openBefore(at: Millis): Millis;
  /** The earliest instant by which `openBefore` reaches `amount`. */
  reaching(amount: Millis): Millis;
  /** The earliest instant at or after `at` that is open; undefined when none is before the range ends. */
  nextOpen(at: Millis): Millis | undefined;
  /** The window as tagged, or `always`. */
  readonly text: string;
}

const ALWAYS: OpenTime = {
  isOpen: () => true,
  openBefore: (at) => at,
  reaching: (amount) => amount,
  nextOpen: (at) => at,
  text: 'always',
};

/** `openTimeBetween` counts a quarter hour as open when its first instant is: the same step here. */
const QUARTER: Millis = 15 * MINUTE;

const ceilTo = (at: Millis, step: Millis): Millis => Math.ceil(at / step) * step;

/** Interval boundaries as parallel arrays, sorted and disjoint, with the open time before each. */
interface Intervals {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Open time before interval i. */
  readonly before: Float64Array;
}

/** The zone's offset from UTC at `at`, in milliseconds (wall clock minus UTC). */
function offsetAt(timeZone: string, at: Millis): Millis {
  return zoneOffset(zoneFormatter(timeZone), at);
}

/** Stretches of constant offset covering [from, to): DST moves the wall clock only at these seams. */
function offsetSegments(timeZone: string, from: Millis, to: Millis): { start: Millis; end: Millis; offset: Millis }[] {
  const segments: { start: Millis; end: Millis; offset: Millis }[] = [];
  let start = from;
  let offset = offsetAt(timeZone, from);
  for (let probe = from + DAY; start < to; probe += DAY) {
    const at = Math.min(probe, to);
    const next = offsetAt(timeZone, at);
    if (next !== offset) {
      // Offsets change on a whole minute: find it between the last probe and this one.
      let low = at - DAY;
      let high = at;
      while (high - low > MINUTE) {
        const middle = Math.floor((low + high) / 2 / MINUTE) * MINUTE;
        if (offsetAt(timeZone, middle) === offset) low = middle;
        else high = middle;
      }
      segments.push({ start, end: high, offset });
      start = high;
      offset = next;
    }
    if (at >= to) break;
  }
  segments.push({ start, end: to, offset });
  return segments;
}

/** ISO weekday (1 = Monday) of the day that starts at `dayStart` (a multiple of DAY). */
const weekdayOf = (dayStart: Millis): number => ((Math.floor(dayStart / DAY) + 3) % 7) + 1;

/**
 * The window's open stretches over [from, to), exact to the minute: within each stretch of constant
 * offset the wall clock runs straight, so a day's opening (start on a listed day, end the same day or,
 * crossing midnight, the next) maps back by that offset. A wall-clock hour skipped in spring is never
 * open; one repeated in autumn is open both times, as the gate judges it.
 */
export function openStretches(window: TimeWindow, from: Millis, to: Millis): [Millis, Millis][] {
  const stretches: [Millis, Millis][] = [];
  const crosses = window.endMinute <= window.startMinute;
  for (const { start, end, offset } of offsetSegments(window.timeZone, from, to)) {
    const wallFrom = start + offset;
    const wallTo = end + offset;
    for (let day = Math.floor(wallFrom / DAY) * DAY - DAY; day < wallTo; day += DAY) {
      if (!window.days.has(weekdayOf(day))) continue;
      const open = day + window.startMinute * MINUTE;
      const close = day + (crosses ? DAY : 0) + window.endMinute * MINUTE;
      const a = Math.max(open, wallFrom);
      const b = Math.min(close, wallTo);
      if (a < b) stretches.push([a - offset, b - offset]);
    }
  }
  return merge(stretches);
}

function merge(stretches: [Millis, Millis][]): [Millis, Millis][] {
  stretches.sort((x, y) => x[0] - y[0]);
  const merged: [Millis, Millis][] = [];
  for (const stretch of stretches) {
    const last = merged.at(-1);
    if (last !== undefined && stretch[0] <= last[1]) last[1] = Math.max(last[1], stretch[1]);
    else merged.push([stretch[0], stretch[1]]);
  }
  return merged;
}

function toIntervals(stretches: readonly [Millis, Millis][]): Intervals {
  const starts = new Float64Array(stretches.length);
  const ends = new Float64Array(stretches.length);
  const before = new Float64Array(stretches.length);
  let total = 0;
  stretches.forEach(([start, end], index) => {
    starts[index] = start;
    ends[index] = end;
    before[index] = total;
    total += end - start;
  });
  return { starts, ends, before };
}

/** Index of the last interval starting at or before `at`, or -1. */
function lastStartingBy(starts: Float64Array, at: Millis): number {
  let low = 0;
  let high = starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((starts[middle] as number) <= at) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

function windowOpenTime(window: TimeWindow, from: Millis, to: Millis): OpenTime {
  const stretches = openStretches(window, from, to);
  const exact = toIntervals(stretches);
  // The quarter-hour count: a quarter is open when its first instant is, so [a, b) counts as [ceil a, ceil b).
  const quarters = toIntervals(merge(stretches.map(([a, b]): [Millis, Millis] => [ceilTo(a, QUARTER), ceilTo(b, QUARTER)]).filter(([a, b]) => a < b)));
  const total = quarters.starts.length === 0 ? 0 : (quarters.before.at(-1) as number) + (quarters.ends.at(-1) as number) - (quarters.starts.at(-1) as number);
  return {
    text: window.text,
    isOpen(at) {
      const index = lastStartingBy(exact.starts, at);
      return index >= 0 && at < (exact.ends[index] as number);
    },
    openBefore(at) {
      const index = lastStartingBy(quarters.starts, at);
      if (index < 0) return 0;
      return (quarters.before[index] as number) + Math.min(at, quarters.ends[index] as number) - (quarters.starts[index] as number);
    },
    reaching(amount) {
      if (amount <= 0) return from;
      if (amount > total) return Infinity;
      // The first interval whose end reaches the amount.
      let low = 0;
      let high = quarters.starts.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        const reached = (quarters.before[middle] as number) + (quarters.ends[middle] as number) - (quarters.starts[middle] as number);
        if (reached >= amount) high = middle;
        else low = middle + 1;
      }
      return (quarters.starts[low] as number) + amount - (quarters.before[low] as number);
    },
    nextOpen(at) {
      const index = lastStartingBy(exact.starts, at);
      if (index >= 0 && at < (exact.ends[index] as number)) return at;
      const next = exact.starts[index + 1];
      return next === undefined ? undefined : next;
    },
  };
}

/** Built windows by text, each over the range it was built for; a wider request rebuilds it. Bounded like the window parser's cache. */
const built = new Map<string, { readonly from: Millis; readonly to: Millis; readonly open: OpenTime }>();
const BUILT_LIMIT = 1000;
/** Ranges are rounded out to weeks so that a fleet's groups, asked at slightly different horizons, share one build. */
const RANGE_STEP: Millis = 7 * DAY;

/** The window's open time over at least [from, to); no window is always open. */
export function openTimeOf(window: TimeWindow | undefined, from: Millis, to: Millis): OpenTime {
  if (window === undefined) return ALWAYS;
  const cached = built.get(window.text);
  if (cached !== undefined && cached.from <= from && cached.to >= to) return cached.open;
  const start = Math.floor(Math.min(from, cached?.from ?? from) / RANGE_STEP) * RANGE_STEP;
  const end = ceilTo(Math.max(to, cached?.to ?? to), RANGE_STEP);
  if (built.size >= BUILT_LIMIT) built.clear();
  const open = windowOpenTime(window, start, end);
  built.set(window.text, { from: start, to: end, open });
  return open;
}
