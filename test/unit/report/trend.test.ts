import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import type { WeeklyReport } from '../../../functions/core/report/schema.js';
import { renderHtml } from '../../../functions/report/html/page.js';
import { parseReportJson, renderJson } from '../../../functions/report/json.js';
import { renderMarkdown } from '../../../functions/report/markdown.js';
import { END, failed, fleetGroup, LIVE, recycled, report, START, trendWeeks } from '../../report/fixtures.js';

/**
 * web as in the model's trend tests (W46 87.50% est. with 24 h of debt; in W47 96 h within, 72 h past), already past
 * max-age, and orders, which cannot keep up: its 20 instances add 2210 h within max-age to W47 (2306 of 2378 h).
 */
function withTrend(): WeeklyReport {
  return report({
    week: '2026-W47',
    groups: [
      fleetGroup('web', LIVE, { size: 1, ageAtEnd: 10 * DAY }),
      fleetGroup('orders', { ...LIVE, 'phoenix:budget': '1/day' }, { size: 20, ageAtEnd: 5 * DAY }),
    ],
    records: [
      { ...recycled('web', 'max-age', START - 2 * DAY), startedAt: START - 2 * DAY, instanceAgeSeconds: 8 * 86_400 },
      { ...recycled('api', 'chaos', START - 3 * DAY), instanceAgeSeconds: undefined },
      { ...failed('api', START - 10 * DAY, 'never healthy'), instanceAgeSeconds: undefined },
    ],
    trend: { weeks: trendWeeks(), ticks: [START - 6 * DAY, START - 13 * DAY, START + HOUR].map((at) => ({ at, blocked: undefined, skips: {} })) },
    tickInterval: 10 * MINUTE,
    now: END,
  });
}

function debtOf(result: WeeklyReport): number {
  if (result.deadlines === null) throw new Error('no deadlines in the report');
  return result.deadlines.ageDebtHours14d;
}

describe('the trend in Markdown', () => {
  const result = withTrend();
  const lines = renderMarkdown(result).split('\n');

  it('gives a row a week, oldest first, with the estimate marked and an unwatched week said', () => {
    const start = lines.indexOf('## Trend, last 8 weeks');
    expect(lines.slice(start + 2, start + 4)).toEqual([
      '| week | recycled | failed recoveries | within max-age | age debt | recycler ticks |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    ]);
    expect(lines.slice(start + 4, start + 12)).toEqual([
      '| 2026-W40 | 0 | 0 | – | – | 0 (not running) |',
      '| 2026-W41 | 0 | 0 | – | – | 0 (not running) |',
      '| 2026-W42 | 0 | 0 | – | – | 0 (not running) |',
      '| 2026-W43 | 0 | 0 | – | – | 0 (not running) |',
      '| 2026-W44 | 0 | 0 | – | – | 0 (not running) |',
      '| 2026-W45 | 1 (1 max-age) | 1 | 100.00% (est.) | 0 h | 1 |',
      '| 2026-W46 | 2 (1 max-age, 1 chaos) | 0 | 87.50% (est.) | 24 h | 1 |',
      '| 2026-W47 | 0 | 0 | 96.97% (est.) | 72 h | 1 |',
    ]);
    expect(lines[start + 13]).toMatch(
      /^Within max-age and age debt cover the live groups at today's max-age\. This week's share is the report's own; earlier weeks' \(est\.\) are estimated/,
    );
  });

  it("lists the fleet's age debt and the infeasible group under needs attention, and counts them in the headline", () => {
    const attention = lines.slice(lines.indexOf('## Needs attention'));
    expect(attention[2]).toBe(
      `- **Whole fleet**: age debt ${debtOf(result)} instance-hours past max-age predicted over the next 14 days; 2 of 2 groups with max-age will breach`,
    );
    expect(attention[3]).toMatch(/^- \*\*orders\*\*: will breach max-age 2026-11-2/);
    expect(lines).toContain(`- **Needs attention:** ${result.needsAttention.length + 1} items, listed below`);
  });

  it('shows neither without history or a tick interval', () => {
    const text = renderMarkdown(report({ groups: [fleetGroup('web', LIVE)] }));
    expect(text).not.toContain('## Trend');
    expect(text).not.toContain('age debt');
  });

  it('a fleet that keeps up adds no age debt line: nothing needs attention', () => {
    const text = renderMarkdown(report({ groups: [fleetGroup('web', { ...LIVE, 'phoenix:budget': '10/day' })], tickInterval: 10 * MINUTE }));
    expect(text).toContain('## Needs attention\n\nNothing.\n');
  });
});

describe('the trend in HTML', () => {
  const result = withTrend();
  const page = renderHtml(result);

  it('is a table of eight weeks with the estimate marked, and the note on what it is computed from', () => {
    const table = /<h2>Trend, last 8 weeks<\/h2>[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(table.match(/<tr><th scope="row"/g)).toHaveLength(8);
    expect(table).toContain(
      '<tr><th scope="row" class="nowrap">2026-W46</th><td>2 (1 max-age, 1 chaos)</td><td class="num">0</td><td class="num">87.50% (est.)</td><td class="num">24 h</td><td class="num">1</td></tr>',
    );
    expect(table).toContain('<td class="num bad">1</td>');
    expect(table).toContain('estimated from the instances alive now and those Phoenix replaced');
  });

  it("puts the fleet's age debt under needs attention and counts it", () => {
    expect(page).toContain(`<span class="kind">age debt</span> <strong>whole fleet</strong> ${debtOf(result)} instance-hours past max-age predicted`);
    expect(page).toContain(`<h2>Needs attention <span class="count">${result.needsAttention.length + 1}</span></h2>`);
    expect(page).toContain('<span class="kind">will breach max-age</span>');
  });

  it('has no trend section without history', () => {
    expect(renderHtml(report())).not.toContain('Trend, last 8 weeks');
  });
});

describe('the trend in JSON', () => {
  it('round-trips under schema version 2, the new fields added beside the old', () => {
    const result = withTrend();
    const parsed = parseReportJson(renderJson(result));
    expect(parsed.schemaVersion).toBe(2);
    expect(parsed.trend).toEqual(result.trend);
    expect(parsed.deadlines).toEqual(result.deadlines);
    expect(JSON.parse(renderJson(report()))).toMatchObject({ trend: null, deadlines: null });
  });
});
