import { IsoWeekError } from '../errors.js';
import type { Millis } from '../model.js';
import { DAY, WEEK } from '../model.js';
import { wallClock, zoneFormatter, zoneOffset } from '../policy/zone-clock.js';

/**
 * Calendar arithmetic in IANA time zones, through Intl (the runtime's tz data, no library): ISO
 * weeks, local midnights and local days, for the weekly report.
 */

/** A day as instants: from one local midnight to the next, labelled with its local date. */
export interface Day {
  readonly date: string;
  readonly start: Millis;
  readonly end: Millis;
}

const ISO_WEEK = /^([1-9]\d{3})-W(\d{2})$/;

/** The instant of a wall-clock midnight in the zone; if a DST jump skips that midnight, the first instant after it. */
function zonedMidnight(formatter: Intl.DateTimeFormat, utcMidnight: Millis): Millis {
  const first = utcMidnight - zoneOffset(formatter, utcMidnight);
  const second = utcMidnight - zoneOffset(formatter, first);
  if (zoneOffset(formatter, second) === utcMidnight - second) return second;
  // Neither guess maps back to midnight: the midnight does not exist; the day begins when the jump ends.
  return Math.max(first, second);
}

/** The span cut at the zone's local midnights, each piece labelled with its local date. */
export function daysOf(formatter: Intl.DateTimeFormat, from: Millis, to: Millis): Day[] {
  const days: Day[] = [];
  const firstDate = Math.floor(wallClock(formatter, from) / DAY) * DAY;
  for (let date = firstDate, start = from; start < to; date += DAY) {
    const end = Math.min(to, zonedMidnight(formatter, date + DAY));
    // Only a local midnight that repeats (clocks set back across 00:00) can end a day before it starts.
    if (end <= start) continue;
    days.push({ date: new Date(date).toISOString().slice(0, 10), start, end });
    start = end;
  }
  return days;
}

function isoWeekday(utcDay: Millis): number {
  return ((new Date(utcDay).getUTCDay() + 6) % 7) + 1;
}

/** Monday (UTC midnight) of ISO week 1: the week holding 4 January. */
function weekOneMonday(year: number): Millis {
  const january4 = Date.UTC(year, 0, 4);
  return january4 - (isoWeekday(january4) - 1) * DAY;
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
function isoWeeksInYear(year: number): number {
  return (weekOneMonday(year + 1) - weekOneMonday(year)) / WEEK;
}

/**
 * The instants at which ISO week `2026-W47` starts and ends (Monday 00:00 to the next Monday 00:00, end
 * exclusive) on the wall clock of `timeZone`; a week across a DST change is 167 or 169 hours long.
 */
export function isoWeekBounds(week: string, timeZone: string): { start: Millis; end: Millis } {
  const match = ISO_WEEK.exec(week);
  if (match === null) throw new IsoWeekError(week, 'expected an ISO week YYYY-Www such as 2026-W47');
  const year = Number(match[1]);
  const number = Number(match[2]);
  const weeks = isoWeeksInYear(year);
  if (number < 1 || number > weeks) {
    throw new IsoWeekError(week, `${year} has weeks W01 to W${weeks}${number === 53 ? ` (no week 53 that year)` : ''}`);
  }
  const formatter = zoneFormatter(timeZone);
  const monday = weekOneMonday(year) + (number - 1) * WEEK;
  return { start: zonedMidnight(formatter, monday), end: zonedMidnight(formatter, monday + WEEK) };
}

/** The ISO week (`2026-W47`) of the UTC calendar date at `at`: the week's Thursday decides its year. */
function isoWeekOfDate(at: Millis): string {
  const thursday = Math.floor(at / DAY) * DAY + (4 - isoWeekday(at)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const number = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK) + 1;
  return `${year}-W${String(number).padStart(2, '0')}`;
}

/** The week `count` weeks after (negative: before) `week`; validates `week` as isoWeekBounds does. */
export function shiftIsoWeek(week: string, count: number): string {
  return isoWeekOfDate(isoWeekBounds(week, 'UTC').start + count * WEEK);
}

/**
 * The last ISO week that had ended by `at` on the wall clock of `timeZone`: what a report run on
 * Monday morning covers.
 */
export function lastCompleteIsoWeek(at: Millis, timeZone: string): string {
  return isoWeekOfDate(wallClock(zoneFormatter(timeZone), at) - WEEK);
}
