import { describe, expect, it } from 'vitest';
import type { ProgressStep, StartDecision } from '../../../../functions/core/decide/decision.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import type { ProgressContext } from '../../../../functions/core/decide/progress.js';
import { progressStep } from '../../../../functions/core/decide/progress.js';
import { recheckStart } from '../../../../functions/core/decide/recheck.js';
import type { Group, ReplacementRecord } from '../../../../functions/core/model.js';
import { DAY, MINUTE } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { group, instance, NOW, planInput, surgingRecord, terminatingSurgeRecord, withTags } from '../../../support/fleet.js';

/** A fixed-size group (min = max = desired = 4) that opted in to max-surge, i-1 past max-age. */
const fixed: Group = withTags(
  group({ size: 4, min: 4, max: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) }),
  { 'phoenix:max-surge': '1' },
);
const withoutOptIn: Group = { ...fixed, tags: { 'phoenix:enabled': 'true', 'phoenix:max-age': '7d' } };
const RAISE = { fromMax: 4, toMax: 5 } as const;

/** The fixed group mid-surge: max and desired raised to 5, the extra instance i-new in service. */
function surged(overrides: Partial<Group> = {}): Group {
  return { ...fixed, desired: 5, max: 5, instances: [...fixed.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })], ...overrides };
}

/** The fixed group after its replacement: i-1 gone, i-new in its place, desired 4, max still raised unless given. */
function recovered(max = 5): Group {
  return { ...fixed, max, instances: [...fixed.instances.filter((one) => one.id !== 'i-1'), instance({ id: 'i-new', launchedAt: NOW - 15 * MINUTE })] };
}

const surgingMax = surgingRecord({ maxRaise: RAISE });
const terminatingMax = terminatingSurgeRecord({ maxRaise: RAISE });

function step(of: ReplacementRecord, fleet: Group, context: Partial<ProgressContext> = {}): ProgressStep {
  const parsed = parseGroupPolicy(fleet.tags);
  return progressStep(of, fleet, parsed.ok ? parsed.policy : undefined, { now: NOW, brake: undefined, hold: undefined, ...context });
}

describe('a group at its max size', () => {
  it('without phoenix:max-surge is skipped at-max-capacity, as before', () => {
    const [decision] = planTick(planInput({ groups: [withoutOptIn] }));
    expect(decision).toMatchObject({ kind: 'skip', reason: 'at-max-capacity' });
  });

  it('with phoenix:max-surge=1 starts a surge that raises max size by one first', () => {
    const [decision] = planTick(planInput({ groups: [fixed] }));
    expect(decision).toMatchObject({ kind: 'start', method: 'surge', instanceId: 'i-1', desired: 4, raiseMax: RAISE });
  });

  it('below its max, or free to dip under min-healthy, never raises max size', () => {
    const [below] = planTick(planInput({ groups: [{ ...fixed, max: 6 }] }));
    expect(below).toMatchObject({ kind: 'start', method: 'surge' });
    expect(below).not.toHaveProperty('raiseMax');
    const [dip] = planTick(planInput({ groups: [withTags(fixed, { 'phoenix:min-healthy': '75' })] }));
    expect(dip).toMatchObject({ kind: 'start', method: 'terminate' });
    expect(dip).not.toHaveProperty('raiseMax');
  });

  it('a max size changed between planning and acting is its owner’s: the start does not go ahead', () => {
    const input = planInput({ groups: [fixed] });
    const [decision] = planTick(input);
    expect(recheckStart(decision as StartDecision, fixed, [], input)).toBeUndefined();
    expect(recheckStart(decision as StartDecision, { ...fixed, max: 6 }, [], input)).toBe('max size changed from 4 to 6');
  });
});

