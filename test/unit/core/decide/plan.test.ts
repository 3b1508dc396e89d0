import { describe, expect, it } from 'vitest';
import type { Decision, SkipReason, StartDecision } from '../../../../functions/core/decide/decision.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import { formatTaint } from '../../../../functions/core/taint/taint.js';
import { group, instance, NOW, planInput, record, surgingRecord, withTags } from '../../../support/fleet.js';

function only(decisions: readonly Decision[]): Decision {
  expect(decisions).toHaveLength(1);
  return decisions[0] as Decision;
}

function started(decision: Decision): StartDecision {
  if (decision.kind !== 'start') throw new Error(`expected a start, got ${decision.kind}: ${'why' in decision ? decision.why : ''}`);
  return decision;
}

/** i-1 is 8 days old: past the default fixture's max-age of 7d. */
const due = group({ size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) });

describe('group gates: every path that does not terminate names its reason', () => {
  it.each<{ case: string; input: Parameters<typeof planInput>[0]; reason: SkipReason; says: string }>([
    { case: 'malformed tag', input: { groups: [withTags(due, { 'phoenix:max-age': '7days' })] }, reason: 'bad-tags', says: '7days' },
    { case: 'opted out', input: { groups: [withTags(due, { 'phoenix:enabled': 'false' })] }, reason: 'disabled', says: 'phoenix:enabled=false' },
    { case: 'quarantined', input: { groups: [withTags(due, { 'phoenix:quarantined': 'recovery failed' })] }, reason: 'quarantined', says: 'recovery failed' },
    { case: 'desired capacity 0', input: { groups: [{ ...due, desired: 0, instances: [] }] }, reason: 'desired-zero', says: 'desired capacity is 0' },
    {
      case: 'Terminate suspended',
      input: { groups: [{ ...due, suspendedProcesses: ['Terminate', 'AZRebalance'] }] },
      reason: 'processes-suspended',
      says: 'Terminate',
    },
    {
      case: 'ReplaceUnhealthy suspended',
      input: { groups: [{ ...due, suspendedProcesses: ['ReplaceUnhealthy'] }] },
      reason: 'processes-suspended',
      says: 'ReplaceUnhealthy',
    },
    { case: 'below desired', input: { groups: [{ ...due, desired: 5 }] }, reason: 'not-stable', says: '4/5' },
    {
      case: 'an instance pending',
      input: { groups: [{ ...due, instances: [...due.instances, instance({ id: 'i-new', lifecycleState: 'Pending', launchedAt: NOW })] }] },
      reason: 'not-stable',
      says: '1 in transition',
    },
    {
      case: 'an unhealthy instance',
      input: { groups: [{ ...due, instances: due.instances.map((i, n) => (n === 2 ? { ...i, healthy: false } : i)) }] },
      reason: 'not-stable',
      says: '1 unhealthy',
    },
    {
      case: 'an instance in standby leaves the group short',
      input: { groups: [{ ...due, instances: due.instances.map((i, n) => (n === 3 ? { ...i, lifecycleState: 'Standby' as const } : i)) }] },
      reason: 'not-stable',
      says: '3/4',
    },
    { case: 'scaling activity', input: { groups: [{ ...due, scalingActivityInProgress: true }] }, reason: 'not-stable', says: 'scaling activity' },
    { case: 'instance refresh', input: { groups: [{ ...due, instanceRefreshInProgress: true }] }, reason: 'not-stable', says: 'instance refresh' },
    {
      case: 'outside the window (Monday 12:00 UTC, weekend window)',
      input: { groups: [withTags(due, { 'phoenix:window': 'Sat-Sun 00:00-24:00 UTC' })] },
      reason: 'outside-window',
      says: 'Sat-Sun',
    },
    {
      case: 'window closes before the replacement could finish',
      input: { groups: [withTags(due, { 'phoenix:window': 'Mon 09:00-12:20 UTC' })] },
      reason: 'outside-window',
      says: 'Mon 09:00-12:20 UTC',
    },
    {
      case: 'budget spent',
      input: { groups: [due], records: [record({ terminatedAt: NOW - 30 * MINUTE })] },
      reason: 'budget-spent',
      says: '1/1/hour',
    },
    {
      case: 'nothing past max-age',
      input: { groups: [group({ size: 3 })] },
      reason: 'no-candidate',
      says: 'oldest instance 3d',
    },
    {
      case: 'min-healthy 100 at max capacity',
      input: { groups: [{ ...due, max: 4 }] },
      reason: 'at-max-capacity',
      says: 'desired 4 is the group',
    },
    {
      case: 'account blocked',
      input: { globalBlock: { reason: 'stop-alarm', why: 'not terminating: stop alarm in ALARM: p99', brake: false } },
      reason: 'global-block',
      says: 'p99',
    },
  ])('$case', ({ input, reason, says }) => {
    const decision = only(planTick(planInput({ groups: [due], ...input })));
    expect(decision.kind).toBe('skip');
    if (decision.kind !== 'skip') return;
    expect(decision.reason).toBe(reason);
    expect(decision.why).toContain(says);
  });

  it('passes every gate and starts with the oldest instance', () => {
    const decision = started(only(planTick(planInput({ groups: [due] }))));
    expect(decision).toMatchObject({ instanceId: 'i-1', reason: 'max-age', method: 'surge', dryRun: false, desired: 4 });
    expect(decision.why).toContain('past max-age 7d');
  });

  it('a budget period that has passed no longer counts', () => {
    const decision = only(planTick(planInput({ groups: [due], records: [record({ startedAt: NOW - 2 * HOUR, terminatedAt: NOW - 61 * MINUTE })] })));
    expect(decision.kind).toBe('start');
  });

  it('a termination that happened after the surge started counts at its termination time', () => {
    const recent = record({ startedAt: NOW - 2 * HOUR, terminatedAt: NOW - 50 * MINUTE });
    expect(only(planTick(planInput({ groups: [due], records: [recent] }))).kind).toBe('skip');
  });
});

