import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import { formatDuration, parseDuration } from '../../../../functions/core/policy/duration.js';

const UNIT_MS = { m: MINUTE, h: HOUR, d: DAY, w: WEEK } as const;

describe('parseDuration', () => {
  it.each([
    { case: 'minutes', text: '90m', expected: 90 * MINUTE },
    { case: 'hours', text: '36h', expected: 36 * HOUR },
    { case: 'days', text: '7d', expected: 7 * DAY },
    { case: 'weeks', text: '2w', expected: 2 * WEEK },
    { case: 'zero', text: '0m', expected: 0 },
    { case: 'surrounding whitespace is trimmed', text: '  7d\t', expected: 7 * DAY },
  ])('$case: $text', ({ text, expected }) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    { case: 'empty', text: '' },
    { case: 'no unit', text: '7' },
    { case: 'unknown unit', text: '7x' },
    { case: 'seconds are not a unit', text: '30s' },
    { case: 'upper-case unit', text: '7D' },
    { case: 'decimal', text: '1.5h' },
    { case: 'negative', text: '-1h' },
    { case: 'leading plus', text: '+1h' },
    { case: 'leading zero (one spelling per duration)', text: '07d' },
    { case: 'space inside', text: '7 d' },
    { case: 'two units', text: '1h30m' },
    { case: 'too large to be exact', text: '99999999999999999999w' },
  ])('$case: $text does not parse', ({ text }) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('parses any whole count of any unit to count × unit', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom('m', 'h', 'd', 'w'), (count, unit) => {
        expect(parseDuration(`${count}${unit}`)).toBe(count * UNIT_MS[unit]);
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    { case: 'zero', ms: 0, expected: '0m' },
    { case: 'seconds only are truncated', ms: 59_999, expected: '0m' },
    { case: 'minutes', ms: 45 * MINUTE, expected: '45m' },
    { case: 'hours and minutes', ms: 3_900_000, expected: '1h 5m' },
    { case: 'days and hours', ms: 2 * DAY + 3 * HOUR, expected: '2d 3h' },
    { case: 'whole days', ms: 7 * DAY, expected: '7d' },
    { case: 'two weeks stay days', ms: 14 * DAY, expected: '14d' },
    { case: 'only the two largest units', ms: 2 * DAY + 3 * HOUR + 4 * MINUTE + 5_000, expected: '2d 3h' },
    { case: 'a zero unit in between is skipped', ms: 2 * DAY + 5 * MINUTE, expected: '2d 5m' },
    { case: 'negative keeps its sign', ms: -(HOUR + 5 * MINUTE), expected: '-1h 5m' },
  ])('$case', ({ ms, expected }) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('shows parts that each parse and add up to the duration, less anything below the shown units', () => {
    fc.assert(
      fc.property(fc.nat({ max: 400 * DAY }), (ms) => {
        const parts = formatDuration(ms).split(' ');
        const sum = parts.reduce((total, part) => total + (parseDuration(part) ?? Number.NaN), 0);
        expect(sum).toBeLessThanOrEqual(ms);
        // Only days-and-hours drops a unit (minutes); otherwise just the truncated seconds are lost.
        const daysAndHours = parts.length === 2 && parts[1]?.endsWith('h') === true;
        expect(ms - sum).toBeLessThan(daysAndHours ? HOUR : MINUTE);
      }),
    );
  });

  it('is exact for whole minutes with at most two non-zero units', () => {
    fc.assert(
      fc.property(fc.nat({ max: 400 }), fc.nat({ max: 23 }), (days, hours) => {
        const ms = days * DAY + hours * HOUR;
        const sum = formatDuration(ms)
          .split(' ')
          .reduce((total, part) => total + (parseDuration(part) ?? Number.NaN), 0);
        expect(sum).toBe(ms);
      }),
    );
  });
});
