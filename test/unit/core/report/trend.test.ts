import { describe, expect, it } from 'vitest';
import { explainDeadline } from '../../../../functions/core/deadline/explain.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import type { TrendWeek } from '../../../../functions/core/report/schema.js';
import { DRY_RUN, END, failed, fleetGroup, LIVE, recycled, report, START, trendWeeks } from '../../../report/fixtures.js';

const TICK = 10 * MINUTE;

function week(weeks: readonly TrendWeek[] | null, name: string): TrendWeek {
  const found = weeks?.find((item) => item.week === name);
  if (found === undefined) throw new Error(`no week ${name} in the trend`);
  return found;
}

/**
 * web (max-age 7d, the only group with records that is still in the fleet): one instance alive now, launched START - 3d; one replaced at START - 2d, 8 days old then
 * (launched START - 10d). Hand-checked hours per week:
 * W45 [START-14d, START-7d): the replaced one from START-10d, 72h, all within max-age.
 * W46 [START-7d, START): the replaced one 120h (96 within, past max-age from START-3d: 24h) + the survivor 72h within.
 * W47 (the report's own): the survivor from START, 168h, past max-age from START+4d: 72h.
 */
function trendReport(now = END) {
  const replaced = { ...recycled('web', 'max-age', START - 2 * DAY), startedAt: START - 2 * DAY, instanceAgeSeconds: 8 * 86_400 };
  return report({
    week: '2026-W47',
    groups: [fleetGroup('web', LIVE, { size: 1, ageAtEnd: 10 * DAY }), fleetGroup('dry', DRY_RUN, { size: 1, ageAtEnd: 30 * DAY })],
    records: [
      replaced,
      // Another group's: counted in the weeks, never in web's hours.
      recycled('api', 'chaos', START - 3 * DAY),
      failed('api', START - 10 * DAY, 'never healthy'),
      recycled('api', 'max-age', START + DAY),
      recycled('gone', 'tainted', START - 5 * WEEK),
    ],
    trend: {
      weeks: trendWeeks(),
      ticks: [
        { at: START - WEEK + HOUR, blocked: undefined, skips: {} },
        { at: START + HOUR, blocked: undefined, skips: {} },
      ],
    },
    now,
  });
}

describe('weekly trend', () => {
  it('lists the eight weeks oldest first, ending with the report week', () => {
    expect(trendReport().trend?.map((item) => item.week)).toEqual([
      '2026-W40',
      '2026-W41',
      '2026-W42',
      '2026-W43',
      '2026-W44',
      '2026-W45',
      '2026-W46',
      '2026-W47',
    ]);
  });

  it.each([
    {
      case: 'W42: a gone group still counts, the ledger says it recycled',
      name: '2026-W42',
      recycled: { 'max-age': 0, chaos: 0, tainted: 1, 'stale-config': 0, requested: 0 },
      failures: 0,
    },
    {
      case: 'W45: the instance went, its replacement failed',
      name: '2026-W45',
      recycled: { 'max-age': 1, chaos: 0, tainted: 0, 'stale-config': 0, requested: 0 },
      failures: 1,
    },
    {
      case: 'W46: one max-age and one chaos recycle',
      name: '2026-W46',
      recycled: { 'max-age': 1, chaos: 1, tainted: 0, 'stale-config': 0, requested: 0 },
      failures: 0,
    },
    { case: 'W47: the report week', name: '2026-W47', recycled: { 'max-age': 1, chaos: 0, tainted: 0, 'stale-config': 0, requested: 0 }, failures: 0 },
  ])('counts each week by reason and failed recoveries: $case', ({ name, recycled: counts, failures }) => {
    const item = week(trendReport().trend, name);
    expect(item.recycled).toEqual(counts);
    expect(item.recycledTotal).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect(item.failures).toBe(failures);
  });

  it('estimates a past week from the survivors and the replaced, split at max-age', () => {
    const trend = trendReport().trend;
    expect(week(trend, '2026-W46').withinMaxAge).toEqual({ pct: 87.5, withinHours: 168, totalHours: 192, measured: false, groupsWithMaxAge: 1 });
    expect(week(trend, '2026-W46').ageDebtHours).toBe(24);
    expect(week(trend, '2026-W45').withinMaxAge).toMatchObject({ pct: 100, totalHours: 72 });
    expect(week(trend, '2026-W45').ageDebtHours).toBe(0);
    // Before anything the ledger or fleet can show, there is no share: null, never a reassuring 100%.
    expect(week(trend, '2026-W44').withinMaxAge).toMatchObject({ pct: null, totalHours: 0 });
  });

  it("takes the report week's own share, and its age debt from the same hours", () => {
    const result = trendReport();
    const own = week(result.trend, '2026-W47');
    expect(own.withinMaxAge).toEqual(result.fleet.withinMaxAge);
    expect(own.withinMaxAge).toMatchObject({ withinHours: 96, totalHours: 168 });
    expect(own.ageDebtHours).toBe(72);
  });

  it('counts the recorded ticks, so a week without any reads as unwatched', () => {
    const trend = trendReport().trend;
    expect(week(trend, '2026-W46').ticks).toBe(1);
    expect(week(trend, '2026-W47').ticks).toBe(1);
    expect(week(trend, '2026-W43').ticks).toBe(0);
  });

  it('marks the report week partial and counts it only up to now', () => {
    const trend = trendReport(START + 2 * DAY).trend;
    expect(week(trend, '2026-W47')).toMatchObject({ partial: true, recycledTotal: 1 });
    expect(week(trend, '2026-W46').partial).toBe(false);
    expect(week(trendReport(START + 12 * HOUR).trend, '2026-W47').recycledTotal).toBe(0);
  });

  it('is null when the caller passes no history', () => {
    expect(report().trend).toBeNull();
  });
});