describe('a replacement that raised max size closes only with max size put back', () => {
  it.each<{ case: string; of: ReplacementRecord; fleet: Group; context?: Partial<ProgressContext>; expected: Partial<ProgressStep> }>([
    {
      case: 'verified: max back to 4',
      of: terminatingMax,
      fleet: recovered(),
      expected: { kind: 'verified', max: { kind: 'restore', maxSize: 4 } },
    },
    {
      case: 'verified with max already back (a run died after restoring): nothing more',
      of: terminatingMax,
      fleet: recovered(4),
      expected: { kind: 'verified' },
    },
    {
      case: 'failed recovery: max back to 4 all the same',
      of: { ...terminatingMax, terminatedAt: NOW - 25 * MINUTE },
      fleet: { ...recovered(), instances: recovered().instances.filter((one) => one.id !== 'i-new') },
      expected: { kind: 'failed', undo: undefined, max: { kind: 'restore', maxSize: 4 } },
    },
    {
      case: 'braked mid-surge: the extra instance goes with desired 4, then max back to 4',
      of: surgingMax,
      fleet: surged(),
      context: { brake: 'phoenix:enabled=false' },
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-new', toDesired: 4 }, max: { kind: 'restore', maxSize: 4 } },
    },
    {
      case: 'undone (claim made, desired already back): closes with max back to 4',
      of: { ...surgingMax, phase: 'undoing', undo: { at: NOW - 8 * MINUTE, closeAs: 'abandoned', why: 'window closed', quarantine: false } },
      fleet: recovered(),
      expected: { kind: 'abandon', undo: undefined, max: { kind: 'restore', maxSize: 4 } },
    },
    {
      case: 'crash after the ledger write, before any call: abandoned, max was never raised',
      of: { ...surgingMax, startedAt: NOW - 8 * MINUTE },
      fleet: fixed,
      expected: { kind: 'abandon', undo: undefined },
    },
    {
      case: 'crash between raising max and raising desired: abandoned, max back to 4',
      of: { ...surgingMax, startedAt: NOW - 8 * MINUTE },
      fleet: { ...fixed, max: 5 },
      expected: { kind: 'abandon', undo: undefined, max: { kind: 'restore', maxSize: 4 } },
    },
  ])('$case', ({ of, fleet, context, expected }) => {
    const next = step(of, fleet, context);
    expect(next).toMatchObject(expected);
    if (!('max' in expected)) expect(next).not.toHaveProperty('max');
  });

  it('waits carry no max change: a raise not yet showing, or a surge still in flight, keep max raised', () => {
    expect(step({ ...surgingMax, startedAt: NOW - 2 * MINUTE }, { ...fixed, max: 5 })).toEqual(expect.objectContaining({ kind: 'wait' }));
    expect(step(surgingMax, surged({ instances: [...fixed.instances, instance({ id: 'i-new', lifecycleState: 'Pending' })] }))).toMatchObject({
      kind: 'wait',
    });
    expect(step(surgingMax, surged())).toEqual({ kind: 'terminate-surged', why: expect.any(String) });
  });

  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; says: string }>([
    { case: 'someone else changed max size meanwhile', fleet: recovered(7), says: 'someone changed it from the 5 Phoenix set' },
    {
      case: 'the group no longer carries phoenix:max-surge=1 (IAM would refuse)',
      fleet: { ...recovered(), tags: withoutOptIn.tags },
      says: 'phoenix:max-surge is no longer 1',
    },
    { case: 'min size was raised past the max before', fleet: { ...recovered(), min: 5 }, says: 'min size 5' },
    {
      case: 'desired capacity is above the max before (surge sizes that disagree with the raise): lowering max would cut it',
      of: { ...terminatingMax, surge: { fromDesired: 3, toDesired: 4 } },
      fleet: { ...recovered(), desired: 5, instances: [...recovered().instances, instance({ id: 'i-x', launchedAt: NOW - 15 * MINUTE })] },
      says: 'desired capacity 5 is above the 4 before the surge',
    },
  ])('$case: max size is left to its owner, and said why', ({ of, fleet, says }) => {
    const next = step(of ?? terminatingMax, fleet);
    expect(next).toMatchObject({ kind: 'verified', max: { kind: 'leave', maxSize: fleet.max } });
    expect(next.kind === 'verified' && next.max?.kind === 'leave' ? next.max.why : '').toContain(says);
  });
});
