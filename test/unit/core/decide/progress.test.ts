import { describe, expect, it } from 'vitest';
import type { ProgressStep } from '../../../../functions/core/decide/decision.js';
import type { ProgressContext } from '../../../../functions/core/decide/progress.js';
import { progressStep } from '../../../../functions/core/decide/progress.js';
import type { Group, ReplacementRecord } from '../../../../functions/core/model.js';
import { MINUTE } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { group, instance, NOW, record, surgingRecord, withTags } from '../../../support/fleet.js';

const surging = surgingRecord();
const terminating = record({ phase: 'terminating', startedAt: NOW - 10 * MINUTE, terminatedAt: NOW - 10 * MINUTE, closedAt: undefined });

/** The fixture group (i-1..i-4) plus the surge's extra instance, desired 5. */
const surged = (extra: Partial<Parameters<typeof instance>[0]> = {}): Group => {
  const base = group({ size: 4 });
  return { ...base, desired: 5, instances: [...base.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE, ...extra })] };
};

const HOLD = { hold: 'stop alarm in ALARM: db-errors' } as const;
const BRAKE = { brake: 'phoenix:enabled=false' } as const;

function step(of: ReplacementRecord, fleet: Group, context: Partial<ProgressContext> = {}): ProgressStep {
  const parsed = parseGroupPolicy(fleet.tags);
  return progressStep(of, fleet, parsed.ok ? parsed.policy : undefined, { now: NOW, brake: undefined, hold: undefined, ...context });
}

const takeBackNew = { kind: 'terminate-extra', instanceId: 'i-new', toDesired: 4 } as const;