describe('candidates, in priority order', () => {
  const touched = formatTaint({ at: NOW - 2 * HOUR, by: 'alice', via: 'ssm-session' });

  it.each([
    {
      case: 'a tainted instance past grace beats an older one',
      instances: [instance({ id: 'old', launchedAt: NOW - 9 * DAY }), instance({ id: 'touched', tags: { 'phoenix:tainted': touched } })],
      expected: { instanceId: 'touched', reason: 'tainted' },
    },
    {
      case: 'a stale launch template beats max-age',
      instances: [instance({ id: 'old', launchedAt: NOW - 9 * DAY }), instance({ id: 'stale', launchSource: { kind: 'template', id: 'lt-1', version: '0' } })],
      expected: { instanceId: 'stale', reason: 'stale-config' },
    },
    {
      case: 'a tainted instance within grace waits: max-age goes first',
      instances: [
        instance({ id: 'old', launchedAt: NOW - 9 * DAY }),
        instance({ id: 'touched', tags: { 'phoenix:tainted': formatTaint({ at: NOW - 10 * MINUTE, by: 'bob', via: 'ssm-command' }) } }),
      ],
      expected: { instanceId: 'old', reason: 'max-age' },
    },
    {
      case: 'a tainted instance within grace is left alone even when it is the oldest, past max-age',
      instances: [
        instance({
          id: 'touched',
          launchedAt: NOW - 9 * DAY,
          tags: { 'phoenix:tainted': formatTaint({ at: NOW - 10 * MINUTE, by: 'bob', via: 'ssm-session' }) },
        }),
        instance({ id: 'old', launchedAt: NOW - 8 * DAY }),
      ],
      expected: { instanceId: 'old', reason: 'max-age' },
    },
    {
      case: 'a tainted instance within grace is left alone even when its launch template is stale',
      instances: [
        instance({
          id: 'touched',
          launchSource: { kind: 'template', id: 'lt-1', version: '0' },
          tags: { 'phoenix:tainted': formatTaint({ at: NOW - 10 * MINUTE, by: 'bob', via: 'ssm-session' }) },
        }),
        instance({ id: 'old', launchedAt: NOW - 9 * DAY }),
      ],
      expected: { instanceId: 'old', reason: 'max-age' },
    },
    {
      case: 'an unreadable taint tag is not a taint candidate',
      instances: [instance({ id: 'old', launchedAt: NOW - 9 * DAY }), instance({ id: 'touched', tags: { 'phoenix:tainted': 'yes' } })],
      expected: { instanceId: 'old', reason: 'max-age' },
    },
    {
      case: 'exempt, protected and standby instances are never picked',
      instances: [
        instance({ id: 'exempt', launchedAt: NOW - 30 * DAY, tags: { 'phoenix:exempt': 'true' } }),
        instance({ id: 'typo-exempt', launchedAt: NOW - 29 * DAY, tags: { 'phoenix:exempt': 'yes' } }),
        instance({ id: 'protected', launchedAt: NOW - 28 * DAY, protectedFromScaleIn: true }),
        instance({ id: 'old', launchedAt: NOW - 8 * DAY }),
      ],
      expected: { instanceId: 'old', reason: 'max-age' },
    },
  ])('$case', ({ instances, expected }) => {
    const decision = started(only(planTick(planInput({ groups: [group({ instances, desired: instances.length, max: 10 })] }))));
    expect(decision).toMatchObject(expected);
  });

  it('a tainted pick carries the time of the last touch, for touch-to-replacement reporting', () => {
    const instances = [instance({ id: 'touched', tags: { 'phoenix:tainted': touched } })];
    expect(started(only(planTick(planInput({ groups: [group({ instances, desired: 1, max: 10 })] }))))).toMatchObject({
      reason: 'tainted',
      touchedAt: NOW - 2 * HOUR,
    });
  });

  it('a launch configuration group with an instance from another configuration is stale', () => {
    const lc = { kind: 'configuration', name: 'web-v2' } as const;
    const instances = [instance({ id: 'a', launchSource: lc }), instance({ id: 'b', launchSource: { kind: 'configuration', name: 'web-v1' } })];
    expect(started(only(planTick(planInput({ groups: [group({ instances, desired: 2, launchSource: lc })] }))))).toMatchObject({
      instanceId: 'b',
      reason: 'stale-config',
    });
  });

  it('an instance without a launch time is never an age candidate', () => {
    const instances = [instance({ id: 'unknown', launchedAt: undefined }), instance({ id: 'young', launchedAt: NOW - HOUR })];
    const decision = only(planTick(planInput({ groups: [group({ instances, desired: 2 })] })));
    expect(decision).toMatchObject({ kind: 'skip', reason: 'no-candidate' });
  });

  it.each([
    { case: 'chaos draw below the per-tick probability picks', draws: [0.001, 0.6], picked: 'i-3' },
    { case: 'chaos draw above the per-tick probability does not', draws: [0.5], picked: undefined },
  ])('$case', ({ draws, picked }) => {
    const queue = [...draws];
    const random = () => {
      const next = queue.shift();
      if (next === undefined) throw new Error('drew more random numbers than expected');
      return next;
    };
    const chaotic = withTags(group({ size: 4 }), { 'phoenix:chaos': '1d', 'phoenix:max-age': '30d' });
    const decision = only(planTick(planInput({ groups: [chaotic], chaosDraws: () => random })));
    if (picked === undefined) expect(decision).toMatchObject({ kind: 'skip', reason: 'no-candidate' });
    else expect(decision).toMatchObject({ kind: 'start', reason: 'chaos', instanceId: picked });
    expect(queue).toHaveLength(0);
  });

  it('chaos leaves an instance within its taint grace alone', () => {
    const touchedNow = instance({ id: 'touched', tags: { 'phoenix:tainted': formatTaint({ at: NOW - 10 * MINUTE, by: 'bob', via: 'ssm-command' }) } });
    const chaotic = withTags(group({ instances: [touchedNow], desired: 1 }), { 'phoenix:chaos': '1d', 'phoenix:max-age': '30d' });
    const decision = only(planTick(planInput({ groups: [chaotic], chaosDraws: () => () => 0.001 })));
    expect(decision).toMatchObject({ kind: 'skip', reason: 'no-candidate' });
  });

  it('starts early when a fleet launched together would otherwise age out together', () => {
    // Ten instances, all 6d 20h old; one slot per hour: waiting for max-age would leave nine late.
    const together = Array.from({ length: 10 }, (_, n) => instance({ id: `i-${n}`, launchedAt: NOW - 6 * DAY - 20 * HOUR }));
    const decision = started(only(planTick(planInput({ groups: [group({ instances: together, desired: 10, max: 12 })] }))));
    expect(decision.reason).toBe('max-age');
    expect(decision.why).toContain('due early (spreading): 4 instances reach max-age 7d with 4h of window time');
  });

  it('does not start early when there is room before max-age', () => {
    const spread = Array.from({ length: 10 }, (_, n) => instance({ id: `i-${n}`, launchedAt: NOW - n * 16 * HOUR }));
    expect(only(planTick(planInput({ groups: [group({ instances: spread, desired: 10, max: 12 })] })))).toMatchObject({ kind: 'skip', reason: 'no-candidate' });
  });
});

