import { describe, expect, it } from 'vitest';
import { openStretches, openTimeOf } from '../../../../functions/core/deadline/open-time.js';
import type { Millis } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import type { TimeWindow } from '../../../../functions/core/policy/policy.js';
import { isWindowOpen, openTimeBetween, parseWindow } from '../../../../functions/core/policy/window.js';

function window(text: string): TimeWindow {
  const result = parseWindow(text);
  if (!result.ok) throw new Error(`fixture window ${text} must parse: ${result.expected}`);
  return result.window;
}

const utc = (iso: string): Millis => Date.parse(`${iso}Z`);

/** Weeks around each DST change of 2026: Europe on 29 March and 25 October, the US on 8 March and 1 November. */
const WEEKS = [
  { case: 'Europe springs forward', from: utc('2026-03-26T00:00') },
  { case: 'Europe falls back', from: utc('2026-10-22T00:00') },
  { case: 'US springs forward', from: utc('2026-03-05T00:00') },
  { case: 'US falls back', from: utc('2026-10-29T00:00') },
];

const WINDOWS = [
  'Mon-Fri 09:00-17:00 Europe/Berlin',
  'daily 01:30-03:30 Europe/Berlin',
  'Fri-Mon 22:00-02:00 America/New_York',
  'Sat,Sun 00:00-24:00 America/New_York',
  'Sun 02:10-02:50 Europe/Berlin',
  'Mon-Fri 09:00-17:00 Asia/Kolkata',
];

describe('open time agrees with the window gate, minute by minute', () => {
  it.each(WEEKS.flatMap((week) => WINDOWS.map((text) => ({ ...week, text }))))('$case: $text', ({ from, text }) => {
    const tagged = window(text);
    const open = openTimeOf(tagged, from, from + WEEK);
    const wrong: string[] = [];
    for (let at = from; at < from + WEEK; at += MINUTE) {
      if (open.isOpen(at) !== isWindowOpen(tagged, at)) wrong.push(new Date(at).toISOString());
    }
    expect(wrong).toEqual([]);
  });
});

describe('open time counts as openTimeBetween does (whole quarter hours)', () => {
  it.each(WEEKS.flatMap((week) => WINDOWS.map((text) => ({ ...week, text }))))('$case: $text', ({ from, text }) => {
    const tagged = window(text);
    const open = openTimeOf(tagged, from, from + WEEK);
    // Odd starts and lengths, so ranges begin and end inside quarters and openings.
    for (let start = from; start < from + 6 * DAY; start += 7 * HOUR + 13 * MINUTE) {
      const end = start + 29 * HOUR + 7 * MINUTE;
      expect(open.openBefore(end) - open.openBefore(start)).toBe(openTimeBetween(tagged, start, end));
    }
  });

  it('reaching is the earliest instant by which that much open time has passed', () => {
    const open = openTimeOf(window('Mon-Fri 09:00-17:00 UTC'), utc('2026-11-23T00:00'), utc('2026-11-30T00:00'));
    const base = open.openBefore(utc('2026-11-23T00:00'));
    expect(open.reaching(base + 8 * HOUR)).toBe(utc('2026-11-23T17:00'));
    expect(open.reaching(base + 8 * HOUR + MINUTE)).toBe(utc('2026-11-24T09:01'));
  });
});

describe('DST moves a Sunday night opening (Sun 01:30-03:30 Europe/Berlin, two hours of wall clock)', () => {
  const sunday = window('Sun 01:30-03:30 Europe/Berlin');
  it.each([
    { case: 'an ordinary winter Sunday: 00:30-02:30 UTC', from: '2026-11-29T00:00', open: [['2026-11-29T00:30', '2026-11-29T02:30']] },
    // 02:00 CET jumps to 03:00 CEST: 01:30-02:00 CET then 03:00-03:30 CEST, one hour in all.
    { case: 'spring forward: one hour', from: '2026-03-29T00:00', open: [['2026-03-29T00:30', '2026-03-29T01:30']] },
    // 03:00 CEST falls back to 02:00 CET: 01:30 CEST to 03:30 CET is three hours.
    { case: 'fall back: three hours', from: '2026-10-24T12:00', open: [['2026-10-24T23:30', '2026-10-25T02:30']] },
  ])('$case', ({ from, open }) => {
    const start = utc(from);
    const stretches = openStretches(sunday, start, start + DAY);
    expect(stretches.map(([a, b]) => [new Date(a).toISOString().slice(0, 16), new Date(b).toISOString().slice(0, 16)])).toEqual(open);
  });
});

describe('windows crossing midnight', () => {
  it('Fri 22:00-06:00 UTC opens Friday night and closes Saturday morning', () => {
    const stretches = openStretches(window('Fri 22:00-06:00 UTC'), utc('2026-11-23T00:00'), utc('2026-11-30T00:00'));
    expect(stretches).toEqual([[utc('2026-11-27T22:00'), utc('2026-11-28T06:00')]]);
  });

  it('an opening that began before the range is cut at its start', () => {
    const stretches = openStretches(window('Sun 22:00-06:00 UTC'), utc('2026-11-23T00:00'), utc('2026-11-24T00:00'));
    expect(stretches).toEqual([[utc('2026-11-23T00:00'), utc('2026-11-23T06:00')]]);
  });
});

describe('nextOpen', () => {
  const open = openTimeOf(window('Mon-Fri 09:00-17:00 UTC'), utc('2026-11-23T00:00'), utc('2026-12-07T00:00'));
  it.each([
    { case: 'open now', at: '2026-11-23T10:00', next: '2026-11-23T10:00' },
    { case: 'before the opening', at: '2026-11-23T08:00', next: '2026-11-23T09:00' },
    { case: 'at the closing, over the weekend', at: '2026-11-27T17:00', next: '2026-11-30T09:00' },
  ])('$case', ({ at, next }) => {
    expect(open.nextOpen(utc(at))).toBe(utc(next));
  });
});