describe('deadlines in needs attention', () => {
  // 20 instances at max-age 7d need about 3 replacements a day; 1/day cannot keep up, 10/day can.
  const behind = fleetGroup('orders', { ...LIVE, 'phoenix:budget': '1/day' }, { size: 20, ageAtEnd: 5 * DAY });
  const ahead = fleetGroup('web', { ...LIVE, 'phoenix:budget': '10/day' }, { size: 4, ageAtEnd: 2 * DAY });

  it('lists an infeasible group with when and why, after failed recoveries and before budget findings', () => {
    const result = report({ groups: [behind, ahead], records: [failed('web', START + DAY, 'never healthy')], tickInterval: TICK });
    expect(result.needsAttention.map((finding) => [finding.group, finding.kind])).toEqual([
      ['web', 'recovery-failed'],
      ['orders', 'will-breach'],
      ['orders', 'budget-too-small'],
    ]);
    expect(result.needsAttention[1]?.text).toMatch(
      /^will breach max-age 2026-11-2\dT.*budget 1\/day.*; feasible with .*; age debt [\d.]+ instance-hours over the next 14 days$/,
    );
  });

  it("counts the groups judged and adds up the fleet's age debt over 14 days", () => {
    const result = report({ groups: [behind, ahead, fleetGroup('no-max-age', { 'phoenix:enabled': 'true' })], tickInterval: TICK });
    const debtOf = (group: typeof behind): number => {
      const parsed = parseGroupPolicy(group.tags);
      if (!parsed.ok) throw new Error('bad tags');
      return explainDeadline({ group, policy: parsed.policy, now: END, tickInterval: TICK, records: [] }, { suggest: false })?.deadline.ageDebtHours ?? 0;
    };
    expect(debtOf(behind)).toBeGreaterThan(0);
    expect(result.deadlines).toEqual({ groupsJudged: 2, infeasibleGroups: 1, ageDebtHours14d: debtOf(behind) + debtOf(ahead) });
  });

  it('a feasible fleet has no finding and no debt', () => {
    const result = report({ groups: [ahead], tickInterval: TICK });
    expect(result.deadlines).toEqual({ groupsJudged: 1, infeasibleGroups: 0, ageDebtHours14d: 0 });
    expect(result.needsAttention).toEqual([]);
  });

  it('predicts nothing without a tick interval', () => {
    const result = report({ groups: [behind] });
    expect(result.deadlines).toBeNull();
    expect(result.needsAttention.map((finding) => finding.kind)).toEqual(['budget-too-small']);
  });
});
