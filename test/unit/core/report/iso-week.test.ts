import { describe, expect, it } from 'vitest';
import { lastCompleteIsoWeek, shiftIsoWeek } from '../../../../functions/core/report/iso-week.js';

describe('lastCompleteIsoWeek', () => {
  it.each([
    { case: 'Monday 08:00 UTC reports the week that just ended', at: '2026-11-23T08:00:00Z', zone: 'UTC', week: '2026-W47' },
    { case: 'Sunday night UTC is still inside W47, so W46 is the last complete one', at: '2026-11-22T23:30:00Z', zone: 'UTC', week: '2026-W46' },
    { case: 'Sunday 23:30 UTC is already Monday in Berlin', at: '2026-11-22T23:30:00Z', zone: 'Europe/Berlin', week: '2026-W47' },
    { case: 'Monday 03:00 UTC is still Sunday in New York', at: '2026-11-23T03:00:00Z', zone: 'America/New_York', week: '2026-W46' },
    { case: 'the first Monday of 2027 reports 2026-W53', at: '2027-01-04T08:00:00Z', zone: 'UTC', week: '2026-W53' },
    { case: 'week 1 of 2026 began on 29 December 2025', at: '2026-01-05T08:00:00Z', zone: 'UTC', week: '2026-W01' },
  ])('$case', ({ at, zone, week }) => {
    expect(lastCompleteIsoWeek(Date.parse(at), zone)).toBe(week);
  });
});

describe('shiftIsoWeek', () => {
  it.each([
    { week: '2026-W47', count: -1, expected: '2026-W46' },
    { week: '2027-W01', count: -1, expected: '2026-W53' },
    { week: '2026-W53', count: 1, expected: '2027-W01' },
    { week: '2026-W01', count: -1, expected: '2025-W52' },
  ])('$week shifted by $count is $expected', ({ week, count, expected }) => {
    expect(shiftIsoWeek(week, count)).toBe(expected);
  });

  it('a malformed week is refused with what is expected', () => {
    expect(() => shiftIsoWeek('2026-47', -1)).toThrow('expected an ISO week YYYY-Www such as 2026-W47');
  });
});
