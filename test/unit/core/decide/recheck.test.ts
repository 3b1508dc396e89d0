import { describe, expect, it } from 'vitest';
import type { Decision, ProgressDecision, StartDecision } from '../../../../functions/core/decide/decision.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import { changesCapacity, recheckProgress, recheckStart } from '../../../../functions/core/decide/recheck.js';
import type { Group } from '../../../../functions/core/model.js';
import { MINUTE } from '../../../../functions/core/model.js';
import { group, instance, NOW, planInput, surgingRecord, withTags } from '../../../support/fleet.js';

function only(decisions: readonly Decision[]): Decision {
  expect(decisions).toHaveLength(1);
  return decisions[0] as Decision;
}

function started(decision: Decision): StartDecision {
  if (decision.kind !== 'start') throw new Error(`expected a start, got ${decision.kind}`);
  return decision;
}

function progressing(decision: Decision): ProgressDecision {
  if (decision.kind !== 'progress') throw new Error(`expected progress, got ${decision.kind}`);
  return decision;
}

const due = group({ size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * 86_400_000 })) });

describe('re-check of a start before acting', () => {
  const input = planInput({ groups: [due] });
  const decision = started(only(planTick(input)));

  it.each([
    { case: 'unchanged group passes', fresh: due, problem: undefined },
    { case: 'group deleted', fresh: undefined, problem: 'no longer exists' },
    {
      case: 'desired changed',
      fresh: { ...due, desired: 5, instances: [...due.instances, instance({ id: 'i-9' })] },
      problem: 'desired capacity changed from 4 to 5',
    },
    {
      case: 'victim now protected',
      fresh: { ...due, instances: due.instances.map((i) => (i.id === 'i-1' ? { ...i, protectedFromScaleIn: true } : i)) },
      problem: 'i-1 is now protected',
    },
    { case: 'victim gone', fresh: { ...due, desired: 3, instances: due.instances.slice(1) }, problem: 'desired capacity changed' },
    { case: 'quarantined meanwhile', fresh: withTags(due, { 'phoenix:quarantined': 'x' }), problem: 'quarantined' },
    { case: 'opted out meanwhile', fresh: withTags(due, { 'phoenix:enabled': 'false' }), problem: 'changed to disabled' },
  ])('$case', ({ fresh, problem }) => {
    const result = recheckStart(decision, fresh, [], input);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe('re-check of an open replacement before it changes capacity', () => {
  const surging = surgingRecord();
  const base = group({ size: 4 });
  const surged: Group = { ...base, desired: 5, instances: [...base.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };
  const input = planInput({ groups: [surged], records: [surging] });
  const decision = progressing(only(planTick(input)));

  it('plans to terminate the old instance once the extra one is healthy', () => {
    expect(decision.step.kind).toBe('terminate-surged');
    expect(changesCapacity(decision)).toBe(true);
  });

  it.each([
    { case: 'unchanged group goes ahead', fresh: surged, problem: undefined },
    { case: 'group deleted', fresh: undefined, problem: 'group gone' },
    { case: 'opted out meanwhile: the surge is taken back instead', fresh: withTags(surged, { 'phoenix:enabled': 'false' }), problem: 'abandon' },
    {
      case: 'extra instance unhealthy meanwhile',
      fresh: { ...surged, instances: surged.instances.map((i) => (i.id === 'i-new' ? { ...i, healthy: false } : i)) },
      problem: 'wait',
    },
  ])('$case', ({ fresh, problem }) => {
    const result = recheckProgress(decision, fresh, [surging], input);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });

  it('a waiting step changes nothing, so it is not re-checked', () => {
    const pending: Group = { ...surged, instances: surged.instances.map((i) => (i.id === 'i-new' ? { ...i, lifecycleState: 'Pending' as const } : i)) };
    const waiting = progressing(only(planTick(planInput({ groups: [pending], records: [surging] }))));
    expect(waiting.step.kind).toBe('wait');
    expect(changesCapacity(waiting)).toBe(false);
  });
});
