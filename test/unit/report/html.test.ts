import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../../functions/core/model.js';
import { escapeHtml } from '../../../functions/report/html/markup.js';
import { renderHtml } from '../../../functions/report/html/page.js';
import {
  DRY_RUN,
  failed,
  fleetGroup,
  HOSTILE_GROUP,
  HOSTILE_REASON,
  LIVE,
  recycled,
  report,
  START,
  taintedAfter,
  weekWithTexts,
  wouldRecycle,
} from '../../report/fixtures.js';

const HOSTILE = `<script>alert(1)</script>&"'`;

/** The markup of one chart, by its class. */
function chart(page: string, name: 'chart-daily' | 'chart-ages'): string {
  const found = new RegExp(`<svg class="chart ${name}"[\\s\\S]*?</svg>`).exec(page);
  if (found === null) throw new Error(`no ${name} svg in the page`);
  return found[0];
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('escapeHtml', () => {
  it.each([
    { case: 'a hostile group name', text: HOSTILE, escaped: '&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;' },
    { case: 'an entity stays text', text: '&amp;', escaped: '&amp;amp;' },
    { case: 'plain text is unchanged', text: 'svc-001-web 7d', escaped: 'svc-001-web 7d' },
    { case: 'line breaks, control characters and bidirectional overrides become spaces', text: 'a\nb\r\u2028c\u0085d\u202ee', escaped: 'a b  c d e' },
  ])('$case', ({ text, escaped }) => {
    expect(escapeHtml(text)).toBe(escaped);
  });
});

describe('renderHtml', () => {
  it('escapes every text that comes from data: group names, tag texts, failure details', () => {
    const groups = [
      fleetGroup(HOSTILE, { ...LIVE, 'phoenix:quarantined': HOSTILE }),
      fleetGroup(`${HOSTILE}-bad`, { 'phoenix:enabled': 'true', 'phoenix:max-age': HOSTILE }),
    ];
    const records = [recycled(HOSTILE, 'max-age', START + DAY), { ...failed(HOSTILE, START + 2 * DAY, HOSTILE), instanceId: HOSTILE }];
    const page = renderHtml(report({ week: '2026-W47', records, groups }));
    expect(page).not.toContain('<script');
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;');
    // Every attribute is double-quoted and data cannot close one: no quote survives unescaped inside a tag's data.
    expect(page).not.toMatch(/="[^"]*<script/);
  });

  it('keeps the structure of the page whatever the data: the same headings and rows, no link, tag or entity that data opened', () => {
    const page = renderHtml(weekWithTexts(HOSTILE_GROUP, HOSTILE_REASON));
    const harmless = renderHtml(weekWithTexts('web', 'disk full'));
    for (const tag of ['<h1', '<h2', '<h3', '<tr', '<li', '<section']) expect([tag, count(page, tag)]).toEqual([tag, count(harmless, tag)]);
    expect(page).not.toMatch(/<a\b|href=|<script|<b>/i);
    // Control characters are the point here: none may reach the page.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
    expect(page).not.toMatch(/[\r\u2028\u2029\u0085\u000b\u202e]/);
    expect(page).toContain('[all clear](http://evil.example/login) &lt;script&gt;alert(1)&lt;/script&gt; `rm -rf /` | a | b | # Fake title');
    expect(page).toContain('&amp;#10;');
  });

  it('is self-contained: no scripts, no external resources, a policy that forbids loading any', () => {
    const page = renderHtml(report({ records: [recycled('web', 'max-age', START + DAY)], groups: [fleetGroup('web', LIVE)] }));
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    expect(page.match(/https?:\/\/[^"\s]+/g)).toEqual(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('renders an empty week sensibly: zero bars, a note, no NaN', () => {
    const page = renderHtml(report());
    expect(page).not.toMatch(/NaN|Infinity|undefined|null/);
    expect(count(chart(page, 'chart-daily'), 'class="bar"')).toBe(0);
    expect(count(chart(page, 'chart-ages'), 'class="bar"')).toBe(0);
    expect(chart(page, 'chart-daily')).toContain('Nothing recycled this week');
    expect(page).toContain('Nothing needs attention.');
    expect(page).toContain('No opted-in groups.');
    expect(page).toContain('None this week.');
  });

  it('draws one bar per day with recycles, stacked by reason, each with a tooltip', () => {
    const records = [
      recycled('web', 'max-age', START + HOUR),
      recycled('web', 'chaos', START + 2 * HOUR),
      recycled('web', 'max-age', START + 2 * DAY),
      recycled('api', 'stale-config', START + 5 * DAY),
    ];
    const daily = chart(renderHtml(report({ records, groups: [fleetGroup('web', LIVE), fleetGroup('api', LIVE)] })), 'chart-daily');
    expect(count(daily, 'class="bar"')).toBe(3);
    expect(daily).toContain('<title>Mon 16 Nov: 2 instances recycled (1 max-age, 1 chaos)</title>');
    expect(daily).toContain('<title>Mon 16 Nov: 1 chaos</title>');
    expect(daily).toContain('role="img"');
    expect(daily).toMatch(/aria-label="Instances recycled per day \(UTC\), stacked by reason: Mon 16 Nov 2, Tue 17 Nov 0, Wed 18 Nov 1/);
    // The legend names every reason with its week total, so colour is never the only cue.
    expect(daily).toContain('max-age 2</text>');
    expect(daily).toContain('stale config 1</text>');
  });

  it('draws one bar per non-empty age bucket', () => {
    const groups = [fleetGroup('young', LIVE, { size: 3, ageAtEnd: 12 * HOUR }), fleetGroup('old', LIVE, { size: 2, ageAtEnd: 10 * DAY })];
    const ages = chart(renderHtml(report({ groups })), 'chart-ages');
    expect(count(ages, 'class="bar"')).toBe(2);
    expect(ages).toContain('<title>&lt;1d: 3 instances</title>');
    expect(ages).toContain('<title>7-14d: 2 instances</title>');
    expect(ages).toMatch(/role="img" aria-label="Instance ages now: &lt;1d 3, 1-3d 0, 3-7d 0, 7-14d 2, &gt;=14d 0"/);
  });

  it('marks failures on their day and lists failed replacements, quarantines and what needs attention', () => {
    const records = [failed('db', START + DAY, 'recovery timed out after 20m')];
    const page = renderHtml(report({ records, groups: [fleetGroup('db', { ...LIVE, 'phoenix:quarantined': 'recovery failed' })] }));
    expect(chart(page, 'chart-daily')).toContain('✕ 1 failed<title>Tue 17 Nov: 1 replacement failed</title>');
    expect(page).toContain('<li class="severe"><span class="kind">quarantined</span> <strong>db</strong> recovery failed</li>');
    expect(page).toContain('<td class="note">recovery timed out after 20m</td>');
    expect(page).toContain('<span class="badge s-quarantined">quarantined</span>');
  });

  it('shows touch-to-replacement only when tainted recycles carry a touch', () => {
    const tainted = renderHtml(report({ records: [taintedAfter('web', START + DAY, 2 * 3600)], groups: [fleetGroup('web', LIVE)] }));
    expect(tainted).toContain('Touch to replacement');
    expect(tainted).toContain('p50 2h');
    expect(renderHtml(report({ records: [recycled('web', 'tainted', START + DAY)], groups: [fleetGroup('web', LIVE)] }))).not.toContain('Touch to replacement');
  });

  it('lists dry-run groups with what they would have done', () => {
    const records = [wouldRecycle('cache', 'max-age', START + DAY), wouldRecycle('cache', 'chaos', START + 2 * DAY)];
    const page = renderHtml(report({ records, groups: [fleetGroup('cache', DRY_RUN), fleetGroup('web', LIVE)] }));
    expect(page).toContain('Dry-run groups');
    expect(page).toMatch(
      /<tr><th scope="row">cache<\/th><td class="num">4<\/td><td class="num">2<\/td><td><span class="nowrap">1 max-age<\/span>, <span class="nowrap">1 chaos<\/span><\/td>/,
    );
    expect(renderHtml(report({ groups: [fleetGroup('web', LIVE)] }))).not.toContain('Dry-run groups');
  });
});
