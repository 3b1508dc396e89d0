import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../../../functions/core/model.js';
import { FutureWeekError } from '../../../../functions/core/report/weekly.js';
import { renderHtml } from '../../../../functions/report/html/page.js';
import { renderMarkdown } from '../../../../functions/report/markdown.js';
import { END, fleetGroup, LIVE, report, START } from '../../../report/fixtures.js';
import { OPTED_IN } from '../../../support/fleet.js';

// What a week's report may claim: only what the week held, only once it has begun, and only if the recycler ran.

describe('a share within max-age that cannot be computed', () => {
  it('says no instance existed when the groups have a max-age, not that none has one', () => {
    const result = report({ groups: [fleetGroup('web', LIVE, { size: 0 })] });
    expect(result.fleet.withinMaxAge).toMatchObject({ pct: null, groupsWithMaxAge: 1 });
    const text = renderMarkdown(result);
    expect(text).toContain('**Age of live groups:** no instance-hours this week in the 1 live group with a max-age;');
    expect(text).not.toContain('has a max-age');
    expect(renderHtml(result)).toContain('no instance-hours this week in the 1 live group with a max-age');
  });

  it('says no group has a max-age when none has', () => {
    const result = report({ groups: [fleetGroup('web', { ...OPTED_IN, 'phoenix:chaos': '7d' })] });
    expect(result.fleet.withinMaxAge).toMatchObject({ pct: null, groupsWithMaxAge: 0 });
    expect(renderMarkdown(result)).toContain('**Age of live groups:** no live group has a max-age;');
  });
});

describe('a week the recycler never ran', () => {
  const silent = () => report({ groups: [fleetGroup('web', LIVE)], ticks: { thisWeek: 0, previousWeek: 1008 } });

  it('is a finding about the whole fleet, so its zeros do not read as a calm week', () => {
    expect(silent().fleetFindings).toEqual([
      {
        kind: 'recycler-not-running',
        text: expect.stringContaining('the recycler never ran this week (2026-11-16T00:00:00.000Z to 2026-11-23T00:00:00.000Z): no tick in the ledger'),
      },
    ]);
  });

  it('is listed first under needs attention in Markdown and HTML, and counted in the headline', () => {
    const text = renderMarkdown(silent());
    const attention = text.slice(text.indexOf('## Needs attention'));
    expect(attention).toMatch(/^## Needs attention\n\n- \*\*Whole fleet\*\*: the recycler never ran this week/);
    expect(attention).not.toContain('Nothing.');
    expect(text).toContain('- **Needs attention:** 1 item, listed below');
    const page = renderHtml(silent());
    expect(page).toContain('<h2>Needs attention <span class="count">1</span></h2>');
    expect(page).toContain('<strong>whole fleet</strong> the recycler never ran this week');
    expect(page).not.toContain('Nothing needs attention');
  });

  it.each([
    { case: 'the recycler ran', ticks: { thisWeek: 1, previousWeek: 0 } },
    { case: 'the caller did not count the ticks', ticks: undefined },
  ])('is not claimed when $case', ({ ticks }) => {
    const result = report({ groups: [fleetGroup('web', LIVE)], ...(ticks === undefined ? {} : { ticks }) });
    expect(result.fleetFindings).toEqual([]);
    expect(renderMarkdown(result)).toContain('## Needs attention\n\nNothing.');
  });
});

describe('a week that has not begun or not ended', () => {
  it.each([
    { case: 'a week that starts after now', now: START - DAY },
    { case: 'a week that starts exactly now', now: START },
  ])('refuses $case, naming the week, its start and now', ({ now }) => {
    const build = () => report({ week: '2026-W47', now });
    expect(build).toThrow(FutureWeekError);
    expect(build).toThrow(
      `week 2026-W47 has not begun: it starts 2026-11-16T00:00:00.000Z, after now (${new Date(now).toISOString()}): expected a week that has begun`,
    );
  });

  it('marks the current week partial and ends its days at now, so the days to come do not read as quiet ones', () => {
    const now = START + 2 * DAY + 6 * HOUR;
    const result = report({ week: '2026-W47', now, groups: [fleetGroup('web', LIVE, { ageAtEnd: 5 * DAY + 18 * HOUR })] });
    expect(result.partial).toBe(true);
    expect(result.fleet.daily.map((day) => day.date)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18']);
    expect(result.fleet.daily.at(-1)?.end).toBe(new Date(now).toISOString());
    const text = renderMarkdown(result);
    expect(text).toMatch(/^# Phoenix weekly recycle report: 2026-W47 \(partial\)\n/);
    expect(text).toContain('**Partial week:** the week has not ended; figures run to 2026-11-18T06:00:00.000Z.');
    expect(renderHtml(result)).toContain('<span class="badge partial">partial week</span>');
  });

  it('a week that has ended is not partial', () => {
    const result = report({ now: END });
    expect(result.partial).toBe(false);
    expect(renderMarkdown(result)).not.toContain('artial');
  });
});

describe('a version the breaker blocked', () => {
  const blocked = () =>
    report({
      groups: [
        { ...fleetGroup('web', LIVE), launchSource: { kind: 'template', id: 'lt-0abc', version: '7' } },
        { ...fleetGroup('api', LIVE), launchSource: { kind: 'template', id: 'lt-0abc', version: '6' } },
      ],
      versionBlocks: [{ key: 'lt-0abc:7', blockedAt: END - DAY, why: 'its canary replacement in web failed to recover', trippedBy: 'web#1' }],
    });

  it('is the first thing that needs attention, naming the groups that wait on it and how to lift it', () => {
    const result = blocked();
    expect(result.blockedVersions).toEqual([
      { version: 'lt-0abc:7', blockedAt: new Date(END - DAY).toISOString(), why: 'its canary replacement in web failed to recover', groups: ['web'] },
    ]);
    expect(result.fleetFindings[0]).toMatchObject({ kind: 'version-blocked', text: expect.stringContaining('version lt-0abc:7 blocked since') });
    const text = renderMarkdown(result);
    const attention = text.slice(text.indexOf('## Needs attention'));
    expect(attention.split('\n')[2]).toContain('**Whole fleet**: version lt-0abc:7 blocked since');
    expect(attention).toContain('web wait until phoenix release --version or --ami lifts it');
    expect(renderHtml(result)).toContain('<span class="kind">version blocked</span>');
  });

  it('is absent when nothing is blocked', () => {
    expect(report({ groups: [fleetGroup('web', LIVE)] }).blockedVersions).toEqual([]);
  });
});
