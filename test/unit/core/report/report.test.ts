import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Millis, RecycleReason, ReplacementRecord } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import { isoWeekBounds } from '../../../../functions/core/report/iso-week.js';
import type { WeeklyReport } from '../../../../functions/core/report/schema.js';
import { REPORT_REASONS } from '../../../../functions/core/report/schema.js';
import type { SkipCount } from '../../../../functions/core/report/tick-summary.js';
import { weeklyReport } from '../../../../functions/core/report/weekly.js';
import { parseReportJson, renderJson } from '../../../../functions/report/json.js';
import { renderMarkdown } from '../../../../functions/report/markdown.js';
import { DRY_RUN, END, failed, fleetGroup, groupOf, LIVE, recycled, report, START, taintedAfter, wouldRecycle } from '../../../report/fixtures.js';
import { OPTED_IN } from '../../../support/fleet.js';

/** Twenty verified recoveries of 1..20 minutes, spread over two groups and every reason. */
function mixedWeek(): ReplacementRecord[] {
  return Array.from({ length: 20 }, (_, index) =>
    recycled(index % 2 === 0 ? 'web' : 'api', REPORT_REASONS[index % 4] ?? 'max-age', START + (index + 1) * 6 * HOUR, (index + 1) * 60),
  );
}

describe('weeklyReport', () => {
  it('an empty week has zeros, nulls and nothing to attend to', () => {
    const result = report();
    expect(result.schemaVersion).toBe(2);
    expect(result.groups).toEqual([]);
    expect(result.fleet).toMatchObject({
      groups: 0,
      instances: 0,
      recycledTotal: 0,
      wouldRecycleTotal: 0,
      failures: 0,
      quarantines: [],
      skips: {},
      recovery: { verified: 0, p50Seconds: null, p95Seconds: null, maxSeconds: null },
      withinMaxAge: { pct: null, withinHours: 0, totalHours: 0, measured: false, groupsWithMaxAge: 0 },
      oldest: null,
      change: { recycled: 0, failures: 0, p95Seconds: null },
    });
    expect(result.needsAttention).toEqual([]);
    expect(result.weekStart).toBe('2026-11-16T00:00:00.000Z');
  });

  it('a normal week counts by reason and takes nearest-rank p50/p95/max of verified recoveries', () => {
    const result = report({ records: mixedWeek(), groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE)] });
    expect(result.fleet.recycled).toEqual({ 'max-age': 5, chaos: 5, tainted: 5, 'stale-config': 5, requested: 0 });
    expect(result.fleet.recycledTotal).toBe(20);
    // 20 samples of 60..1200 s: p50 is the 10th, p95 the 19th, max the 20th.
    expect(result.fleet.recovery).toEqual({ verified: 20, p50Seconds: 600, p95Seconds: 1140, maxSeconds: 1200 });
    // web holds 60, 180, ..., 1140 s: 10 samples, p50 the 5th (540), p95 the 10th.
    expect(groupOf(result, 'web').recovery).toEqual({ verified: 10, p50Seconds: 540, p95Seconds: 1140, maxSeconds: 1140 });
    expect(groupOf(result, 'web').recycled).toEqual({ 'max-age': 5, chaos: 0, tainted: 5, 'stale-config': 0, requested: 0 });
    expect(groupOf(result, 'api').idleReason).toBeNull();
    expect(result.fleet.failures).toBe(0);
  });

  it('a max size left to its owner this week is listed under needs attention, after failures; one left last week is not', () => {
    const left = (at: number, maxSize: number) => ({
      ...recycled('web', 'max-age', at),
      maxLeft: { maxSize, why: `max size left at ${maxSize}: someone changed it from the 5 Phoenix set during the surge (it was 4 before)` },
    });
    const once = report({ records: [left(START + DAY, 8)], groups: [fleetGroup('web', LIVE)] });
    expect(once.needsAttention).toEqual([{ group: 'web', kind: 'max-left-raised', text: expect.stringMatching(/^max size left at 8: someone changed it/) }]);
    const twice = report({ records: [left(START - DAY, 6), left(START + DAY, 7), left(START + 2 * DAY, 9)], groups: [fleetGroup('web', LIVE)] });
    expect(twice.needsAttention).toEqual([
      { group: 'web', kind: 'max-left-raised', text: expect.stringMatching(/^2 raised max sizes left to the owner; the last: max size left at 9/) },
    ]);
  });

  it('a failure and a quarantine are counted, listed and put first under needs attention', () => {
    const records = [recycled('web', 'max-age', START + DAY), failed('db', START + 2 * DAY, 'recovery timed out after 20m')];
    const groups = [fleetGroup('web', LIVE), fleetGroup('db', { ...LIVE, 'phoenix:quarantined': 'recovery failed 2026-11-18T00:20Z' })];
    const result = report({ records, groups });
    expect(result.fleet.failures).toBe(1);
    expect(groupOf(result, 'db').failures).toBe(1);
    expect(result.fleet.quarantines).toEqual([{ group: 'db', reason: 'recovery failed 2026-11-18T00:20Z' }]);
    expect(result.needsAttention[0]).toEqual({ group: 'db', kind: 'quarantined', text: 'quarantined: recovery failed 2026-11-18T00:20Z' });
    expect(result.needsAttention.map((finding) => finding.kind)).toContain('recovery-failed');
    expect(result.failedReplacements).toEqual([
      {
        group: 'db',
        instanceId: expect.any(String),
        reason: 'max-age',
        startedAt: new Date(START + 2 * DAY - MINUTE).toISOString(),
        detail: 'recovery timed out after 20m',
        url: null,
      },
    ]);
    // A failed replacement's instance did go: it is recycled, and has no recovery time.
    expect(groupOf(result, 'db').recycledTotal).toBe(1);
    expect(groupOf(result, 'db').recovery.verified).toBe(0);
  });

  it('dry-run groups count what they would have recycled, never as recycled', () => {
    const records = [
      wouldRecycle('cache', 'max-age', START + HOUR),
      wouldRecycle('cache', 'max-age', START + DAY),
      wouldRecycle('cache', 'chaos', START + 2 * DAY),
    ];
    const result = report({ records, groups: [fleetGroup('cache', DRY_RUN)] });
    const cache = groupOf(result, 'cache');
    expect(cache.status).toBe('dry-run');
    expect(cache.recycledTotal).toBe(0);
    expect(cache.wouldRecycle).toEqual({ 'max-age': 2, chaos: 1, tainted: 0, 'stale-config': 0, requested: 0 });
    expect(result.fleet.wouldRecycleTotal).toBe(3);
    expect(result.fleet.recycledTotal).toBe(0);
    expect(cache.idleReason).toBeNull();
  });

  it.each([
    { case: 'one millisecond before the start (previous week)', at: START - 1, thisWeek: 0, lastWeek: 1 },
    { case: 'exactly at the start', at: START, thisWeek: 1, lastWeek: 0 },
    { case: 'one millisecond before the end', at: END - 1, thisWeek: 1, lastWeek: 0 },
    { case: 'exactly at the end (next week)', at: END, thisWeek: 0, lastWeek: 0 },
  ])('a termination $case', ({ at, thisWeek, lastWeek }) => {
    const result = report({ records: [recycled('web', 'max-age', at)], groups: [fleetGroup('web', LIVE)] });
    expect(result.fleet.recycledTotal).toBe(thisWeek);
    expect(result.fleet.previousWeek.recycled).toBe(lastWeek);
  });

  it('a Europe/Berlin week across the DST change uses the wall-clock boundaries', () => {
    const { start, end } = isoWeekBounds('2026-W13', 'Europe/Berlin');
    // Monday 23 March 00:00 CET is 22 March 23:00 UTC; Monday 30 March 00:00 CEST is 29 March 22:00 UTC.
    expect(start).toBe(Date.UTC(2026, 2, 22, 23));
    expect(end).toBe(Date.UTC(2026, 2, 29, 22));
    expect(end - start).toBe(167 * HOUR);
    const records = [
      recycled('web', 'max-age', start - 1),
      recycled('web', 'max-age', start),
      recycled('web', 'chaos', end - 1),
      recycled('web', 'chaos', end),
      // Sunday 23:30 Berlin time (21:30 UTC): inside the Berlin week although the UTC week has the same date.
      recycled('web', 'tainted', Date.UTC(2026, 2, 29, 21, 30)),
    ];
    const result = weeklyReport({ weekStart: start, weekEnd: end, week: '2026-W13', records, groups: [fleetGroup('web', LIVE)], skips: [], now: end });
    expect(result.fleet.recycled).toEqual({ 'max-age': 1, chaos: 1, tainted: 1, 'stale-config': 0, requested: 0 });
    expect(result.weekStart).toBe('2026-03-22T23:00:00.000Z');
    expect(result.week).toBe('2026-W13');
  });

  it('a budget too small for max-age is detected, with the numbers in the text', () => {
    const tags = { ...LIVE, 'phoenix:budget': '1/day', 'phoenix:window': 'Mon-Fri 09:00-17:00 UTC' };
    const result = report({ groups: [fleetGroup('batch', tags, { size: 40, ageAtEnd: 3 * DAY })] });
    const batch = groupOf(result, 'batch');
    const text =
      'budget too small for max-age: 40 instances at max-age 7d need 40 replacements a week, but budget 1/day (window Mon-Fri 09:00-17:00 UTC open 23.8% of the week) allows 1.7';
    expect(batch.findings).toEqual([{ group: 'batch', kind: 'budget-too-small', text }]);
    expect(batch.idleReason).toBe(text);
    expect(result.needsAttention).toEqual(batch.findings);
  });

  it('a budget that covers max-age raises nothing', () => {
    const result = report({ groups: [fleetGroup('web', { ...LIVE, 'phoenix:budget': '10/day' }, { size: 40 })] });
    expect(groupOf(result, 'web').findings).toEqual([]);
  });

  it('a window that never opened is named as the reason', () => {
    const tags = { ...LIVE, 'phoenix:window': 'Sat 02:00-03:00 UTC' };
    const skips: SkipCount[] = [
      { group: 'etl', reason: 'outside-window', count: 1000 },
      { group: 'etl', reason: 'outside-window', count: 8 },
    ];
    // One instance: the hour a week is enough for its max-age, so the window is the only finding.
    const result = report({ groups: [fleetGroup('etl', tags, { size: 1, ageAtEnd: 10 * DAY })], skips });
    const etl = groupOf(result, 'etl');
    expect(etl.skips).toEqual({ 'outside-window': 1008 });
    expect(etl.idleReason).toBe('window never open this week (Sat 02:00-03:00 UTC)');
    expect(result.needsAttention).toEqual([{ group: 'etl', kind: 'window-never-open', text: 'window never open this week (Sat 02:00-03:00 UTC)' }]);
  });

  it.each([
    {
      case: 'bad tags',
      tags: { 'phoenix:enabled': 'true', 'phoenix:max-age': '7x' },
      ageAtEnd: DAY,
      reason: /^bad tags: phoenix:max-age="7x": expected a duration/,
    },
    { case: 'no instance reached max-age', tags: LIVE, ageAtEnd: 2 * DAY, reason: /^no instance reached max-age$/ },
    { case: 'no rule at all', tags: { 'phoenix:enabled': 'true' }, ageAtEnd: 2 * DAY, reason: /^no max-age or chaos rule set$/ },
    { case: 'quarantined', tags: { ...LIVE, 'phoenix:quarantined': '' }, ageAtEnd: 9 * DAY, reason: /^quarantined: no reason given$/ },
  ])('an opted-in group with nothing done says why: $case', ({ tags, ageAtEnd, reason }) => {
    const result = report({ groups: [fleetGroup('svc', tags, { ageAtEnd })] });
    expect(groupOf(result, 'svc').idleReason).toMatch(reason);
  });

  it('disabled groups without records are left out; groups gone since are kept for their records', () => {
    const result = report({ groups: [fleetGroup('off', { 'phoenix:enabled': 'false' })], records: [recycled('deleted', 'max-age', START + DAY)] });
    expect(result.groups.map((group) => [group.group, group.status])).toEqual([['deleted', 'gone']]);
    expect(result.fleet.recycledTotal).toBe(1);
  });

  it('the change from the previous week is a signed delta of recycled, failures and p95', () => {
    const records = [
      recycled('web', 'max-age', START - 3 * DAY, 600),
      recycled('web', 'max-age', START - 2 * DAY, 900),
      recycled('web', 'max-age', START - DAY, 1200),
      failed('web', START - DAY + HOUR, 'timed out'),
      failed('web', START - DAY + 2 * HOUR, 'timed out'),
      recycled('web', 'chaos', START + DAY, 300),
      recycled('web', 'chaos', START + 2 * DAY, 420),
    ];
    const result = report({ records, groups: [fleetGroup('web', LIVE)] });
    expect(result.fleet.previousWeek).toEqual({ recycled: 5, failures: 2, p95Seconds: 1200 });
    expect(result.fleet.change).toEqual({ recycled: -3, failures: -2, p95Seconds: 420 - 1200 });
    expect(groupOf(result, 'web').change).toEqual(result.fleet.change);
  });

  it('estimates the share within max-age from current ages, or uses the measurement when given', () => {
    // Launched 10 days before the end: of its 168 hours this week, the first 96 were within 7 days.
    const groups = [fleetGroup('web', LIVE, { size: 1, ageAtEnd: 10 * DAY })];
    const estimated = report({ groups });
    expect(estimated.fleet.withinMaxAge).toEqual({ pct: 57.143, withinHours: 96, totalHours: 168, measured: false, groupsWithMaxAge: 1 });
    expect(estimated.fleet.oldest).toEqual({ group: 'web', instanceId: 'web-i0', ageSeconds: 10 * 86_400, url: null });
    expect(estimated.fleet.ageHistogram).toEqual({ '<1d': 0, '1-3d': 0, '3-7d': 0, '7-14d': 1, '>=14d': 0 });
    const measured = report({ groups, instanceHours: [{ group: 'web', withinMaxAgeHours: 3355, totalHours: 3360 }] });
    expect(measured.fleet.withinMaxAge).toEqual({ pct: 99.851, withinHours: 3355, totalHours: 3360, measured: true, groupsWithMaxAge: 1 });
  });

  it('refuses a week that ends before it starts', () => {
    expect(() => report({ weekEnd: START })).toThrow(/weekEnd .* must be after weekStart/);
  });
});

