import { describe, expect, it } from 'vitest';
import { planReport } from '../../../functions/cli/plan.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { group, instance, NOW, OPTED_IN } from '../../support/fleet.js';

async function planOf(subject: ReturnType<typeof group>) {
  const sources = { fleet: { listOptedInGroups: async () => [subject] }, ledger: undefined };
  const report = await planReport(sources, { at: NOW, atChosen: false, table: undefined, tickMinutes: 10 }, () => undefined);
  return report.groups[0];
}

describe('phoenix plan says the real reason', () => {
  it('max-age and chaos: each instance shows both rules', async () => {
    const plan = await planOf(group({ tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:chaos': '3d' } }));
    expect(plan?.instances.map((entry) => entry.note)).toEqual([4, 3, 2, 1].map((days) => `age ${days}d of max-age 7d; chaos may pick it (mean 3d)`));
  });

  it('chaos alone: each instance shows its age, then chaos', async () => {
    const plan = await planOf(group({ tags: { ...OPTED_IN, 'phoenix:chaos': '3d' } }));
    expect(plan?.instances[0]?.note).toBe('age 4d; chaos may pick it (mean 3d)');
  });

  it('phoenix:enabled=false with a max-age: never picked because of the opt-out, not "no max-age"', async () => {
    const plan = await planOf(group({ tags: { 'phoenix:enabled': 'false', 'phoenix:max-age': '1h' } }));
    expect(plan).toMatchObject({ action: 'skip', reason: 'disabled', why: 'not terminating: phoenix:enabled=false' });
    expect(plan?.instances.map((entry) => entry.note)).toEqual([4, 3, 2, 1].map((days) => `age ${days}d; never picked: phoenix:enabled=false`));
  });

  it('a dry-run group picking before max-age says it is due early, not that it is starting', async () => {
    const young = instance({ id: 'i-young', launchedAt: NOW - 30 * MINUTE });
    const plan = await planOf(group({ instances: [young], desired: 1, tags: { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '1h' } }));
    expect(plan).toMatchObject({ action: 'would-recycle', instanceId: 'i-young' });
    expect(plan?.why).toBe('age 30m, due early (spreading): 1 instance reaches max-age 1h with 30m of window time left for 1h of replacements');
  });

  it('every instance exempt or protected: says none may be picked, not the oldest age', async () => {
    const instances = [
      instance({ id: 'i-e', launchedAt: NOW - 8 * DAY - 5 * HOUR, tags: { 'phoenix:exempt': 'true' } }),
      instance({ id: 'i-p', launchedAt: NOW - 3 * DAY, protectedFromScaleIn: true }),
    ];
    const plan = await planOf(group({ instances, desired: 2, tags: { ...OPTED_IN, 'phoenix:max-age': '1d' } }));
    expect(plan).toMatchObject({
      reason: 'no-candidate',
      why: 'nothing to do: no instance may be picked (1 exempt (phoenix:exempt), 1 protected from scale-in)',
    });
  });

  it('some instances exempt: the age given is the oldest that may be picked', async () => {
    const instances = [
      instance({ id: 'i-e', launchedAt: NOW - 8 * DAY, tags: { 'phoenix:exempt': 'true' } }),
      instance({ id: 'i-2', launchedAt: NOW - 2 * DAY }),
    ];
    const plan = await planOf(group({ instances, desired: 2, tags: { ...OPTED_IN, 'phoenix:max-age': '7d' } }));
    expect(plan?.why).toBe('nothing to do: oldest instance that may be picked 2d, max-age 7d');
  });
});

describe('phoenix plan on a group at its max size', () => {
  const due = [instance({ id: 'i-old', launchedAt: NOW - 8 * DAY }), instance({ id: 'i-new', launchedAt: NOW - DAY })];

  it('with phoenix:max-surge=1: launches first, saying max size goes up by one', async () => {
    const plan = await planOf(group({ instances: due, desired: 2, min: 2, max: 2, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:max-surge': '1' } }));
    expect(plan).toMatchObject({ action: 'launch-then-terminate', decision: 'launch-then-terminate (max size 2 → 3) i-old' });
  });

  it('without it: skipped at-max-capacity, naming the tag that would let it surge', async () => {
    const plan = await planOf(group({ instances: due, desired: 2, min: 2, max: 2, tags: { ...OPTED_IN, 'phoenix:max-age': '7d' } }));
    expect(plan).toMatchObject({ action: 'skip', reason: 'at-max-capacity' });
    expect(plan?.why).toContain('phoenix:max-surge=1 lets Phoenix raise it by one');
  });
});