describe('replacement method follows min-healthy', () => {
  it.each([
    { case: 'min-healthy 100 launches before terminating', minHealthy: '100', desired: 4, method: 'surge' },
    { case: 'min-healthy 75 with four instances may dip by one', minHealthy: '75', desired: 4, method: 'terminate' },
    { case: 'min-healthy 90 with four instances may not dip', minHealthy: '90', desired: 4, method: 'surge' },
  ])('$case', ({ minHealthy, method }) => {
    const decision = started(only(planTick(planInput({ groups: [withTags(due, { 'phoenix:min-healthy': minHealthy })] }))));
    expect(decision.method).toBe(method);
  });
});

describe('dry-run', () => {
  it.each([
    { case: 'group tag dry-run', tags: { 'phoenix:enabled': 'dry-run' }, globalMode: 'live' as const },
    { case: 'global mode dry-run', tags: {}, globalMode: 'dry-run' as const },
  ])('$case decides but marks the start dry-run', ({ tags, globalMode }) => {
    expect(started(only(planTick(planInput({ groups: [withTags(due, tags)], globalMode }))))).toMatchObject({ dryRun: true, instanceId: 'i-1' });
  });

  it('dry-run does not pick the same instance twice: it would have been replaced', () => {
    const wouldHave = record({ mode: 'dry-run', phase: 'dry-run', instanceId: 'i-1', startedAt: NOW - 2 * HOUR, terminatedAt: undefined });
    const decision = started(only(planTick(planInput({ groups: [withTags(due, { 'phoenix:enabled': 'dry-run' })], records: [wouldHave] }))));
    expect(decision.instanceId).toBe('i-2');
  });

  it('dry-run records count against a dry-run group budget only', () => {
    const wouldHave = record({ mode: 'dry-run', phase: 'dry-run', startedAt: NOW - 10 * MINUTE, terminatedAt: undefined });
    expect(only(planTick(planInput({ groups: [withTags(due, { 'phoenix:enabled': 'dry-run' })], records: [wouldHave] })))).toMatchObject({
      reason: 'budget-spent',
    });
    expect(only(planTick(planInput({ groups: [due], records: [wouldHave] }))).kind).toBe('start');
  });
});