describe('the week day by day', () => {
  it('counts live recycles by reason and failures on the day the week counts them', () => {
    const records = [
      recycled('web', 'max-age', START),
      recycled('web', 'chaos', START + DAY - 1),
      recycled('web', 'max-age', START + 2 * DAY + HOUR),
      // Started late on Thursday, terminated on Friday: Friday's.
      { ...recycled('api', 'stale-config', START + 4 * DAY + MINUTE), startedAt: START + 4 * DAY - HOUR },
      // Failed: counted as recycled on Saturday when its instance went, as a failure on Sunday when it closed 20 minutes later.
      failed('api', START + 6 * DAY - 10 * MINUTE, 'timed out'),
      wouldRecycle('cache', 'max-age', START + 3 * DAY),
      recycled('web', 'max-age', START - 1),
    ];
    const result = report({ records, groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE), fleetGroup('cache', DRY_RUN)] });
    expect(result.timeZone).toBe('UTC');
    expect(result.fleet.daily.map((day) => [day.date, day.recycledTotal, day.failures])).toEqual([
      ['2026-11-16', 2, 0],
      ['2026-11-17', 0, 0],
      ['2026-11-18', 1, 0],
      ['2026-11-19', 0, 0],
      ['2026-11-20', 1, 0],
      ['2026-11-21', 1, 0],
      ['2026-11-22', 0, 1],
    ]);
    expect(result.fleet.daily[0]).toEqual({
      date: '2026-11-16',
      start: '2026-11-16T00:00:00.000Z',
      end: '2026-11-17T00:00:00.000Z',
      recycled: { 'max-age': 1, chaos: 1, tainted: 0, 'stale-config': 0, requested: 0 },
      recycledTotal: 2,
      failures: 0,
    });
    expect(groupOf(result, 'api').daily.map((day) => day.recycled['stale-config'])).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(groupOf(result, 'cache').daily.every((day) => day.recycledTotal === 0)).toBe(true);
  });

  it.each([
    {
      case: 'Europe/Berlin spring forward: a 23-hour Sunday',
      week: '2026-W13',
      zone: 'Europe/Berlin',
      dates: ['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29'],
      hours: [24, 24, 24, 24, 24, 24, 23],
    },
    {
      case: 'Europe/Berlin fall back: a 25-hour Sunday',
      week: '2026-W43',
      zone: 'Europe/Berlin',
      dates: ['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25'],
      hours: [24, 24, 24, 24, 24, 24, 25],
    },
    {
      case: 'America/New_York spring forward on the Sunday',
      week: '2026-W10',
      zone: 'America/New_York',
      dates: ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'],
      hours: [24, 24, 24, 24, 24, 24, 23],
    },
    {
      case: 'Asia/Tokyo (no DST, ahead of UTC)',
      week: '2026-W47',
      zone: 'Asia/Tokyo',
      dates: ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'],
      hours: [24, 24, 24, 24, 24, 24, 24],
    },
  ])('days are cut at local midnights: $case', ({ week, zone, dates, hours }) => {
    const { start, end } = isoWeekBounds(week, zone);
    const result = weeklyReport({ weekStart: start, weekEnd: end, week, timeZone: zone, records: [], groups: [], skips: [], now: end });
    expect(result.timeZone).toBe(zone);
    expect(result.fleet.daily.map((day) => day.date)).toEqual(dates);
    expect(result.fleet.daily.map((day) => (Date.parse(day.end) - Date.parse(day.start)) / HOUR)).toEqual(hours);
    expect(result.fleet.daily[0]?.start).toBe(result.weekStart);
    expect(result.fleet.daily.at(-1)?.end).toBe(result.weekEnd);
  });

  it('a recycle late on the Berlin Sunday of the DST change lands on that Sunday, not on Monday as in UTC', () => {
    const { start, end } = isoWeekBounds('2026-W13', 'Europe/Berlin');
    const records = [
      // 23:30 on Sunday 29 March, Berlin summer time.
      recycled('web', 'tainted', Date.UTC(2026, 2, 29, 21, 30)),
      // 00:30 on Tuesday 24 March, Berlin winter time: still Monday 23 March in UTC.
      recycled('web', 'max-age', Date.UTC(2026, 2, 23, 23, 30)),
    ];
    const result = weeklyReport({ weekStart: start, weekEnd: end, timeZone: 'Europe/Berlin', records, groups: [fleetGroup('web', LIVE)], skips: [], now: end });
    const byDate = Object.fromEntries(result.fleet.daily.map((day) => [day.date, day.recycledTotal]));
    expect(byDate).toEqual({ '2026-03-23': 0, '2026-03-24': 1, '2026-03-25': 0, '2026-03-26': 0, '2026-03-27': 0, '2026-03-28': 0, '2026-03-29': 1 });
  });

  it('a span that does not start at a local midnight has a short first and last day', () => {
    const weekStart: Millis = START + 12 * HOUR;
    const result = report({ weekStart, weekEnd: weekStart + WEEK, now: weekStart + WEEK });
    expect(result.fleet.daily).toHaveLength(8);
    expect(result.fleet.daily.map((day) => day.date)).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
    ]);
    expect(result.fleet.daily[0]).toMatchObject({ start: '2026-11-16T12:00:00.000Z', end: '2026-11-17T00:00:00.000Z' });
    expect(result.fleet.daily.at(-1)).toMatchObject({ start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T12:00:00.000Z' });
  });

  it('an empty week still has its seven days, all zero, and no touch-to-replacement figures', () => {
    const result = report();
    expect(result.fleet.daily).toHaveLength(7);
    expect(result.fleet.daily.every((day) => day.recycledTotal === 0 && day.failures === 0)).toBe(true);
    expect(result.fleet.taintedResponse).toEqual({ count: 0, p50Seconds: null, maxSeconds: null });
  });

  it('names an unknown time zone', () => {
    expect(() => report({ timeZone: 'Europe/Atlantis' })).toThrow(/time zone "Europe\/Atlantis" is not valid: expected an IANA time zone/);
  });
});

