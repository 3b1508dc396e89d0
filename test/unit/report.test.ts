import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../functions/core/model.js';
import type { SkipCount, WeeklyReport, WeeklyReportInput } from '../../functions/core/report.js';
import { isoWeekBounds, REPORT_REASONS, weeklyReport } from '../../functions/core/report.js';
import { parseReportJson, renderJson } from '../../functions/report/json.js';
import { renderMarkdown } from '../../functions/report/markdown.js';
import { instance } from '../support/fleet.js';

/** ISO week 2026-W47 in UTC: Monday 16 November 2026 00:00 to Monday 23 November 00:00. */
const START: Millis = Date.UTC(2026, 10, 16);
const END: Millis = START + WEEK;

/** A group of `size` instances, all launched `ageAtEnd` before the end of the week. */
function fleetGroup(name: string, tags: Record<string, string>, options: { size?: number; ageAtEnd?: Millis } = {}): Group {
  const { size = 4, ageAtEnd = 2 * DAY } = options;
  return {
    name,
    desired: size,
    min: 1,
    max: size + 1,
    tags,
    instances: Array.from({ length: size }, (_, index) => instance({ id: `${name}-i${index}`, launchedAt: END - ageAtEnd + index * HOUR })),
    suspendedProcesses: [],
    scalingActivityInProgress: false,
    instanceRefreshInProgress: false,
    launchSource: undefined,
  };
}

const LIVE = { 'phoenix:enabled': 'true', 'phoenix:max-age': '7d' } as const;
const DRY_RUN = { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '7d' } as const;

let sequence = 0;

/** A live replacement terminated at `terminatedAt`, verified `recoverySeconds` after it started. */
function recycled(group: string, reason: RecycleReason, terminatedAt: Millis, recoverySeconds = 300): ReplacementRecord {
  sequence += 1;
  const startedAt = terminatedAt - MINUTE;
  return {
    id: `${group}#${sequence}`,
    group,
    instanceId: `i-${sequence}`,
    reason,
    mode: 'live',
    instanceAgeSeconds: 8 * 86_400,
    startedAt,
    phase: 'verified',
    terminatedAt,
    closedAt: startedAt + recoverySeconds * 1000,
  };
}

function failed(group: string, terminatedAt: Millis, detail: string): ReplacementRecord {
  return { ...recycled(group, 'max-age', terminatedAt), phase: 'failed', closedAt: terminatedAt + 20 * MINUTE, detail };
}

function wouldRecycle(group: string, reason: RecycleReason, at: Millis): ReplacementRecord {
  sequence += 1;
  return { id: `${group}#${sequence}`, group, instanceId: `i-${sequence}`, reason, mode: 'dry-run', instanceAgeSeconds: 8 * 86_400, startedAt: at, phase: 'dry-run', closedAt: at };
}

function report(overrides: Partial<WeeklyReportInput> = {}): WeeklyReport {
  return weeklyReport({ weekStart: START, weekEnd: END, records: [], groups: [], skips: [], now: END, ...overrides });
}

function groupOf(result: WeeklyReport, name: string) {
  const found = result.groups.find((group) => group.group === name);
  if (found === undefined) throw new Error(`no group ${name} in the report`);
  return found;
}

/** Twenty verified recoveries of 1..20 minutes, spread over two groups and every reason. */
function mixedWeek(): ReplacementRecord[] {
  return Array.from({ length: 20 }, (_, index) =>
    recycled(index % 2 === 0 ? 'web' : 'api', REPORT_REASONS[index % 4] ?? 'max-age', START + (index + 1) * 6 * HOUR, (index + 1) * 60),
  );
}

