import { describe, expect, it } from 'vitest';
import { DAY } from '../../../functions/core/model.js';
import type { WeeklyReport } from '../../../functions/core/report/schema.js';
import { renderHtml } from '../../../functions/report/html/page.js';
import { parseReportJson, renderJson } from '../../../functions/report/json.js';
import { renderMarkdown } from '../../../functions/report/markdown.js';
import { DRY_RUN, failed, fleetGroup, HOSTILE_GROUP, LIVE, report, START } from '../../report/fixtures.js';

// Each group links to its Auto Scaling console page and each instance to EC2's, in the report's region.

const EC2 = 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1';
const groupUrl = (id: string) => `${EC2}#AutoScalingGroupDetails:id=${id};view=details`;
const instanceUrl = (id: string) => `${EC2}#InstanceDetails:instanceId=${id}`;

function linkedWeek(region?: string): WeeklyReport {
  return report({
    records: [failed('web', START + DAY, 'recovery timed out')],
    groups: [fleetGroup('web', LIVE, { size: 1 }), fleetGroup('cache', DRY_RUN, { size: 1, ageAtEnd: 10 * DAY })],
    ...(region === undefined ? {} : { region }),
  });
}

describe('console links', () => {
  it('are url fields in the JSON: the group, its oldest instance, a failed replacement', () => {
    const json = parseReportJson(renderJson(linkedWeek('eu-west-1')));
    expect(json.region).toBe('eu-west-1');
    expect(json.groups.map((group) => group.url)).toEqual([groupUrl('cache'), groupUrl('web')]);
    expect(json.groups.map((group) => group.oldest?.url)).toEqual([instanceUrl('cache-i0'), instanceUrl('web-i0')]);
    expect(json.fleet.oldest?.url).toBe(instanceUrl('web-i0'));
    expect(json.fleet.dryRun.oldest?.url).toBe(instanceUrl('cache-i0'));
    expect(json.failedReplacements[0]?.url).toMatch(new RegExp(`^${EC2.replace(/[.?]/g, '\\$&')}#InstanceDetails:instanceId=i-\\d+$`));
  });

  it('are Markdown links on group names and instance ids', () => {
    const text = renderMarkdown(linkedWeek('eu-west-1'));
    expect(text).toContain(`| [web](${groupUrl('web')}) | live |`);
    expect(text).toContain(`| [cache](${groupUrl('cache')}) | dry-run |`);
    expect(text).toContain(`([web-i0](${instanceUrl('web-i0')}))`);
    expect(text).toContain(`- **[cache](${groupUrl('cache')})**: dry run:`);
    expect(text).toMatch(/\*\*\[web\]\([^)]+\)\*\* \[i-\d+\]\([^)]+InstanceDetails:instanceId=i-\d+\) \(max-age\): recovery timed out/);
  });

  it('are anchors in the HTML, in both group tables, the tiles and the failed replacements', () => {
    const page = renderHtml(linkedWeek('eu-west-1'));
    expect(page).toContain(`<th scope="row"><a href="${groupUrl('web')}">web</a></th>`);
    expect(page).toContain(`<th scope="row"><a href="${groupUrl('cache')}">cache</a></th>`);
    expect(page).toContain(`<a href="${instanceUrl('web-i0')}"><code>web-i0</code></a>`);
    expect(page).toContain(`<a href="${instanceUrl('cache-i0')}">cache-i0</a>`);
    expect(page).toMatch(/<td><a href="[^"]+InstanceDetails:instanceId=i-\d+"><code>i-\d+<\/code><\/a><\/td>/);
  });

  it('are absent without a region: no link, no url', () => {
    const result = linkedWeek();
    expect(result.region).toBeNull();
    expect(result.groups.every((group) => group.url === null && group.oldest?.url === null)).toBe(true);
    expect(renderMarkdown(result)).not.toContain('](');
    expect(renderHtml(result)).not.toContain('<a ');
  });

  it('keep a hostile group name one link: the text escaped, the address percent-encoded', () => {
    const result = report({ groups: [fleetGroup(HOSTILE_GROUP, LIVE, { size: 1 })], region: 'eu-west-1' });
    const row = renderMarkdown(result)
      .split('\n')
      .find((line) => line.includes('AutoScalingGroupDetails'));
    const address = `${EC2}#AutoScalingGroupDetails:id=web%7Cprod%0A%23%20Owned%20%5Bx%5D%28http%3A%2F%2Fevil.example%29%20%2Abold%2A%20_em_%20%7E%7Edel%7E%7E%20%3Cb%3E;view=details`;
    expect(row).toContain(`[web\\|prod \\# Owned \\[x\\](http://evil.example) \\*bold\\* \\_em\\_ \\~\\~del\\~\\~ \\<b\\>](${address})`);
    expect(renderHtml(result)).toContain(`<a href="${address}">web|prod # Owned [x](http://evil.example) *bold* _em_ ~~del~~ &lt;b&gt;</a>`);
  });
});