describe('touch to replacement of tainted instances', () => {
  it('is measured from the last touch to the termination, nearest-rank, over the tainted recycles that carry a touch', () => {
    const records = [
      taintedAfter('web', START + DAY, 3600),
      taintedAfter('web', START + 2 * DAY, 5400),
      taintedAfter('api', START + 3 * DAY, 7200),
      // An older record without the touch: recycled as tainted, but not measured.
      recycled('api', 'tainted', START + 4 * DAY),
      // Not tainted, or not in this week, or never terminated: not measured.
      { ...recycled('web', 'max-age', START + DAY), touchedAt: START },
      taintedAfter('web', START - HOUR, 60),
      { ...wouldRecycle('cache', 'tainted', START + DAY), touchedAt: START },
    ];
    const result = report({ records, groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE), fleetGroup('cache', DRY_RUN)] });
    expect(result.fleet.recycled.tainted).toBe(4);
    expect(result.fleet.taintedResponse).toEqual({ count: 3, p50Seconds: 5400, maxSeconds: 7200 });
    expect(groupOf(result, 'web').taintedResponse).toEqual({ count: 2, p50Seconds: 3600, maxSeconds: 5400 });
    expect(groupOf(result, 'api').taintedResponse).toEqual({ count: 1, p50Seconds: 7200, maxSeconds: 7200 });
    expect(groupOf(result, 'cache').taintedResponse).toEqual({ count: 0, p50Seconds: null, maxSeconds: null });
  });
});

