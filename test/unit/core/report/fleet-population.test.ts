import { describe, expect, it } from 'vitest';
import type { ReplacementRecord } from '../../../../functions/core/model.js';
import { DAY, HOUR } from '../../../../functions/core/model.js';
import { WITHIN_MAX_AGE_TARGET_PCT } from '../../../../functions/core/report/findings.js';
import { percent } from '../../../../functions/report/format.js';
import { renderHtml } from '../../../../functions/report/html/page.js';
import { renderMarkdown } from '../../../../functions/report/markdown.js';
import { DRY_RUN, END, fleetGroup, groupOf, LIVE, recycled, report, START, wouldRecycle } from '../../../report/fixtures.js';

// Which groups and instances each fleet figure covers, and that the report says so.

const DISABLED = { 'phoenix:enabled': 'false', 'phoenix:max-age': '7d' } as const;

/** A live group of 4 young instances, a dry-run group of 1 instance 10 days old, a disabled group of 3. */
function mixedFleet() {
  return report({
    records: [recycled('web', 'max-age', START + DAY), wouldRecycle('cache', 'max-age', START + DAY)],
    groups: [
      fleetGroup('web', LIVE, { ageAtEnd: 2 * DAY }),
      fleetGroup('cache', DRY_RUN, { size: 1, ageAtEnd: 10 * DAY }),
      fleetGroup('old', DISABLED, { size: 3, ageAtEnd: 30 * DAY }),
    ],
    ticks: { thisWeek: 1008, previousWeek: 1008 },
  });
}

describe('the header counts', () => {
  it('say what they leave out: disabled groups with their instances, and groups never opted in', () => {
    const result = mixedFleet();
    expect(result.fleet).toMatchObject({ groups: 2, instances: 5, leftOut: { disabledGroups: 1, disabledInstances: 3 } });
    const expected = '2 groups · 5 instances (not counted: 1 disabled group (3 instances) and groups without phoenix:enabled)';
    expect(renderMarkdown(result)).toContain(expected);
    expect(renderHtml(result)).toContain(expected);
  });
});

describe('dry-run groups', () => {
  it('appear once in the HTML page: in their own table, not also among the groups Phoenix acts on', () => {
    const page = renderHtml(mixedFleet());
    expect(page.match(/<th scope="row">cache<\/th>/g)).toHaveLength(1);
    expect(page.match(/<th scope="row">web<\/th>/g)).toHaveLength(1);
    expect(page).toContain('1 dry-run group in their own table below.');
  });

  it('are kept out of the live ages, which are labelled so, and given their own', () => {
    const result = mixedFleet();
    expect(result.fleet.oldest?.group).toBe('web');
    expect(result.fleet.withinMaxAge.groupsWithMaxAge).toBe(1);
    expect(result.fleet.ageHistogram).toEqual({ '<1d': 0, '1-3d': 4, '3-7d': 0, '7-14d': 0, '>=14d': 0 });
    expect(result.fleet.dryRun).toMatchObject({
      groups: 1,
      instances: 1,
      oldest: { group: 'cache', instanceId: 'cache-i0' },
      withinMaxAge: { groupsWithMaxAge: 1 },
    });
    const text = renderMarkdown(result);
    expect(text).toMatch(/- \*\*Age of live groups:\*\* [\d.]+% of instance-hours within max-age \(estimated\); oldest instance 2d \(web-i0 in web\)/);
    expect(text).toMatch(
      /- \*\*Dry run\*\* \(1 group, 1 instance\): would have recycled 1 \(1 max-age\); [\d.]+% of instance-hours within max-age \(estimated\); oldest instance 10d \(cache-i0 in cache\)/,
    );
    const page = renderHtml(result);
    expect(page).toContain('Within max-age · live groups');
    expect(page).toContain('Oldest instance · live groups');
  });

  it('below the target are under needs attention, labelled dry run; live groups and dry-run groups on target are not', () => {
    const result = mixedFleet();
    // 10 days old at the end with max-age 7d: within max-age for the first 96 of the week's 168 hours.
    expect(groupOf(result, 'cache').withinMaxAge.pct).toBe(57.143);
    expect(result.needsAttention).toEqual([
      {
        group: 'cache',
        kind: 'dry-run-behind-max-age',
        text: `dry run: 57.14% of instance-hours within max-age 7d (estimated), below the ${WITHIN_MAX_AGE_TARGET_PCT}% live groups keep; live, it would have recycled 1 this week`,
      },
    ]);
    expect(renderMarkdown(result)).toContain('- **cache**: dry run: 57.14% of instance-hours within max-age 7d (estimated)');
    expect(renderHtml(result)).toContain('<span class="kind">dry run</span> <strong>cache</strong> 57.14% of instance-hours within max-age 7d');
    const young = report({ groups: [fleetGroup('cache', DRY_RUN, { ageAtEnd: 2 * DAY }), fleetGroup('web', LIVE, { ageAtEnd: 10 * DAY })] });
    expect(young.needsAttention).toEqual([]);
  });
});