describe('account limit per run', () => {
  it('keeps the most urgent starts and names the limit for the rest', () => {
    const groups = [
      { ...due, name: 'a' },
      { ...due, name: 'b', instances: due.instances.map((i, n) => (n === 0 ? { ...i, launchedAt: NOW - 20 * DAY } : i)) },
      { ...due, name: 'c' },
    ];
    const decisions = planTick(planInput({ groups, maxTerminationsPerRun: 1 }));
    expect(decisions.map((d) => d.kind)).toEqual(['skip', 'start', 'skip']);
    expect(decisions[0]).toMatchObject({ reason: 'account-run-limit' });
  });
});

describe('in-flight replacements', () => {
  it('a group with an open replacement only moves it on', () => {
    const open = record({ phase: 'terminating', terminatedAt: NOW - 2 * MINUTE, closedAt: undefined });
    const replaced = { ...due, instances: [...due.instances.slice(1), instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };
    const decision = only(planTick(planInput({ groups: [replaced], records: [open] })));
    expect(decision).toMatchObject({ kind: 'progress', step: { kind: 'verified' } });
  });
});

describe('explain', () => {
  it('gives every instance a line saying why it would or would not be recycled', () => {
    const mixed = group({
      instances: [
        instance({ id: 'old', launchedAt: NOW - 8 * DAY }),
        instance({ id: 'young', launchedAt: NOW - DAY }),
        instance({ id: 'exempt', tags: { 'phoenix:exempt': 'true' } }),
      ],
      desired: 3,
    });
    const decision = only(planTick(planInput({ groups: [mixed], explain: true })));
    expect(decision.instances.map((verdict) => [verdict.instanceId, verdict.candidate, verdict.note])).toEqual([
      ['old', 'max-age', 'age 8d past max-age 7d'],
      ['young', undefined, 'age 1d of max-age 7d'],
      ['exempt', undefined, 'never picked: phoenix:exempt; age 1d'],
    ]);
  });

  it('says an instance the max-age rule picks before max-age is due early, as the pick does', () => {
    // Ten instances, all 6d 20h old, one slot per hour: the rule starts on them before they reach 7d.
    const together = Array.from({ length: 10 }, (_, n) => instance({ id: `i-${n}`, launchedAt: NOW - 6 * DAY - 20 * HOUR }));
    const decision = started(only(planTick(planInput({ groups: [group({ instances: together, desired: 10, max: 12 })], explain: true }))));
    const picked = decision.instances.find((verdict) => verdict.instanceId === decision.instanceId);
    expect(picked?.candidate).toBe('max-age');
    expect(picked?.note).not.toBe('age 6d 20h of max-age 7d');
    expect(picked?.note).toContain('due early (spreading)');
  });
});

describe('snooze: phoenix:snooze-until postpones recycling', () => {
  const until = new Date(NOW + 6 * HOUR).toISOString();
  const snoozed = withTags(due, { 'phoenix:snooze-until': until });
  const taintedPastGrace = formatTaint({ at: NOW - 2 * HOUR, by: 'alice', via: 'ssm-session' });
  const base = group({ size: 4 });
  const surgeReady = (tags: Readonly<Record<string, string>>) => ({
    ...withTags(base, tags),
    desired: 5,
    instances: [...base.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })],
  });

  it('skips a snoozed group, saying until when', () => {
    expect(only(planTick(planInput({ groups: [snoozed] })))).toMatchObject({ kind: 'skip', reason: 'snoozed', why: `not terminating: snoozed until ${until}` });
  });

  it('still replaces a tainted instance past its grace in a snoozed group, and nothing else', () => {
    const touched = { ...snoozed, instances: snoozed.instances.map((i) => (i.id === 'i-3' ? { ...i, tags: { 'phoenix:tainted': taintedPastGrace } } : i)) };
    expect(started(only(planTick(planInput({ groups: [touched] }))))).toMatchObject({ instanceId: 'i-3', reason: 'tainted' });
  });

  it('is a bad tag more than a day ahead: the group is skipped, never snoozed', () => {
    const tooLong = withTags(due, { 'phoenix:snooze-until': new Date(NOW + 2 * DAY).toISOString() });
    expect(only(planTick(planInput({ groups: [tooLong] })))).toMatchObject({ kind: 'skip', reason: 'bad-tags', why: expect.stringContaining('48h ahead') });
  });

  it('is a bad tag when malformed, naming what was expected', () => {
    const malformed = withTags(due, { 'phoenix:snooze-until': 'tomorrow' });
    expect(only(planTick(planInput({ groups: [malformed] })))).toMatchObject({
      kind: 'skip',
      reason: 'bad-tags',
      why: expect.stringContaining('phoenix:snooze-until="tomorrow": expected an ISO time with an offset'),
    });
  });

  it('recycles as usual when the snooze is beyond the weekly limit', () => {
    const week = [1, 2, 3].map((days) => ({ group: 'web', until: NOW - days * DAY, seenAt: NOW - days * DAY - HOUR }));
    expect(started(only(planTick(planInput({ groups: [snoozed], snoozes: week }))))).toMatchObject({ instanceId: 'i-1', reason: 'max-age' });
  });

  it('takes back an open surge in a group snoozed meanwhile, never finishing it by a termination', () => {
    const decision = only(planTick(planInput({ groups: [surgeReady({ 'phoenix:snooze-until': until })], records: [surgingRecord()] })));
    expect(decision).toMatchObject({
      kind: 'progress',
      step: { kind: 'abandon', why: expect.stringContaining(`snoozed until ${until}`), undo: { kind: 'terminate-extra', instanceId: 'i-new' } },
    });
  });

  it('finishes an open tainted replacement in a snoozed group: a snooze never holds back a taint past its grace', () => {
    const decision = only(planTick(planInput({ groups: [surgeReady({ 'phoenix:snooze-until': until })], records: [surgingRecord({ reason: 'tainted' })] })));
    expect(decision).toMatchObject({ kind: 'progress', step: { kind: 'terminate-surged' } });
  });

  it('takes back an open tainted replacement when the snooze value is bad', () => {
    const bad = surgeReady({ 'phoenix:snooze-until': new Date(NOW + 2 * DAY).toISOString() });
    const decision = only(planTick(planInput({ groups: [bad], records: [surgingRecord({ reason: 'tainted' })] })));
    expect(decision).toMatchObject({ kind: 'progress', step: { kind: 'abandon' } });
  });
});