describe('isoWeekBounds', () => {
  it.each([
    { case: '2026-W47 UTC', week: '2026-W47', zone: 'UTC', start: Date.UTC(2026, 10, 16), end: Date.UTC(2026, 10, 23) },
    { case: 'week 1 starts in the previous year', week: '2026-W01', zone: 'UTC', start: Date.UTC(2025, 11, 29), end: Date.UTC(2026, 0, 5) },
    { case: '2026 has a week 53 (starts on a Thursday)', week: '2026-W53', zone: 'UTC', start: Date.UTC(2026, 11, 28), end: Date.UTC(2027, 0, 4) },
    { case: '2020 has a week 53 (leap year starting on a Wednesday)', week: '2020-W53', zone: 'UTC', start: Date.UTC(2020, 11, 28), end: Date.UTC(2021, 0, 4) },
    { case: 'Berlin summer time', week: '2026-W47', zone: 'Europe/Berlin', start: Date.UTC(2026, 10, 15, 23), end: Date.UTC(2026, 10, 22, 23) },
    { case: 'New York spring forward on the Sunday', week: '2026-W10', zone: 'America/New_York', start: Date.UTC(2026, 2, 2, 5), end: Date.UTC(2026, 2, 9, 4) },
    { case: 'Berlin fall back (169 hours)', week: '2026-W43', zone: 'Europe/Berlin', start: Date.UTC(2026, 9, 18, 22), end: Date.UTC(2026, 9, 25, 23) },
    { case: 'Tokyo (ahead of UTC)', week: '2026-W47', zone: 'Asia/Tokyo', start: Date.UTC(2026, 10, 15, 15), end: Date.UTC(2026, 10, 22, 15) },
  ])('valid: $case', ({ week, zone, start, end }) => {
    expect(isoWeekBounds(week, zone)).toEqual({ start, end });
  });

  it.each([
    { case: 'no W', week: '2026-47', message: /week "2026-47" is not valid: expected an ISO week YYYY-Www such as 2026-W47/ },
    { case: 'one digit', week: '2026-W7', message: /"2026-W7".*YYYY-Www/ },
    { case: 'empty', week: '', message: /week "" is not valid/ },
    { case: 'lower-case w', week: '2026-w47', message: /"2026-w47".*YYYY-Www/ },
    { case: 'week 0', week: '2026-W00', message: /2026 has weeks W01 to W53/ },
    { case: 'week 53 in a 52-week year', week: '2025-W53', message: /2025 has weeks W01 to W52 \(no week 53 that year\)/ },
    { case: 'week 54', week: '2026-W54', message: /2026 has weeks W01 to W53/ },
  ])('invalid: $case', ({ week, message }) => {
    expect(() => isoWeekBounds(week, 'UTC')).toThrow(message);
  });

  it('names an unknown time zone', () => {
    expect(() => isoWeekBounds('2026-W47', 'Mars/Olympus')).toThrow(/time zone "Mars\/Olympus" is not valid: expected an IANA time zone/);
  });
});