describe('weeklyReport', () => {
  it('an empty week has zeros, nulls and nothing to attend to', () => {
    const result = report();
    expect(result.schemaVersion).toBe(1);
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
      withinMaxAge: { pct: null, withinHours: 0, totalHours: 0, measured: false },
      oldest: null,
      change: { recycled: 0, failures: 0, p95Seconds: null },
    });
    expect(result.needsAttention).toEqual([]);
    expect(result.weekStart).toBe('2026-11-16T00:00:00.000Z');
  });

  it('a normal week counts by reason and takes nearest-rank p50/p95/max of verified recoveries', () => {
    const result = report({ records: mixedWeek(), groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE)] });
    expect(result.fleet.recycled).toEqual({ 'max-age': 5, chaos: 5, tainted: 5, 'stale-config': 5 });
    expect(result.fleet.recycledTotal).toBe(20);
    // 20 samples of 60..1200 s: p50 is the 10th, p95 the 19th, max the 20th.
    expect(result.fleet.recovery).toEqual({ verified: 20, p50Seconds: 600, p95Seconds: 1140, maxSeconds: 1200 });
    // web holds 60, 180, ..., 1140 s: 10 samples, p50 the 5th (540), p95 the 10th.
    expect(groupOf(result, 'web').recovery).toEqual({ verified: 10, p50Seconds: 540, p95Seconds: 1140, maxSeconds: 1140 });
    expect(groupOf(result, 'web').recycled).toEqual({ 'max-age': 5, chaos: 0, tainted: 5, 'stale-config': 0 });
    expect(groupOf(result, 'api').idleReason).toBeNull();
    expect(result.fleet.failures).toBe(0);
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
      { group: 'db', instanceId: expect.any(String), reason: 'max-age', startedAt: new Date(START + 2 * DAY - MINUTE).toISOString(), detail: 'recovery timed out after 20m' },
    ]);
    // A failed replacement's instance did go: it is recycled, and has no recovery time.
    expect(groupOf(result, 'db').recycledTotal).toBe(1);
    expect(groupOf(result, 'db').recovery.verified).toBe(0);
  });

  it('dry-run groups count what they would have recycled, never as recycled', () => {
    const records = [wouldRecycle('cache', 'max-age', START + HOUR), wouldRecycle('cache', 'max-age', START + DAY), wouldRecycle('cache', 'chaos', START + 2 * DAY)];
    const result = report({ records, groups: [fleetGroup('cache', DRY_RUN)] });
    const cache = groupOf(result, 'cache');
    expect(cache.status).toBe('dry-run');
    expect(cache.recycledTotal).toBe(0);
    expect(cache.wouldRecycle).toEqual({ 'max-age': 2, chaos: 1, tainted: 0, 'stale-config': 0 });
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
    expect(result.fleet.recycled).toEqual({ 'max-age': 1, chaos: 1, tainted: 1, 'stale-config': 0 });
    expect(result.weekStart).toBe('2026-03-22T23:00:00.000Z');
    expect(result.week).toBe('2026-W13');
  });

  it('a budget too small for max-age is detected, with the numbers in the text', () => {
    const tags = { ...LIVE, 'phoenix:budget': '1/day', 'phoenix:window': 'Mon-Fri 09:00-17:00 UTC' };
    const result = report({ groups: [fleetGroup('batch', tags, { size: 40, ageAtEnd: 3 * DAY })] });
    const batch = groupOf(result, 'batch');
    const text = 'budget too small for max-age: 40 instances at max-age 7d need 40 replacements a week, but budget 1/day (window Mon-Fri 09:00-17:00 UTC open 23.8% of the week) allows 1.7';
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
    { case: 'bad tags', tags: { 'phoenix:enabled': 'true', 'phoenix:max-age': '7x' }, ageAtEnd: DAY, reason: /^bad tags: phoenix:max-age="7x": expected a duration/ },
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
    expect(estimated.fleet.withinMaxAge).toEqual({ pct: 57.143, withinHours: 96, totalHours: 168, measured: false });
    expect(estimated.fleet.oldest).toEqual({ group: 'web', instanceId: 'web-i0', ageSeconds: 10 * 86_400 });
    expect(estimated.fleet.ageHistogram).toEqual({ '<1d': 0, '1-3d': 0, '3-7d': 0, '7-14d': 1, '>=14d': 0 });
    const measured = report({ groups, instanceHours: [{ group: 'web', withinMaxAgeHours: 3355, totalHours: 3360 }] });
    expect(measured.fleet.withinMaxAge).toEqual({ pct: 99.851, withinHours: 3355, totalHours: 3360, measured: true });
  });

  it('refuses a week that ends before it starts', () => {
    expect(() => report({ weekEnd: START })).toThrow(/weekEnd .* must be after weekStart/);
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
      groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE), fleetGroup('db', { ...LIVE, 'phoenix:quarantined': 'recovery failed' }), fleetGroup('etl|nightly', { 'phoenix:enabled': 'true', 'phoenix:max-age': 'soon' })],
    });

  it('markdown leads with the headline numbers, then the group rows and what needs attention', () => {
    const text = renderMarkdown(week());
    const lines = text.split('\n');
    expect(lines[0]).toBe('# Phoenix weekly recycle report: 2026-W47');
    expect(text).toContain('**Recycled:** 21 (6 max-age, 5 chaos, 5 tainted, 5 stale config); last week 1 (+20)');
    expect(text).toContain('**Failures:** 1 (+1 vs last week) · **Quarantined now:** 1');
    expect(text).toContain('p50 10m, p95 19m, max 20m (20 verified); p95 +14m vs last week');
    expect(text).toMatch(/\*\*Age:\*\* 100\.00% of instance-hours within max-age \(estimated from current ages\); oldest instance 2d \(\S+ in \S+\)/);
    expect(lines.some((line) => line.startsWith('| web | live | 4 | 10 (5 max-age, 5 tainted) | +9 |'))).toBe(true);
    expect(lines.some((line) => line.startsWith('| etl\\|nightly | bad-tags |'))).toBe(true);
    expect(text.indexOf('## Groups')).toBeLessThan(text.indexOf('## Needs attention'));
    expect(text).toContain('- **db**: quarantined: recovery failed');
    expect(text).toContain('- **etl|nightly**: bad tags: phoenix:max-age="soon"');
    expect(text).not.toMatch(/<[a-z]+[ >]/i);
  });

  it('JSON round-trips, has schemaVersion 1 first and a stable key order', () => {
    const model = week();
    const json = renderJson(model);
    expect(json.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(parseReportJson(json)).toEqual(model);
    expect(renderJson(parseReportJson(json))).toBe(json);
    expect(json).toContain('\n  "fleet": {\n    "ageHistogram"');
  });

  it('JSON of another schema version is refused', () => {
    expect(() => parseReportJson('{"schemaVersion":2}')).toThrow(/schemaVersion 2: expected 1/);
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
        const groups = [fleetGroup('a', LIVE), fleetGroup('b', DRY_RUN), fleetGroup('c', { 'phoenix:enabled': 'true' })];
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
});