describe('recycle on request: phoenix:recycle-requested', () => {
  const requestTag = (at: number, by = 'alice') => ({ 'phoenix:recycle-requested': `at=${new Date(at).toISOString()};by=${by}` });
  const withInstanceTags = (base: typeof due, tagsById: Readonly<Record<string, Readonly<Record<string, string>>>>) => ({
    ...base,
    instances: base.instances.map((i) => (tagsById[i.id] === undefined ? i : { ...i, tags: { ...i.tags, ...tagsById[i.id] } })),
  });

  it('replaces a requested instance first, before a taint past grace and before max-age', () => {
    const taint = formatTaint({ at: NOW - 2 * HOUR, by: 'bob', via: 'ssm-session' });
    const fleet = withInstanceTags(due, { 'i-4': requestTag(NOW - 5 * MINUTE), 'i-2': { 'phoenix:tainted': taint } });
    expect(started(only(planTick(planInput({ groups: [fleet] }))))).toMatchObject({
      instanceId: 'i-4',
      reason: 'requested',
      why: expect.stringContaining('alice'),
    });
  });

  it('serves the earliest request first; a request time in the future counts as made now', () => {
    const fleet = withInstanceTags(due, { 'i-3': requestTag(NOW + DAY, 'mallory'), 'i-4': requestTag(NOW - MINUTE) });
    expect(started(only(planTick(planInput({ groups: [fleet] }))))).toMatchObject({ instanceId: 'i-4', reason: 'requested' });
  });

  it('goes through the gates: a spent budget or a snooze holds the request', () => {
    const fleet = withInstanceTags(due, { 'i-4': requestTag(NOW - MINUTE) });
    expect(only(planTick(planInput({ groups: [fleet], records: [record({ startedAt: NOW - 20 * MINUTE })] })))).toMatchObject({ reason: 'budget-spent' });
    const snoozed = withTags(fleet, { 'phoenix:snooze-until': new Date(NOW + HOUR).toISOString() });
    expect(only(planTick(planInput({ groups: [snoozed] })))).toMatchObject({ reason: 'snoozed' });
  });

  it('never picks an exempt instance, requested or not', () => {
    const fleet = withInstanceTags(due, { 'i-4': { ...requestTag(NOW - MINUTE), 'phoenix:exempt': 'true' } });
    expect(started(only(planTick(planInput({ groups: [fleet] }))))).toMatchObject({ instanceId: 'i-1', reason: 'max-age' });
  });

  it('explains a request without a readable time, and does not pick for it', () => {
    const fleet = withInstanceTags(due, { 'i-4': { 'phoenix:recycle-requested': 'by=alice' } });
    const decision = only(planTick(planInput({ groups: [fleet], explain: true })));
    expect(started(decision)).toMatchObject({ instanceId: 'i-1', reason: 'max-age' });
    expect(decision.instances.find((verdict) => verdict.instanceId === 'i-4')?.note).toContain('has no readable at= time; not a requested candidate');
  });

  it('is an instance tag: on the group it is a bad tag', () => {
    const onGroup = withTags(due, requestTag(NOW));
    expect(only(planTick(planInput({ groups: [onGroup] })))).toMatchObject({ reason: 'bad-tags', why: expect.stringContaining('it is an instance tag') });
  });
});
