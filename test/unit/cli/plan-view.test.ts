import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../functions/cli/errors.js';
import { planReport } from '../../../functions/cli/plan.js';
import { formatPlan, planSummary, viewPlan } from '../../../functions/cli/plan-format.js';
import { group, NOW, OPTED_IN } from '../../support/fleet.js';

const calm = Array.from({ length: 12 }, (_, index) =>
  group({ name: `calm-${String(index + 1).padStart(2, '0')}`, tags: { ...OPTED_IN, 'phoenix:max-age': '30d' } }),
);
const FLEET = [
  group({ name: 'web-1', size: 3, tags: { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:min-healthy': '100' } }),
  group({ name: 'web-2', size: 3, tags: { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '1d' } }),
  ...calm,
  group({ name: 'broken', tags: { ...OPTED_IN, 'phoenix:budget': '2/fortnight' } }),
  group({ name: 'held', tags: { ...OPTED_IN, 'phoenix:max-age': '1d', 'phoenix:quarantined': 'recovery failed' } }),
];

async function report() {
  const sources = { fleet: { listOptedInGroups: async () => FLEET }, ledger: undefined };
  return planReport(sources, { at: NOW, atChosen: false, table: 'ledger', tickMinutes: 10 }, () => undefined);
}

describe('phoenix plan at scale', () => {
  it('opens with counts by action and reason, puts bad tags and quarantines first, and lists calm groups by reason without instances', async () => {
    const text = formatPlan(await report(), { group: undefined, actionsOnly: false });
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `Phoenix plan at ${new Date(NOW).toISOString()} (ledger ledger missing): 16 opted-in groups`,
      'Actions: launch-then-terminate 1, would-recycle 1, skip 14',
      'Reasons: max-age 2, bad-tags 1, quarantined 1, no-candidate 12',
      'Deadlines: will-breach 3, feasible 12',
    ]);
    // The groups that will not keep max-age come before everything else (plan-deadline.test.ts has their lines).
    expect(lines[5]).toBe('Will breach max-age (3 of 15 groups with max-age, soonest first):');
    const attention = lines.indexOf('Needs attention:');
    expect(attention).toBe(10);
    expect(lines[attention + 1]).toMatch(/^broken \[bad tags\]: skip \(bad-tags\): .*phoenix:budget="2\/fortnight"/);
    expect(lines[attention + 2]).toMatch(/^held \[live\]: skip \(quarantined\)/);
    expect(lines[attention + 4]).toBe('Acting:');
    expect(lines[attention + 5]).toMatch(/^web-1 \[live\]: launch-then-terminate i-1 \(max-age\)/);
    expect(lines[attention + 6]).toMatch(/^web-2 \[dry-run\]: would-recycle \(dry-run\) i-1 \(max-age\)/);
    expect(text).toContain('no-candidate (12): calm-01, calm-02, calm-03, calm-04, calm-05, calm-06, calm-07, calm-08, and 4 more');
    expect(text).not.toMatch(/^ {2}i-/m);
    expect(lines.at(-1)).toBe("Per-instance detail: phoenix plan --group NAME (or a glob such as 'web-*')");
  });

  it('--group GLOB shows the matching groups only, each with its launch template and instances', async () => {
    const view = { group: 'web-*', actionsOnly: false };
    const text = formatPlan(viewPlan(await report(), view), view);
    expect(text.split('\n')[0]).toMatch(/: 2 groups matching web-\*$/);
    expect(text).toContain('  launches lt-1 (lt-1) v1');
    expect(text).toMatch(/^ {2}i-1 {18}3d {7}age 3d past max-age 1d$/m);
    expect(text).not.toContain('calm-');
  });

  it('--group NAME matches that name exactly', async () => {
    expect(viewPlan(await report(), { group: 'calm-01', actionsOnly: false }).groups.map((entry) => entry.group)).toEqual(['calm-01']);
  });

  it('--group matching nothing is a usage error naming it', async () => {
    const plan = await report();
    expect(() => viewPlan(plan, { group: 'calm-1', actionsOnly: false })).toThrow(
      new UsageError(`--group: "calm-1" matches none of the 16 opted-in groups: expected a group name or a glob such as 'web-*'`),
    );
  });

  it('--actions keeps the groups a tick would act on', async () => {
    const shown = viewPlan(await report(), { group: undefined, actionsOnly: true });
    expect(shown.groups.map((entry) => entry.group)).toEqual(['web-1', 'web-2']);
  });

  it('--json opens with the same counts, keys in the order the text lists them', async () => {
    const summary = planSummary(await report());
    expect(summary).toEqual({
      actions: { 'launch-then-terminate': 1, 'would-recycle': 1, skip: 14 },
      reasons: { 'max-age': 2, 'bad-tags': 1, quarantined: 1, 'no-candidate': 12 },
      deadlines: { 'will-breach': 3, feasible: 12 },
    });
    expect(Object.keys(summary.reasons)).toEqual(['max-age', 'bad-tags', 'quarantined', 'no-candidate']);
  });
});
