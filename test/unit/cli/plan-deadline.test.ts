import { describe, expect, it } from 'vitest';
import { breachTime } from '../../../functions/cli/deadline.js';
import type { PlanReport } from '../../../functions/cli/plan.js';
import { planReport } from '../../../functions/cli/plan.js';
import { formatPlan, planSummary } from '../../../functions/cli/plan-format.js';
import type { Group } from '../../../functions/core/model.js';
import { DAY, HOUR } from '../../../functions/core/model.js';
import { group, instance, NOW, OPTED_IN } from '../../support/fleet.js';

/** Twenty instances a third of a day apart in age, max-age 7d: budget 1/day cannot keep up. */
function thin(name: string, maxAge = '7d'): Group {
  const instances = Array.from({ length: 20 }, (_, index) => instance({ id: `${name}-${index + 1}`, launchedAt: NOW - (index * 7 * DAY) / 20 - HOUR }));
  return group({ name, size: 20, instances, tags: { ...OPTED_IN, 'phoenix:max-age': maxAge, 'phoenix:budget': '1/day', 'phoenix:min-healthy': '90' } });
}

async function plan(...groups: Group[]): Promise<PlanReport> {
  const sources = { fleet: { listOptedInGroups: async () => groups }, ledger: undefined };
  return planReport(sources, { at: NOW, atChosen: false, table: undefined, tickMinutes: 10 }, () => undefined);
}

describe('phoenix plan: deadlines', async () => {
  const report = await plan(group({ name: 'calm' }), thin('thin-late', '14d'), thin('thin'), group({ name: 'no-max-age', tags: OPTED_IN }));
  const byName = new Map(report.groups.map((entry) => [entry.group, entry]));

  it('--json gives each group with max-age its deadline, and null without one', () => {
    expect(byName.get('calm')?.deadline).toMatchObject({ feasible: true, firstBreachAt: null, ageDebtHours14d: 0, why: null, fixes: [] });
    expect(byName.get('calm')?.deadline?.nextRecycles[0]).toEqual({ instanceId: 'i-1', at: new Date(NOW + 3 * DAY - HOUR).toISOString(), rule: 'max-age' });
    expect(byName.get('thin')?.deadline).toMatchObject({ feasible: false, why: 'budget 1/day retires 1 of 20 instances a day; max-age 7d needs 2.9/day' });
    expect(byName.get('no-max-age')?.deadline).toBeNull();
  });

  it('counts feasible and breaching groups in the summary', () => {
    expect(planSummary(report).deadlines).toEqual({ 'will-breach': 2, feasible: 1 });
  });

  it('lists the groups that will breach first, the soonest first, each with when, why and what would keep up', () => {
    const text = formatPlan(report, { group: undefined, actionsOnly: false });
    const lines = text.split('\n');
    const heading = lines.indexOf('Will breach max-age (2 of 3 groups with max-age, soonest first):');
    expect(heading).toBeGreaterThan(0);
    expect(lines.findIndex((line) => line.startsWith('Acting') || line.startsWith('Left alone') || line.startsWith('Needs attention'))).toBeGreaterThan(
      heading,
    );
    const thinAt = Date.parse(byName.get('thin')?.deadline?.firstBreachAt ?? '');
    expect(lines[heading + 1]).toBe(
      `thin: will breach ${breachTime(thinAt)}: ${byName.get('thin')?.deadline?.why}; feasible with budget 3/day, or max-age 20d`,
    );
    expect(lines[heading + 2]).toMatch(/^thin-late: will breach /);
    expect(text).toMatch(/^Deadlines: will-breach 2, feasible 1$/m);
  });

  it("shows a group's deadline and next recycles in its detail", () => {
    const text = formatPlan(report, { group: 'calm', actionsOnly: false });
    expect(text).toContain(`  deadline: feasible; next: i-1 ${breachTime(NOW + 3 * DAY - HOUR)} (max-age), i-2 ${breachTime(NOW + 4 * DAY - HOUR)} (max-age)`);
  });
});