describe('the estimate of the share within max-age', () => {
  /** Replaced at 8 days old, 2 days into the week, with max-age 7d: a day of its week was past max-age. */
  function lateReplacement(): ReplacementRecord {
    return { ...recycled('web', 'max-age', START + 2 * DAY), instanceId: 'replaced', instanceAgeSeconds: (8 * DAY) / 1000, startedAt: START + 2 * DAY };
  }

  it('counts the instances Phoenix replaced during the week, not only the survivors', () => {
    const groups = [fleetGroup('web', LIVE, { size: 1, ageAtEnd: 5 * DAY })];
    // The survivor alone: 120 hours, all within max-age, which read 100% whatever happened to the others.
    expect(report({ groups }).fleet.withinMaxAge).toMatchObject({ pct: 100, totalHours: 120 });
    const withReplaced = report({ groups, records: [lateReplacement()] });
    // And the replaced one: 48 hours this week, launched 6 days before the week, so the last 24 were past 7 days.
    expect(withReplaced.fleet.withinMaxAge).toMatchObject({ pct: 85.714, withinHours: 144, totalHours: 168, measured: false });
  });

  it('is marked once in the column heading when every row is one, and per row only where rows differ', () => {
    const estimated = renderMarkdown(report({ groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE)] }));
    expect(estimated).toContain('| within max-age (est.) |');
    expect(estimated).not.toContain('% (est.)');
    const mixed = renderMarkdown(
      report({
        groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE)],
        instanceHours: [{ group: 'api', withinMaxAgeHours: 600, totalHours: 672 }],
      }),
    );
    expect(mixed).toContain('| within max-age |');
    expect(mixed.match(/% \(est\.\)/g)).toHaveLength(1);
    const noShare = renderMarkdown(report({ groups: [fleetGroup('web', { 'phoenix:enabled': 'true' })] }));
    expect(noShare).toContain('| within max-age |');
  });

  it('short of 100% is never shown as 100.00%', () => {
    expect(percent(99.996)).toBe('99.99%');
    expect(percent(100)).toBe('100.00%');
    expect(percent(57.143)).toBe('57.14%');
  });
});

describe('the change from last week', () => {
  it('in a first week (no tick the week before) says so instead of counting the whole week as growth', () => {
    const first = report({
      records: [recycled('web', 'max-age', START + HOUR)],
      groups: [fleetGroup('web', LIVE)],
      ticks: { thisWeek: 1008, previousWeek: 0 },
    });
    const text = renderMarkdown(first);
    expect(text).toContain('- **Recycled:** 1 (1 max-age); first week, no run the week before');
    expect(text).toContain('- **Failures:** 0 (first week)');
    expect(text).toContain('| vs last week (first week) |');
    expect(text).not.toMatch(/\+1\b/);
    const page = renderHtml(first);
    expect(page).toContain('<th scope="col" class="num">vs last week<br><span class="small">(first week)</span></th>');
    expect(page).toContain('<br>first week</div>');
    expect(page).toContain('<div class="detail">first week</div>');
    expect(page).not.toContain('+1 vs last week');
  });

  it('after a week that ran is the signed difference', () => {
    const text = renderMarkdown(mixedFleet());
    expect(text).toContain('- **Recycled:** 1 (1 max-age); last week 0 (+1)');
    expect(text).toContain('| vs last week |');
  });

  it('the week ends where the fixtures say', () => {
    expect(mixedFleet().weekEnd).toBe(new Date(END).toISOString());
  });
});