describe('surge (launch before terminate)', () => {
  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; context?: Partial<ProgressContext>; expected: Partial<ProgressStep>; says?: string }>([
    { case: 'extra instance healthy: terminate the old one', fleet: surged(), expected: { kind: 'terminate-surged' } },
    { case: 'extra instance still pending: wait', fleet: surged({ lifecycleState: 'Pending' }), expected: { kind: 'wait' }, says: '3/4' },
    {
      case: 'ready but the window closed: wait',
      fleet: withTags(surged(), { 'phoenix:window': 'Sat 00:00-01:00 UTC' }),
      expected: { kind: 'wait' },
      says: 'window',
    },
    { case: 'ready during an account-wide hold: wait', fleet: surged(), context: HOLD, expected: { kind: 'wait' }, says: 'stop alarm' },
    {
      case: 'ready but held past recovery-timeout: take the surge back, no failure',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: surged(),
      context: HOLD,
      expected: { kind: 'abandon', undo: takeBackNew },
      says: 'longer than recovery-timeout',
    },
    {
      case: 'ready, window closed past recovery-timeout: take the surge back rather than wait for next week',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: withTags(surged(), { 'phoenix:window': 'Fri 16:00-19:00 UTC' }),
      expected: { kind: 'abandon', undo: takeBackNew },
      says: 'window Fri 16:00-19:00 UTC is closed',
    },
    {
      case: 'not ready after recovery-timeout: fail, take back the extra instance, quarantine',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: surged({ healthy: false }),
      expected: { kind: 'failed', undo: takeBackNew, quarantine: true },
      says: 'recovery-timeout 20m',
    },
    {
      case: 'not ready after recovery-timeout, extra still launching: wait for it before taking it back',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: surged({ lifecycleState: 'Pending:Wait' }),
      expected: { kind: 'wait' },
      says: 'i-new to finish launching',
    },
    {
      case: 'a raise first seen past the deadline that never showed: abandoned, never a failure (nothing was launched)',
      of: { ...surging, startedAt: NOW - 31 * MINUTE },
      fleet: group({ size: 4 }),
      expected: { kind: 'abandon', undo: undefined },
      says: 'never took effect',
    },
    {
      case: 'the surge call never took effect (desired still 4 after the confirm delay): abandon, nothing to undo',
      of: { ...surging, startedAt: NOW - 8 * MINUTE },
      fleet: group({ size: 4 }),
      expected: { kind: 'abandon', undo: undefined },
      says: 'never took effect',
    },
    {
      case: 'a young surge not showing yet (the call may still land): wait, never abandon',
      of: { ...surging, startedAt: NOW - 2 * MINUTE },
      fleet: group({ size: 4 }),
      expected: { kind: 'wait' },
      says: 'waiting for the surge to show',
    },
    {
      case: 'a young surge not showing yet under a brake: still wait, the raise may land after',
      of: { ...surging, startedAt: NOW - 2 * MINUTE },
      fleet: group({ size: 4 }),
      context: BRAKE,
      expected: { kind: 'wait' },
    },
    {
      case: 'a scaling policy moved desired: abandon and leave it',
      fleet: { ...surged(), desired: 7 },
      expected: { kind: 'abandon', undo: undefined },
      says: 'from 5 to 7',
    },
    {
      case: 'the old instance left, its replacement still launching: wait, taking back now would dip below min-healthy',
      fleet: {
        ...surged(),
        instances: [...surged().instances.filter((i) => i.id !== 'i-1'), instance({ id: 'i-repl', launchedAt: NOW - MINUTE, lifecycleState: 'Pending' })],
      },
      expected: { kind: 'wait' },
      says: 'waiting for i-repl to finish launching',
    },
    {
      case: 'the old instance left and was replaced: abandon and take back the newest instance',
      fleet: { ...surged(), instances: [...surged().instances.filter((i) => i.id !== 'i-1'), instance({ id: 'i-repl', launchedAt: NOW - MINUTE })] },
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-repl', toDesired: 4 } },
      says: 'i-1 left service',
    },
    {
      case: 'the old instance left during a hold: still take the surge back',
      fleet: { ...surged(), instances: [...surged().instances.filter((i) => i.id !== 'i-1'), instance({ id: 'i-repl', launchedAt: NOW - MINUTE })] },
      context: HOLD,
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-repl', toDesired: 4 } },
    },
    {
      case: 'taking back the only new instance would leave too few healthy: wait until Auto Scaling replaces the old one',
      fleet: { ...surged(), instances: surged().instances.filter((i) => i.id !== 'i-1') },
      context: BRAKE,
      expected: { kind: 'wait' },
      says: 'waiting until 4 instances are InService and Healthy without i-new (3 now)',
    },
    {
      case: 'the old instance was touched by a person during the surge: hold the termination in grace',
      fleet: {
        ...surged(),
        instances: surged().instances.map((i) =>
          i.id === 'i-1' ? { ...i, tags: { 'phoenix:tainted': `at=${new Date(NOW - 5 * MINUTE).toISOString()};by=alice;via=ssm-session` } } : i,
        ),
      },
      expected: { kind: 'wait' },
      says: 'touched by a person',
    },
    {
      case: 'touched during the surge, grace outlasting recovery-timeout: take the surge back',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: {
        ...surged(),
        instances: surged().instances.map((i) =>
          i.id === 'i-1' ? { ...i, tags: { 'phoenix:tainted': `at=${new Date(NOW - 5 * MINUTE).toISOString()};by=alice;via=ssm-session` } } : i,
        ),
      },
      expected: { kind: 'abandon', undo: takeBackNew },
    },
  ])('$case', ({ of = surging, fleet, context = {}, expected, says }) => {
    const result = step(of, fleet, context);
    expect(result).toMatchObject(expected);
    if (says !== undefined) expect('why' in result ? result.why : '').toContain(says);
  });
});