describe('renderers', () => {
  const week = (): WeeklyReport =>
    report({
      week: '2026-W47',
      records: [...mixedWeek(), recycled('web', 'max-age', START - DAY), failed('db', START + DAY, 'recovery timed out')],
      groups: [
        fleetGroup('web', LIVE),
        fleetGroup('api', LIVE),
        fleetGroup('db', { ...LIVE, 'phoenix:quarantined': 'recovery failed' }),
        fleetGroup('etl|nightly', { ...OPTED_IN, 'phoenix:max-age': 'soon' }),
      ],
    });

  it('markdown leads with the headline numbers, then the group rows and what needs attention', () => {
    const text = renderMarkdown(week());
    const lines = text.split('\n');
    expect(lines[0]).toBe('# Phoenix weekly recycle report: 2026-W47');
    expect(text).toContain('**Recycled:** 21 (6 max-age, 5 chaos, 5 tainted, 5 stale config); last week 1 (+20)');
    expect(text).toContain('**Failures:** 1 (+1 vs last week) · **Quarantined now:** 1');
    expect(text).toContain('p50 10m, p95 19m, max 20m (20 verified); p95 +14m vs last week');
    expect(text).toMatch(/\*\*Age of live groups:\*\* \d+\.\d\d% of instance-hours within max-age \(estimated\); oldest instance 2d \(\S+ in \S+\)/);
    expect(lines.some((line) => line.startsWith('| web | live | 4 | 10 (5 max-age, 5 tainted) | +9 |'))).toBe(true);
    expect(lines.some((line) => line.startsWith('| etl\\|nightly | bad-tags |'))).toBe(true);
    expect(text.indexOf('## Groups')).toBeLessThan(text.indexOf('## Needs attention'));
    expect(text).toContain('- **db**: quarantined: recovery failed');
    expect(text).toContain('- **etl\\|nightly**: bad tags: phoenix:max-age="soon"');
    expect(text).toContain('\nRecycled per day (UTC): Mon 3 · Tue 5 · Wed 4 · Thu 4 · Fri 4 · Sat 1 · Sun 0; failures Tue 1\n');
    expect(text).not.toContain('touch to replacement');
    expect(text).not.toMatch(/<[a-z]+[ >]/i);
  });

  it('markdown adds one line for touch-to-replacement when tainted recycles carry a touch', () => {
    const text = renderMarkdown(
      report({
        records: [taintedAfter('web', START + DAY, 2 * 3600), taintedAfter('web', START + 2 * DAY, 3 * 3600 + 300)],
        groups: [fleetGroup('web', LIVE)],
      }),
    );
    expect(text).toContain('- **Tainted, touch to replacement:** p50 2h, max 3h 5m (2 instances)\n');
  });

  it('JSON round-trips, has schemaVersion 2 first and a stable key order', () => {
    const model = week();
    const json = renderJson(model);
    expect(json.split('\n')[1]).toBe('  "schemaVersion": 2,');
    expect(parseReportJson(json)).toEqual(model);
    expect(renderJson(parseReportJson(json))).toBe(json);
    expect(json).toContain('\n  "fleet": {\n    "ageHistogram"');
  });

  it('JSON of another schema version is refused', () => {
    expect(() => parseReportJson('{"schemaVersion":1}')).toThrow(/schemaVersion 1: expected 2/);
  });
});

