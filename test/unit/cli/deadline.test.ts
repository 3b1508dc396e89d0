import { describe, expect, it } from 'vitest';
import { breachTime, planDeadlines } from '../../../functions/cli/deadline.js';
import type { Group } from '../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { group, instance, NOW, OPTED_IN, record } from '../../support/fleet.js';

const CONTEXT = { now: NOW, tickInterval: 10 * MINUTE, records: [] };

/** Twenty instances a third of a day apart in age, max-age 7d, budget 1/day: max-age needs about 2.9 a day. */
function thin(tags: Record<string, string> = {}): Group {
  const instances = Array.from({ length: 20 }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: NOW - (index * 7 * DAY) / 20 - HOUR }));
  return group({
    name: 'thin',
    size: 20,
    instances,
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:budget': '1/day', 'phoenix:min-healthy': '90', ...tags },
  });
}

describe('breachTime', () => {
  it.each([
    { at: Date.UTC(2026, 11, 8, 14, 0), text: 'Tue 8 Dec 14:00 UTC' },
    { at: Date.UTC(2026, 10, 23, 9, 5), text: 'Mon 23 Nov 09:05 UTC' },
  ])('$text', ({ at, text }) => {
    expect(breachTime(at)).toBe(text);
  });
});

describe('planDeadlines', () => {
  it('says feasible for a group that keeps up, with its next recycles as ISO times', () => {
    const deadline = planDeadlines([group()], CONTEXT).get('web');
    expect(deadline).toMatchObject({ feasible: true, firstBreachAt: null, ageDebtHours14d: 0, why: null, fixes: [], text: 'feasible' });
    expect(deadline?.nextRecycles[0]).toEqual({ instanceId: 'i-1', at: new Date(NOW + 3 * DAY - HOUR).toISOString(), rule: 'max-age' });
  });

  it('says when and why a group will breach, and what single change keeps up', () => {
    const deadline = planDeadlines([thin()], CONTEXT).get('thin');
    expect(deadline?.feasible).toBe(false);
    expect(deadline?.firstBreachAt).not.toBeNull();
    expect(deadline?.text).toBe(
      `will breach ${breachTime(Date.parse(deadline?.firstBreachAt ?? ''))}: budget 1/day retires 1 of 20 instances a day; max-age 7d needs 2.9/day; feasible with budget 3/day, or max-age 20d`,
    );
  });

  it('says since when for a group already past max-age; only a max-age reaching past the next opening (Saturday 02:00) undoes it', () => {
    const late = group({
      name: 'late',
      size: 1,
      instances: [instance({ id: 'i-1', launchedAt: NOW - 8 * DAY })],
      tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:window': 'Sat 02:00-03:00 UTC' },
    });
    expect(planDeadlines([late], CONTEXT).get('late')?.text).toBe(
      'past max-age since Sun 22 Nov 12:00 UTC: 1 of 1 instance is past max-age 7d already; feasible with max-age 13d',
    );
  });

  it('reads the typical replacement time from the ledger: shorter replacements leave room sooner', () => {
    const due = group({
      name: 'web',
      size: 2,
      instances: [instance({ id: 'i-1', launchedAt: NOW - 7 * DAY + HOUR }), instance({ id: 'i-2', launchedAt: NOW - 7 * DAY + HOUR })],
    });
    const quick = record({ group: 'other', startedAt: NOW - 2 * DAY, closedAt: NOW - 2 * DAY + 4 * MINUTE });
    // Budget 1/hour: the second starts an hour after the first terminates, 30 minutes (the estimate) or 4 minutes (the ledger) after it starts.
    expect(planDeadlines([due], CONTEXT).get('web')?.nextRecycles[1]?.at).toBe(new Date(NOW + 90 * MINUTE).toISOString());
    expect(planDeadlines([due], { ...CONTEXT, records: [quick] }).get('web')?.nextRecycles[1]?.at).toBe(new Date(NOW + 70 * MINUTE).toISOString());
  });

  it('has none for a group without max-age, a disabled one or one whose tags do not parse', () => {
    const groups = [
      group({ name: 'no-max-age', tags: OPTED_IN }),
      group({ name: 'off', tags: { 'phoenix:enabled': 'false', 'phoenix:max-age': '7d' } }),
      group({ name: 'typo', tags: { ...OPTED_IN, 'phoenix:max-age': '7days' } }),
    ];
    expect([...planDeadlines(groups, CONTEXT).keys()]).toEqual([]);
  });

  it('judges a dry-run group as if it went live', () => {
    expect(planDeadlines([thin({ 'phoenix:enabled': 'dry-run' })], CONTEXT).get('thin')?.feasible).toBe(false);
  });
});