describe('recovery after termination', () => {
  const base = group({ size: 4 });
  const replaced = { ...base, instances: [...base.instances.filter((i) => i.id !== 'i-1'), instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };

  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; context?: Partial<ProgressContext>; expected: Partial<ProgressStep> }>([
    { case: 'back at desired, all healthy: verified with the whole replacement time', fleet: replaced, expected: { kind: 'verified', recoverySeconds: 600 } },
    {
      case: 'old instance still draining: wait',
      fleet: { ...replaced, instances: [...replaced.instances, instance({ id: 'i-1', lifecycleState: 'Terminating:Wait' })] },
      expected: { kind: 'wait' },
    },
    {
      case: 'replacement pending, in time: wait',
      fleet: { ...replaced, instances: replaced.instances.map((i) => (i.id === 'i-new' ? { ...i, lifecycleState: 'Pending' as const } : i)) },
      expected: { kind: 'wait' },
    },
    {
      case: 'replacement missing past recovery-timeout: failed',
      of: { ...terminating, terminatedAt: NOW - 25 * MINUTE },
      fleet: { ...replaced, instances: replaced.instances.filter((i) => i.id !== 'i-new') },
      expected: { kind: 'failed' },
    },
    {
      case: 'scaled out by a policy during recovery: verified against the new desired',
      fleet: { ...replaced, desired: 5, instances: [...replaced.instances, instance({ id: 'i-extra' })] },
      expected: { kind: 'verified' },
    },
    {
      case: 'replacement failed its health check: wait while Auto Scaling replaces it',
      fleet: { ...replaced, instances: replaced.instances.map((i) => (i.id === 'i-new' ? { ...i, healthy: false } : i)) },
      expected: { kind: 'wait' },
    },
    {
      case: 'replacement replaced again by the health check: verified once the group settles',
      fleet: { ...replaced, instances: [...replaced.instances.filter((i) => i.id !== 'i-new'), instance({ id: 'i-newer', launchedAt: NOW - MINUTE })] },
      expected: { kind: 'verified', recoverySeconds: 600 },
    },
    {
      case: 'old instance still InService long after the recorded termination: the call never landed',
      of: { ...terminating, terminatedAt: NOW - 8 * MINUTE },
      fleet: base,
      expected: { kind: 'abandon' },
    },
    {
      case: 'replacement missing past recovery-timeout under a brake: failed, but no quarantine tag on a group that braked',
      of: { ...terminating, terminatedAt: NOW - 25 * MINUTE },
      fleet: { ...replaced, instances: replaced.instances.filter((i) => i.id !== 'i-new') },
      context: BRAKE,
      expected: { kind: 'failed', quarantine: false },
    },
  ])('$case', ({ of = terminating, fleet, context = {}, expected }) => {
    expect(step(of, fleet, context)).toMatchObject(expected);
  });
});

describe('recovery after terminating a surged instance (terminate decrements desired in the same call)', () => {
  /** Terminate recorded 8 minutes ago, past the delay an instance's state may take to show. */
  const terminatingSurge = record({
    phase: 'terminating',
    startedAt: NOW - 12 * MINUTE,
    terminatedAt: NOW - 8 * MINUTE,
    closedAt: undefined,
    surge: { fromDesired: 4, toDesired: 5 },
  });
  const withoutOld = (fleet: Group): Group => ({ ...fleet, instances: fleet.instances.filter((i) => i.id !== 'i-1') });
  /** Someone else removed i-1 and Auto Scaling replaced it: desired 5, five healthy instances. */
  const vanishedAndReplaced: Group = {
    ...withoutOld(surged()),
    instances: [...withoutOld(surged()).instances, instance({ id: 'i-repl', launchedAt: NOW - 3 * MINUTE })],
  };

  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; context?: Partial<ProgressContext>; expected: Partial<ProgressStep>; says?: string }>([
    {
      case: 'the call never took effect (desired still raised, old instance InService): abandon and take back the extra instance',
      fleet: surged(),
      expected: { kind: 'abandon', undo: takeBackNew },
      says: 'never took effect',
    },
    {
      case: 'the old instance vanished before the call landed: abandon and take back the newest, never verify at the raised desired',
      fleet: vanishedAndReplaced,
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-repl', toDesired: 4 } },
      says: 'i-1 gone',
    },
    {
      case: 'desired still raised within the confirm delay: wait for the call to show',
      of: { ...terminatingSurge, terminatedAt: NOW - 2 * MINUTE },
      fleet: vanishedAndReplaced,
      expected: { kind: 'wait' },
    },
    {
      case: 'under a brake the surge is still taken back exactly',
      fleet: surged(),
      context: BRAKE,
      expected: { kind: 'abandon', undo: takeBackNew },
    },
    {
      case: 'the call landed (desired back to 4, old instance gone, group settled): verified',
      fleet: { ...withoutOld(surged()), desired: 4 },
      expected: { kind: 'verified', recoverySeconds: 720 },
    },
  ])('$case', ({ of = terminatingSurge, fleet, context = {}, expected, says }) => {
    const result = step(of, fleet, context);
    expect(result).toMatchObject(expected);
    if (says !== undefined) expect('why' in result ? result.why : '').toContain(says);
  });
});

