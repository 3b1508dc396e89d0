import { describe, expect, it } from 'vitest';
import type { ProgressStep } from '../../functions/core/decision.js';
import { MINUTE } from '../../functions/core/model.js';
import type { Group, ReplacementRecord } from '../../functions/core/model.js';
import { progressStep } from '../../functions/core/progress.js';
import { parseGroupPolicy } from '../../functions/core/tags.js';
import { group, instance, NOW, record, withTags } from '../support/fleet.js';

const surging = record({ phase: 'surging', startedAt: NOW - 10 * MINUTE, terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
const terminating = record({ phase: 'terminating', startedAt: NOW - 10 * MINUTE, terminatedAt: NOW - 10 * MINUTE, closedAt: undefined });

/** The fixture group (i-1..i-4) plus the surge's extra instance, desired 5. */
const surged = (extra: Partial<Parameters<typeof instance>[0]> = {}): Group => {
  const base = group({ size: 4 });
  return { ...base, desired: 5, instances: [...base.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE, ...extra })] };
};

function step(of: ReplacementRecord, fleet: Group, capacityChangesAllowed = true): ProgressStep {
  const parsed = parseGroupPolicy(fleet.tags);
  if (!parsed.ok) throw new Error('fixture tags must parse');
  return progressStep(of, fleet, parsed.policy, { now: NOW, capacityChangesAllowed });
}

describe('surge (launch before terminate)', () => {
  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; allowed?: boolean; expected: Partial<ProgressStep>; says?: string }>([
    { case: 'extra instance healthy: terminate the old one', fleet: surged(), expected: { kind: 'terminate-surged' } },
    { case: 'extra instance still pending: wait', fleet: surged({ lifecycleState: 'Pending' }), expected: { kind: 'wait' }, says: '3/4' },
    { case: 'ready but the window closed: wait', fleet: withTags(surged(), { 'phoenix:window': 'Sat 00:00-01:00 UTC' }), expected: { kind: 'wait' }, says: 'window' },
    { case: 'ready but terminations blocked account-wide: wait', fleet: surged(), allowed: false, expected: { kind: 'wait' }, says: 'blocked' },
    {
      case: 'not ready after recovery-timeout: fail and undo the surge',
      of: { ...surging, startedAt: NOW - 21 * MINUTE },
      fleet: surged({ lifecycleState: 'Pending' }),
      expected: { kind: 'failed', revertDesiredTo: 4 },
      says: 'recovery-timeout 20m',
    },
    {
      case: 'failed surge whose undo already landed: still failed, nothing more to undo',
      of: { ...surging, startedAt: NOW - 31 * MINUTE },
      fleet: { ...surged({ lifecycleState: 'Pending' }), desired: 4 },
      expected: { kind: 'failed', revertDesiredTo: undefined },
    },
    {
      case: 'the surge call never took effect (desired still 4): abandon, nothing to undo',
      fleet: group({ size: 4 }),
      expected: { kind: 'abandon', revertDesiredTo: undefined },
      says: 'never took effect',
    },
    {
      case: 'a scaling policy moved desired: abandon and leave it',
      fleet: { ...surged(), desired: 7 },
      expected: { kind: 'abandon', revertDesiredTo: undefined },
      says: 'from 5 to 7',
    },
    {
      case: 'the old instance left: abandon and undo our surge',
      fleet: { ...surged(), instances: surged().instances.filter((i) => i.id !== 'i-1') },
      expected: { kind: 'abandon', revertDesiredTo: 4 },
      says: 'i-1 left service',
    },
    {
      case: 'the old instance left while blocked: abandon without touching capacity',
      fleet: { ...surged(), instances: surged().instances.filter((i) => i.id !== 'i-1') },
      allowed: false,
      expected: { kind: 'abandon', revertDesiredTo: undefined },
    },
  ])('$case', ({ of = surging, fleet, allowed = true, expected, says }) => {
    const result = step(of, fleet, allowed);
    expect(result).toMatchObject(expected);
    if (says !== undefined) expect('why' in result ? result.why : '').toContain(says);
  });
});

describe('recovery after termination', () => {
  const base = group({ size: 4 });
  const replaced = { ...base, instances: [...base.instances.filter((i) => i.id !== 'i-1'), instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };

  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; expected: Partial<ProgressStep> }>([
    { case: 'back at desired, all healthy: verified with the whole replacement time', fleet: replaced, expected: { kind: 'verified', recoverySeconds: 600 } },
    { case: 'old instance still draining: wait', fleet: { ...replaced, instances: [...replaced.instances, instance({ id: 'i-1', lifecycleState: 'Terminating:Wait' })] }, expected: { kind: 'wait' } },
    { case: 'replacement pending, in time: wait', fleet: { ...replaced, instances: replaced.instances.map((i) => (i.id === 'i-new' ? { ...i, lifecycleState: 'Pending' as const } : i)) }, expected: { kind: 'wait' } },
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
      of: { ...terminating, terminatedAt: NOW - 6 * MINUTE },
      fleet: base,
      expected: { kind: 'abandon' },
    },
  ])('$case', ({ of = terminating, fleet, expected }) => {
    expect(step(of, fleet)).toMatchObject(expected);
  });
});

describe('recovery after terminating a surged instance (terminate decrements desired in the same call)', () => {
  /** Terminate recorded 6 minutes ago, past the delay an instance's state may take to show. */
  const terminatingSurge = record({
    phase: 'terminating', startedAt: NOW - 10 * MINUTE, terminatedAt: NOW - 6 * MINUTE, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 },
  });
  const withoutOld = (fleet: Group): Group => ({ ...fleet, instances: fleet.instances.filter((i) => i.id !== 'i-1') });
  /** Someone else removed i-1 and Auto Scaling replaced it: desired 5, five healthy instances. */
  const vanishedAndReplaced: Group = { ...withoutOld(surged()), instances: [...withoutOld(surged()).instances, instance({ id: 'i-repl' })] };

  it.each<{ case: string; of?: ReplacementRecord; fleet: Group; allowed?: boolean; expected: Partial<ProgressStep>; says?: string }>([
    {
      case: 'the call never took effect (desired still raised, old instance InService): abandon and undo the surge',
      fleet: surged(),
      expected: { kind: 'abandon', revertDesiredTo: 4 },
      says: 'never took effect',
    },
    {
      case: 'the old instance vanished before the call landed: abandon and undo the surge, never verify at the raised desired',
      fleet: vanishedAndReplaced,
      expected: { kind: 'abandon', revertDesiredTo: 4 },
      says: 'i-1 gone',
    },
    {
      case: 'desired still raised within the confirm delay: wait for the call to show',
      of: { ...terminatingSurge, terminatedAt: NOW - 2 * MINUTE },
      fleet: vanishedAndReplaced,
      expected: { kind: 'wait' },
    },
    {
      case: 'terminations blocked account-wide: abandon without touching capacity',
      fleet: surged(),
      allowed: false,
      expected: { kind: 'abandon', revertDesiredTo: undefined },
    },
    {
      case: 'the call landed (desired back to 4, old instance gone, group settled): verified',
      fleet: { ...withoutOld(surged()), desired: 4 },
      expected: { kind: 'verified', recoverySeconds: 600 },
    },
  ])('$case', ({ of = terminatingSurge, fleet, allowed = true, expected, says }) => {
    const result = step(of, fleet, allowed);
    expect(result).toMatchObject(expected);
    if (says !== undefined) expect('why' in result ? result.why : '').toContain(says);
  });
});