describe('properties', () => {
  const reasons = fc.constantFrom<RecycleReason>(...REPORT_REASONS);
  const names = fc.constantFrom('a', 'b', 'c', 'gone');
  const anyRecord = fc
    .record({
      group: names,
      reason: reasons,
      live: fc.boolean(),
      phase: fc.constantFrom('verified' as const, 'failed' as const, 'terminating' as const),
      at: fc.integer({ min: START - 2 * WEEK, max: END + DAY }),
      seconds: fc.integer({ min: 1, max: 7200 }),
    })
    .map(({ group, reason, live, phase, at, seconds }): ReplacementRecord => {
      if (!live) return wouldRecycle(group, reason, at);
      const { closedAt, ...open } = recycled(group, reason, at, seconds);
      if (phase === 'terminating') return { ...open, phase };
      return { ...open, phase, ...(closedAt === undefined ? {} : { closedAt }) };
    });

  it('the fleet totals equal the sums over the groups', () => {
    fc.assert(
      fc.property(fc.array(anyRecord, { maxLength: 60 }), (records) => {
        const groups = [fleetGroup('a', LIVE), fleetGroup('b', DRY_RUN), fleetGroup('c', { ...OPTED_IN })];
        const result = report({ records, groups });
        for (const reason of REPORT_REASONS) {
          expect(result.fleet.recycled[reason]).toBe(result.groups.reduce((total, group) => total + group.recycled[reason], 0));
          expect(result.fleet.wouldRecycle[reason]).toBe(result.groups.reduce((total, group) => total + group.wouldRecycle[reason], 0));
        }
        expect(result.fleet.recycledTotal).toBe(result.groups.reduce((total, group) => total + group.recycledTotal, 0));
        expect(result.fleet.failures).toBe(result.groups.reduce((total, group) => total + group.failures, 0));
        expect(result.fleet.recovery.verified).toBe(result.groups.reduce((total, group) => total + group.recovery.verified, 0));
      }),
    );
  });

  it('the days add up to the week, for the fleet and every group', () => {
    fc.assert(
      fc.property(fc.array(anyRecord, { maxLength: 60 }), fc.constantFrom('UTC', 'Europe/Berlin', 'Pacific/Chatham'), (records, timeZone) => {
        const result = report({ records, timeZone, groups: [fleetGroup('a', LIVE), fleetGroup('b', DRY_RUN), fleetGroup('c', { ...OPTED_IN })] });
        for (const figures of [result.fleet, ...result.groups]) {
          for (const reason of REPORT_REASONS) expect(figures.daily.reduce((total, day) => total + day.recycled[reason], 0)).toBe(figures.recycled[reason]);
          expect(figures.daily.reduce((total, day) => total + day.failures, 0)).toBe(figures.failures);
          expect(figures.daily[0]?.start).toBe(result.weekStart);
          expect(figures.daily.at(-1)?.end).toBe(result.weekEnd);
        }
      }),
    );
  });
});