describe('taking a surge back exactly', () => {
  const failing = { ...surging, startedAt: NOW - 21 * MINUTE };
  const exemptTags = { 'phoenix:exempt': 'true' };

  it.each<{ case: string; fleet: Group; expected: Partial<ProgressStep> }>([
    {
      case: 'no extra instance was launched (launches failing): set desired back, which removes nothing',
      fleet: { ...group({ size: 4 }), desired: 5 },
      expected: { kind: 'failed', undo: { kind: 'set-desired', desired: 4 } },
    },

    {
      case: 'an exempt, unprotected instance in the group is never what the undo removes',
      fleet: (() => {
        const fleet = surged({ healthy: false });
        return { ...fleet, instances: fleet.instances.map((i) => (i.id === 'i-2' ? { ...i, tags: exemptTags, launchedAt: NOW - MINUTE } : i)) };
      })(),
      expected: { kind: 'failed', undo: takeBackNew },
    },
    {
      case: 'min size raised above the desired before the surge: left to its owner, nothing to undo',
      fleet: { ...surged({ healthy: false }), min: 5 },
      expected: { kind: 'failed', undo: undefined },
    },
  ])('$case', ({ fleet, expected }) => {
    expect(step(failing, fleet)).toMatchObject(expected);
  });

  it.each<{ case: string; fleet: Group; expected: Partial<ProgressStep> }>([
    {
      case: 'the extra instance was made exempt: the newest other instance goes, never the exempt one',
      fleet: surged({ tags: exemptTags }),
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-4', toDesired: 4 } },
    },
    {
      case: 'an unhealthy new instance goes before a healthy newer one, so no healthy capacity is lost',
      fleet: (() => {
        const fleet = surged();
        return {
          ...fleet,
          instances: [...fleet.instances.filter((i) => i.id !== 'i-4'), instance({ id: 'i-repl', launchedAt: NOW - 8 * MINUTE, healthy: false })],
        };
      })(),
      expected: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'i-repl', toDesired: 4 } },
    },
  ])('under a brake, $case', ({ fleet, expected }) => {
    expect(step(surging, fleet, BRAKE)).toMatchObject(expected);
  });
});

describe('an undo already claimed', () => {
  const claimed = (at: number | undefined): ReplacementRecord => ({
    ...surging,
    phase: 'undoing',
    undo: { at, closeAs: 'failed', why: 'extra instance not InService and Healthy within recovery-timeout 20m', quarantine: true },
  });

  it.each<{ case: string; of: ReplacementRecord; fleet: Group; context?: Partial<ProgressContext>; expected: Partial<ProgressStep> }>([
    { case: 'made a minute ago and not showing yet: wait, never make it twice', of: claimed(NOW - MINUTE), fleet: surged(), expected: { kind: 'wait' } },
    {
      case: 'made long ago and never landed: make it again',
      of: claimed(NOW - 8 * MINUTE),
      fleet: surged(),
      expected: { kind: 'failed', undo: takeBackNew, quarantine: true },
    },
    {
      case: 'claimed by a run that died before the call: make it now',
      of: claimed(undefined),
      fleet: surged(),
      expected: { kind: 'failed', undo: takeBackNew },
    },
    {
      case: 'landed (desired back): close as claimed, with the quarantine',
      of: claimed(NOW - MINUTE),
      fleet: { ...surged({ lifecycleState: 'Terminating' }), desired: 4 },
      expected: { kind: 'failed', undo: undefined, quarantine: true },
    },
    {
      case: 'landed, and our own quarantine tag already there: close without tagging again',
      of: claimed(NOW - MINUTE),
      fleet: { ...surged({ lifecycleState: 'Terminating' }), desired: 4 },
      context: { brake: 'quarantined (…)' },
      expected: { kind: 'failed', undo: undefined, quarantine: false },
    },
  ])('$case', ({ of, fleet, context = {}, expected }) => {
    expect(step(of, fleet, context)).toMatchObject(expected);
  });
});
