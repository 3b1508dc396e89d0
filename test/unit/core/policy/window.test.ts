import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Millis } from '../../../../functions/core/model.js';
import { MINUTE } from '../../../../functions/core/model.js';
import type { TimeWindow } from '../../../../functions/core/policy/policy.js';
import { isWindowOpen, openTimeBetween, parseWindow } from '../../../../functions/core/policy/window.js';

function window(text: string): TimeWindow {
  const result = parseWindow(text);
  if (!result.ok) throw new Error(`fixture window ${text} must parse: ${result.expected}`);
  return result.window;
}

const utc = (iso: string): Millis => Date.parse(`${iso}Z`);

describe('parseWindow accepts', () => {
  it.each([
    { case: 'weekday range', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', days: [1, 2, 3, 4, 5], start: 540, end: 1020, zone: 'Europe/Berlin' },
    { case: 'weekend range', text: 'Sat-Sun 00:00-24:00 UTC', days: [6, 7], start: 0, end: 1440, zone: 'UTC' },
    { case: 'comma list', text: 'Mon,Wed,Fri 10:00-11:00 UTC', days: [1, 3, 5], start: 600, end: 660, zone: 'UTC' },
    { case: 'range wrapping past Sunday', text: 'Fri-Mon 10:00-12:00 UTC', days: [1, 5, 6, 7], start: 600, end: 720, zone: 'UTC' },
    { case: 'ranges and days mixed', text: 'Mon-Wed,Fri 08:30-09:45 America/New_York', days: [1, 2, 3, 5], start: 510, end: 585, zone: 'America/New_York' },
    { case: 'daily', text: 'daily 09:00-17:00 UTC', days: [1, 2, 3, 4, 5, 6, 7], start: 540, end: 1020, zone: 'UTC' },
    { case: 'one-day range', text: 'Mon-Mon 09:00-17:00 UTC', days: [1], start: 540, end: 1020, zone: 'UTC' },
    { case: 'crossing midnight', text: 'Fri 22:00-06:00 UTC', days: [5], start: 1320, end: 360, zone: 'UTC' },
    { case: 'ending at 00:00 means the next midnight', text: 'Sun 22:00-00:00 UTC', days: [7], start: 1320, end: 0, zone: 'UTC' },
    { case: 'last minute of the day', text: 'Mon 23:59-24:00 UTC', days: [1], start: 1439, end: 1440, zone: 'UTC' },
  ])('$case: $text', ({ text, days, start, end, zone }) => {
    const parsed = window(text);
    expect([...parsed.days].sort()).toEqual(days);
    expect(parsed).toMatchObject({ startMinute: start, endMinute: end, timeZone: zone, text });
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it('normalizes surrounding and repeated whitespace in its text', () => {
    expect(window('  Mon-Fri   09:00-17:00\tUTC ').text).toBe('Mon-Fri 09:00-17:00 UTC');
  });
});

describe('parseWindow rejects, saying which part is wrong', () => {
  it.each([
    { case: 'empty', text: '', says: ['<days> <HH:MM>-<HH:MM> <IANA time zone>'] },
    { case: 'days only', text: 'Mon-Fri', says: ['<days> <HH:MM>-<HH:MM> <IANA time zone>'] },
    { case: 'a fourth part', text: 'Mon-Fri 09:00-17:00 Europe/Berlin now', says: ['such as Mon-Fri 09:00-17:00 Europe/Berlin'] },
    { case: 'zone missing (no silent UTC)', text: 'Mon-Fri 09:00-17:00', says: ['time zone', 'such as UTC', 'no default'] },
    { case: 'lower-case day', text: 'mon-fri 09:00-17:00 UTC', says: ['a day range such as Mon-Fri', '"mon-fri"'] },
    { case: 'unknown day', text: 'Mon-Fry 09:00-17:00 UTC', says: ['a day range', '"Mon-Fry"'] },
    { case: 'empty list item', text: 'Mon,,Fri 09:00-17:00 UTC', says: ['a day range', '""'] },
    { case: 'range of three', text: 'Mon-Wed-Fri 09:00-17:00 UTC', says: ['a day range', '"Mon-Wed-Fri"'] },
    { case: 'Daily is case-sensitive', text: 'Daily 09:00-17:00 UTC', says: ['a day range'] },
    { case: 'single-digit hour', text: 'Mon 9:00-17:00 UTC', says: ['times HH:MM-HH:MM'] },
    { case: 'hour 24 at the start', text: 'Mon 24:00-06:00 UTC', says: ['times HH:MM-HH:MM'] },
    { case: 'past 24:00 at the end', text: 'Mon 09:00-24:01 UTC', says: ['times HH:MM-HH:MM', 'end may be 24:00'] },
    { case: 'minute 60', text: 'Mon 09:60-17:00 UTC', says: ['times HH:MM-HH:MM'] },
    { case: 'hour 25', text: 'Mon 09:00-25:00 UTC', says: ['times HH:MM-HH:MM'] },
    { case: 'no dash between times', text: 'Mon 09:00/17:00 UTC', says: ['times HH:MM-HH:MM'] },
    { case: 'start equals end', text: 'Mon 09:00-09:00 UTC', says: ['different start and end'] },
    { case: 'midnight to midnight as 00:00-00:00', text: 'Mon 00:00-00:00 UTC', says: ['different start and end'] },
    { case: 'unknown zone', text: 'Mon-Fri 09:00-17:00 Europe/Berln', says: ['an IANA time zone such as Europe/Berlin or UTC', '"Europe/Berln" is unknown'] },
    { case: 'offset is not a zone name', text: 'Mon-Fri 09:00-17:00 CET+1', says: ['"CET+1" is unknown'] },
    { case: 'every wrong part is named', text: 'Mon-Fry 9-17 Mars/Olympus', says: ['a day range', 'times HH:MM-HH:MM', '"Mars/Olympus" is unknown'] },
  ])('$case: $text', ({ text, says }) => {
    const result = parseWindow(text);
    expect(result.ok).toBe(false);
    for (const fragment of says) expect(result.ok ? '' : result.expected).toContain(fragment);
  });
});

describe('isWindowOpen', () => {
  it('is always open without a window', () => {
    expect(isWindowOpen(undefined, utc('2026-01-17T03:00:00'))).toBe(true);
  });

  it.each([
    // Europe/Berlin is UTC+1 in January, UTC+2 in July.
    { case: 'Berlin weekday, winter, 09:00 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-01-12T08:00:00', open: true },
    { case: 'Berlin weekday, winter, 08:59 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-01-12T07:59:00', open: false },
    { case: 'Berlin weekday, winter, 16:59 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-01-12T15:59:00', open: true },
    { case: 'Berlin weekday, winter, 17:00 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-01-12T16:00:00', open: false },
    { case: 'Berlin weekday, summer, 09:00 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-07-13T07:00:00', open: true },
    { case: 'Berlin weekday, summer, 08:59 local', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-07-13T06:59:00', open: false },
    { case: 'Berlin Saturday midday', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', at: '2026-01-17T11:00:00', open: false },
    { case: 'Berlin Monday 00:30 local is still Sunday in UTC', text: 'Mon 00:00-01:00 Europe/Berlin', at: '2026-01-11T23:30:00', open: true },
    // America/New_York is UTC-5 in January.
    { case: 'New York Friday evening', text: 'Sat-Sun 00:00-24:00 America/New_York', at: '2026-01-16T23:30:00', open: false },
    { case: 'New York Friday 23:59 (Saturday in UTC)', text: 'Sat-Sun 00:00-24:00 America/New_York', at: '2026-01-17T04:59:00', open: false },
    { case: 'New York Saturday 00:00', text: 'Sat-Sun 00:00-24:00 America/New_York', at: '2026-01-17T05:00:00', open: true },
    { case: 'New York Sunday 23:59 (Monday in UTC)', text: 'Sat-Sun 00:00-24:00 America/New_York', at: '2026-01-19T04:59:00', open: true },
    { case: 'New York Monday 00:00', text: 'Sat-Sun 00:00-24:00 America/New_York', at: '2026-01-19T05:00:00', open: false },
    { case: 'midnight-crossing: Friday 21:59', text: 'Fri 22:00-06:00 UTC', at: '2026-01-16T21:59:00', open: false },
    { case: 'midnight-crossing: Friday 22:00', text: 'Fri 22:00-06:00 UTC', at: '2026-01-16T22:00:00', open: true },
    { case: 'midnight-crossing: Saturday 05:59', text: 'Fri 22:00-06:00 UTC', at: '2026-01-17T05:59:00', open: true },
    { case: 'midnight-crossing: Saturday 06:00', text: 'Fri 22:00-06:00 UTC', at: '2026-01-17T06:00:00', open: false },
    { case: 'midnight-crossing: Saturday 22:00 (Saturday not listed)', text: 'Fri 22:00-06:00 UTC', at: '2026-01-17T22:00:00', open: false },
    { case: 'midnight-crossing: Friday 05:00 (Thursday not listed)', text: 'Fri 22:00-06:00 UTC', at: '2026-01-16T05:00:00', open: false },
    { case: 'midnight-crossing over the week: Sunday night into Monday', text: 'Sun 22:00-02:00 UTC', at: '2026-01-12T01:00:00', open: true },
    { case: 'wrapping day range: Sunday', text: 'Fri-Mon 10:00-12:00 UTC', at: '2026-01-18T11:00:00', open: true },
    { case: 'wrapping day range: Monday', text: 'Fri-Mon 10:00-12:00 UTC', at: '2026-01-12T11:00:00', open: true },
    { case: 'wrapping day range: Tuesday', text: 'Fri-Mon 10:00-12:00 UTC', at: '2026-01-13T11:00:00', open: false },
    { case: '24:00 end: 23:59', text: 'Mon 20:00-24:00 UTC', at: '2026-01-12T23:59:59', open: true },
    { case: '24:00 end: next 00:00', text: 'Mon 20:00-24:00 UTC', at: '2026-01-13T00:00:00', open: false },
    { case: '24:00 end: 19:59', text: 'Mon 20:00-24:00 UTC', at: '2026-01-12T19:59:00', open: false },
  ])('$case', ({ text, at, open }) => {
    expect(isWindowOpen(window(text), utc(at))).toBe(open);
  });

  describe('DST days in Europe/Berlin follow the wall clock', () => {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC. 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
    it.each([
      { case: 'spring: Sun 00:59 CET, before the night window', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-03-28T23:59:00', open: false },
      { case: 'spring: Sun 01:00 CET opens', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-03-29T00:00:00', open: true },
      { case: 'spring: 03:00 CEST right after the jump', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-03-29T01:00:00', open: true },
      { case: 'spring: 03:59 CEST', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-03-29T01:59:00', open: true },
      { case: 'spring: 04:00 CEST closes', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-03-29T02:00:00', open: false },
      { case: 'spring: day before, 08:00 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-28T07:00:00', open: false },
      { case: 'spring: day before, 09:00 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-28T08:00:00', open: true },
      { case: 'spring: change day, 08:59 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-29T06:59:00', open: false },
      { case: 'spring: change day, 09:00 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-29T07:00:00', open: true },
      { case: 'spring: change day, 16:59 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-29T14:59:00', open: true },
      { case: 'spring: change day, 17:00 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-03-29T15:00:00', open: false },
      { case: 'fall: Sun 00:59 CEST', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-24T22:59:00', open: false },
      { case: 'fall: Sun 01:00 CEST opens (Saturday in UTC)', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-24T23:00:00', open: true },
      { case: 'fall: first 02:30 (CEST)', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-25T00:30:00', open: true },
      { case: 'fall: second 02:30 (CET)', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-25T01:30:00', open: true },
      { case: 'fall: 03:59 CET', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-25T02:59:00', open: true },
      { case: 'fall: 04:00 CET closes', text: 'Sun 01:00-04:00 Europe/Berlin', at: '2026-10-25T03:00:00', open: false },
      { case: 'fall: day before, 08:59 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-24T06:59:00', open: false },
      { case: 'fall: day before, 09:00 CEST', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-24T07:00:00', open: true },
      { case: 'fall: change day, 08:59 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-25T07:59:00', open: false },
      { case: 'fall: change day, 09:00 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-25T08:00:00', open: true },
      { case: 'fall: change day, 16:59 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-25T15:59:00', open: true },
      { case: 'fall: change day, 17:00 CET', text: 'daily 09:00-17:00 Europe/Berlin', at: '2026-10-25T16:00:00', open: false },
    ])('$case', ({ text, at, open }) => {
      expect(isWindowOpen(window(text), utc(at))).toBe(open);
    });

    it.each([
      { case: 'spring: the 3-hour night window is open 2 real hours', day: '2026-03-29', openMinutes: 120 },
      { case: 'fall: the 3-hour night window is open 4 real hours', day: '2026-10-25', openMinutes: 240 },
      { case: 'an ordinary Sunday: 3 real hours', day: '2026-06-14', openMinutes: 180 },
    ])('$case', ({ day, openMinutes }) => {
      const night = window('Sun 01:00-04:00 Europe/Berlin');
      // From Saturday 12:00 UTC, a whole day either side of the local Sunday night.
      const from = utc(`${day}T00:00:00`) - 12 * 60 * MINUTE;
      let open = 0;
      for (let minute = 0; minute < 2 * 1440; minute += 1) if (isWindowOpen(night, from + minute * MINUTE)) open += 1;
      expect(open).toBe(openMinutes);
    });
  });

  it('keeps answering right when many instants and zones interleave (the per-zone memo)', () => {
    // Edges off the hour and 7-minute steps: a memo keyed too coarsely, or shared across zones, answers wrong.
    const berlin = window('daily 09:10-17:50 Europe/Berlin');
    const utcDaily = window('daily 09:10-17:50 UTC');
    const base = utc('2026-01-12T00:00:00');
    const instants = Array.from({ length: 206 }, (_, step) => base + step * 7 * MINUTE);
    const inside = (minute: number): boolean => minute >= 550 && minute < 1070;
    for (const at of [...instants, ...[...instants].reverse()]) {
      const minute = (at - base) / MINUTE;
      // Berlin is UTC+1 in January.
      expect(isWindowOpen(berlin, at)).toBe(inside((minute + 60) % 1440));
      expect(isWindowOpen(utcDaily, at)).toBe(inside(minute % 1440));
    }
  });
});

describe('openTimeBetween', () => {
  it.each([
    { case: 'no window: all of it', text: undefined, from: '2026-01-12T00:00:00', to: '2026-01-19T00:00:00', hours: 168 },
    { case: 'office hours over a week', text: 'Mon-Fri 09:00-17:00 Europe/Berlin', from: '2026-01-12T00:00:00', to: '2026-01-19T00:00:00', hours: 40 },
    {
      case: 'office hours over the spring-forward week',
      text: 'Mon-Fri 09:00-17:00 Europe/Berlin',
      from: '2026-03-23T00:00:00',
      to: '2026-04-06T00:00:00',
      hours: 80,
    },
    { case: 'a night crossing midnight', text: 'Fri 22:00-06:00 UTC', from: '2026-01-12T00:00:00', to: '2026-01-19T00:00:00', hours: 8 },
    { case: 'a closed weekend', text: 'Mon-Fri 08:00-18:00 UTC', from: '2026-01-16T18:00:00', to: '2026-01-19T08:00:00', hours: 0 },
    { case: 'part of a quarter hour at each end', text: 'daily 12:00-13:00 UTC', from: '2026-01-12T12:07:00', to: '2026-01-12T12:52:00', hours: 0.75 },
    { case: 'an empty interval', text: 'daily 00:00-24:00 UTC', from: '2026-01-12T12:00:00', to: '2026-01-12T11:00:00', hours: 0 },
  ])('$case', ({ text, from, to, hours }) => {
    expect(openTimeBetween(text === undefined ? undefined : window(text), utc(from), utc(to))).toBe(hours * 60 * MINUTE);
  });
});

/** Zones whose offset has not changed since 2000, so a reference can add the offset itself. */
const FIXED_ZONES = [
  { zone: 'UTC', offsetMinutes: 0 },
  { zone: 'Etc/GMT-5', offsetMinutes: 300 },
  { zone: 'Etc/GMT+8', offsetMinutes: -480 },
  { zone: 'Asia/Kolkata', offsetMinutes: 330 },
  { zone: 'Asia/Kathmandu', offsetMinutes: 345 },
  { zone: 'Pacific/Kiritimati', offsetMinutes: 840 },
] as const;

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * Independent of the implementation's formulation: the window is a set of intervals on the local
 * minute line, one per listed day, each starting that day at `start` and lasting its length.
 */
function referenceOpen(days: readonly number[], start: number, end: number, offsetMinutes: number, at: Millis): boolean {
  const localMinute = Math.floor(at / MINUTE) + offsetMinutes;
  const today = Math.floor(localMinute / 1440);
  const length = end > start ? end - start : end + 1440 - start;
  return [today, today - 1].some((day) => {
    // 1970-01-01 (day 0) was a Thursday, ISO weekday 4.
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    const opens = day * 1440 + start;
    return days.includes(weekday) && localMinute >= opens && localMinute < opens + length;
  });
}

describe('window properties', () => {
  const windows = fc
    .record({
      days: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
      start: fc.integer({ min: 0, max: 1439 }),
      end: fc.integer({ min: 0, max: 1440 }),
      fixed: fc.constantFrom(...FIXED_ZONES),
    })
    .filter(({ start, end }) => start !== end);
  const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });

  it('agrees with an interval-based reference for any window in fixed-offset zones', () => {
    fc.assert(
      fc.property(windows, instants, ({ days, start, end, fixed }, at) => {
        const text = `${days.map((day) => DAY_NAMES[day - 1]).join(',')} ${hhmm(start)}-${hhmm(end)} ${fixed.zone}`;
        const parsed = window(text);
        expect(isWindowOpen(parsed, at)).toBe(referenceOpen(days, start, end, fixed.offsetMinutes, at));
      }),
      { numRuns: 2000 },
    );
  });

  it('a same-day UTC window is open iff the UTC weekday is listed and the UTC minute is in [start, end)', () => {
    fc.assert(
      fc.property(
        windows.filter(({ start, end }) => start < end),
        instants,
        ({ days, start, end }, at) => {
          const parsed = window(`${days.map((day) => DAY_NAMES[day - 1]).join(',')} ${hhmm(start)}-${hhmm(end)} UTC`);
          const date = new Date(at);
          const weekday = ((date.getUTCDay() + 6) % 7) + 1;
          const minute = date.getUTCHours() * 60 + date.getUTCMinutes();
          expect(isWindowOpen(parsed, at)).toBe(days.includes(weekday) && minute >= start && minute < end);
        },
      ),
    );
  });

  it('open time over a week equals the minutes the reference finds open (quarter-hour windows)', () => {
    fc.assert(
      fc.property(
        windows.filter(({ start, end }) => start % 15 === 0 && end % 15 === 0),
        ({ days, start, end }) => {
          const parsed = window(`${days.map((day) => DAY_NAMES[day - 1]).join(',')} ${hhmm(start)}-${hhmm(end)} UTC`);
          const monday = utc('2026-01-12T00:00:00');
          let open = 0;
          for (let minute = 0; minute < 7 * 1440; minute += 1) if (referenceOpen(days, start, end, 0, monday + minute * MINUTE)) open += 1;
          expect(openTimeBetween(parsed, monday, monday + 7 * 1440 * MINUTE)).toBe(open * MINUTE);
        },
      ),
      { numRuns: 50 },
    );
  });
});
