import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../functions/core/decide/decision.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import type { Group, LaunchSource } from '../../../../functions/core/model.js';
import { DAY, MINUTE } from '../../../../functions/core/model.js';
import { group, instance, NOW, planInput, record, surgingRecord, withTags } from '../../../support/fleet.js';

const OLD: LaunchSource = { kind: 'template', id: 'lt-shared', version: '1', imageId: 'ami-old' };
const NEW: LaunchSource = { kind: 'template', id: 'lt-shared', version: '2', imageId: 'ami-new' };

/** A group of `size` instances on the old version whose template now launches the new one: stale-config picks. */
function rolling(name: string, size: number, tags: Record<string, string> = {}): Group {
  const instances = Array.from({ length: size }, (_, index) => instance({ id: `${name}-${index}`, launchedAt: NOW - (index + 1) * DAY, launchSource: OLD }));
  return withTags(group({ name, size, instances, launchSource: NEW }), tags);
}

function byGroup(decisions: readonly Decision[]): Record<string, string> {
  return Object.fromEntries(decisions.map((decision) => [decision.group, decision.kind === 'skip' ? decision.reason : decision.kind]));
}

describe('canary order', () => {
  it('a new version starts in the smallest group only; the others wait, saying for which', () => {
    const decisions = planTick(planInput({ groups: [rolling('big', 6), rolling('small', 2), rolling('mid', 4)] }));
    expect(byGroup(decisions)).toEqual({ big: 'canary-wait', small: 'start', mid: 'canary-wait' });
    expect(decisions.find((decision) => decision.group === 'small')).toMatchObject({ kind: 'start', canary: true, launches: NEW });
    expect(decisions.find((decision) => decision.group === 'big')).toMatchObject({ why: expect.stringContaining('its canary replacement in small') });
  });

  it('the group tagged phoenix:canary=true goes first whatever its size', () => {
    const decisions = planTick(planInput({ groups: [rolling('big', 6, { 'phoenix:canary': 'true' }), rolling('small', 2)] }));
    expect(byGroup(decisions)).toEqual({ big: 'start', small: 'canary-wait' });
  });

  it('a version shared only by its AMI has one canary too', () => {
    const other: LaunchSource = { kind: 'template', id: 'lt-other', version: '5', imageId: 'ami-new' };
    const elsewhere = { ...rolling('elsewhere', 3), launchSource: other };
    expect(byGroup(planTick(planInput({ groups: [rolling('small', 2), elsewhere] })))).toEqual({ small: 'start', elsewhere: 'canary-wait' });
  });

  it('while the canary is in flight, and for the bake time after it is verified, every other start onto the version waits', () => {
    const groups = [rolling('big', 6), rolling('small', 2)];
    const inFlight = surgingRecord({ group: 'small', launches: NEW, canary: true });
    const baked = (closedAgo: number) =>
      record({ group: 'small', launches: NEW, canary: true, phase: 'verified', closedAt: NOW - closedAgo, startedAt: NOW - closedAgo - 20 * MINUTE });
    expect(byGroup(planTick(planInput({ groups: [groups[0] as Group], records: [inFlight] })))).toEqual({ big: 'canary-wait' });
    expect(byGroup(planTick(planInput({ groups: [groups[0] as Group], records: [baked(29 * MINUTE)] })))).toEqual({ big: 'canary-wait' });
    // Past the bake time with no instance proving it (the canary's instance is gone), the next start is a canary again.
    const after = planTick(planInput({ groups: [groups[0] as Group], records: [baked(31 * MINUTE)] }));
    expect(after).toMatchObject([{ kind: 'start', canary: true }]);
  });

  it('a version an instance has run healthy for the bake time is proven: every group goes, none as canary', () => {
    const proving = { ...rolling('small', 2) };
    const withNew: Group = {
      ...proving,
      instances: [...proving.instances, instance({ id: 'small-new', launchedAt: NOW - 31 * MINUTE, launchSource: NEW })],
      desired: 3,
    };
    const decisions = planTick(planInput({ groups: [rolling('big', 6), withNew] }));
    expect(decisions.map((decision) => (decision.kind === 'start' ? decision.canary : decision.kind))).toEqual([false, false]);
  });

  it('dry-run starts launch nothing and take no part', () => {
    const dry = rolling('dry', 1, { 'phoenix:enabled': 'dry-run' });
    expect(byGroup(planTick(planInput({ groups: [dry, rolling('small', 2)] })))).toEqual({ dry: 'start', small: 'start' });
  });
});

describe('version blocks in the plan', () => {
  const blocked = { key: 'lt-shared:2', blockedAt: NOW - MINUTE, why: 'its canary replacement in small failed to recover', trippedBy: 'small#1' };

  it('no group starts a replacement that would launch a blocked version, whatever the rule', () => {
    const decisions = planTick(planInput({ groups: [rolling('big', 6)], versionBlocks: [blocked] }));
    expect(decisions).toMatchObject([
      { kind: 'skip', reason: 'version-blocked', why: 'waiting: version lt-shared:2 blocked after its canary replacement in small failed to recover' },
    ]);
  });

  it('a group surging onto a blocked version takes the surge back, never terminates', () => {
    const base = rolling('big', 4);
    const surged: Group = { ...base, desired: 5, instances: [...base.instances, instance({ id: 'big-new', launchedAt: NOW - 5 * MINUTE, launchSource: NEW })] };
    const surge = surgingRecord({ group: 'big', instanceId: 'big-0', launches: NEW });
    const [decision] = planTick(planInput({ groups: [surged], records: [surge], versionBlocks: [blocked] }));
    expect(decision).toMatchObject({ kind: 'progress', step: { kind: 'abandon', undo: { kind: 'terminate-extra', instanceId: 'big-new', toDesired: 4 } } });
  });
});
