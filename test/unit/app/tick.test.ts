import { describe, expect, it } from 'vitest';
import type { TickSettings } from '../../../functions/app/tick.js';
import { runTick } from '../../../functions/app/tick.js';
import { CallRefusedError, InstanceGoneError } from '../../../functions/core/errors.js';
import type { GlobalMode, Group } from '../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { FakeAlarms, type FakeEvents, FakeLedger, FakeSettings, fakeRunDeps } from '../../support/fakes.js';
import { group, instance, NOW, record, surgingRecord, withTags } from '../../support/fleet.js';

/** The events about replacements, without the advance notices every tick also publishes. */
const recordEvents = (events: FakeEvents) => events.published.filter((event) => event.detailType !== 'Recycle Scheduled');
const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: ['p99-latency'], maxTerminationsPerRun: 5 };

/** i-1 is 8 days old; min-healthy 75 lets Phoenix terminate directly (no surge). */
const due: Group = withTags(group({ size: 4, instances: [1, 2, 3, 4].map((n) => instance({ id: `i-${n}`, launchedAt: NOW - (9 - n) * DAY })) }), {
  'phoenix:min-healthy': '75',
});

function world(groups: Group[] = [due]) {
  return fakeRunDeps(groups);
}

const mutating = (calls: readonly string[]) => calls.filter((call) => /^(terminate|setDesired|tagGroup)/.test(call));

describe('runTick', () => {
  it('terminates the planned instance after a fresh re-read, records it first and emits Instance Recycled', async () => {
    const deps = world();
    const result = await runTick(deps, settings, NOW);
    expect(deps.fleet.calls).toEqual(['listOptedInGroups', 'recheckGroups web with activities', 'terminateInstance web i-1 decrement=false']);
    expect(deps.ledger.reads).toEqual(['recordsSince']);
    const [stored] = [...deps.ledger.records.values()];
    expect(stored).toMatchObject({ phase: 'terminating', instanceId: 'i-1', reason: 'max-age', terminatedAt: NOW });
    expect(recordEvents(deps.events)).toMatchObject([{ detailType: 'Instance Recycled', detail: { group: 'web', instanceId: 'i-1', reason: 'max-age' } }]);
    expect(result.outcomes).toMatchObject([{ kind: 'terminated' }]);
    expect(deps.logger.lines.some((line) => line.message === 'recycling' && line.fields['instance'] === 'i-1')).toBe(true);
  });

  it('a tick records what it skipped and why; a verifier run records nothing', async () => {
    const deps = world([due, withTags(group({ name: 'closed' }), { 'phoenix:window': 'Sat-Sun 00:00-24:00 UTC' })]);
    await runTick(deps, settings, NOW);
    expect(deps.ledger.ticks).toEqual([{ at: NOW, blocked: undefined, skips: { closed: 'outside-window' } }]);
    await runTick(deps, settings, NOW + 10 * MINUTE, { kind: 'verify', groups: undefined });
    expect(deps.ledger.ticks).toHaveLength(1);
  });

  it('a tick summary that cannot be written only warns: the termination stands', async () => {
    const deps = world();
    deps.ledger.failTickRecords = new Error('ProvisionedThroughputExceededException');
    const result = await runTick(deps, settings, NOW);
    expect(result.outcomes).toMatchObject([{ kind: 'terminated' }]);
    expect(deps.logger.lines.find((line) => line.message === 'could not record the tick summary')?.fields['error']).toContain('ProvisionedThroughput');
  });

  it('min-healthy 100 raises desired capacity first and terminates nothing this tick', async () => {
    const deps = world([withTags(due, { 'phoenix:min-healthy': '100' })]);
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['setDesiredCapacity web 5']);
    expect([...deps.ledger.records.values()]).toMatchObject([{ phase: 'surging', surge: { fromDesired: 4, toDesired: 5 } }]);
    expect(recordEvents(deps.events)).toEqual([]);
  });

  it.each([
    { case: 'stop alarm in ALARM', alarms: new FakeAlarms(['p99-latency']), mode: 'live' as const, says: 'p99-latency' },
    {
      case: 'alarm state unreadable blocks, never defaults to go',
      alarms: new FakeAlarms([], new Error('AccessDenied')),
      mode: 'live' as const,
      says: 'could not read the stop alarms',
    },
    { case: 'kill switch off', alarms: new FakeAlarms(), mode: 'off' as const, says: 'global mode is off' },
  ])('$case: no terminations anywhere and the reason is logged', async ({ alarms, mode, says }) => {
    const deps = { ...world(), alarms, settings: new FakeSettings(mode) };
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(result.block?.why).toContain(says);
    expect(deps.logger.lines.find((line) => line.message === 'tick blocked')?.fields['why']).toContain(says);
  });

  it('a blackout day blocks', async () => {
    const deps = world();
    const result = await runTick(deps, { ...settings, blackouts: [{ from: NOW - DAY, to: NOW + DAY, text: '2026-11-23' }] }, NOW);
    expect(result.block?.reason).toBe('blackout');
    expect(mutating(deps.fleet.calls)).toEqual([]);
  });

  it('global dry-run writes a dry-run record and touches nothing', async () => {
    const deps = { ...world(), settings: new FakeSettings('dry-run') };
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect([...deps.ledger.records.values()]).toMatchObject([{ phase: 'dry-run', mode: 'dry-run', instanceId: 'i-1' }]);
  });

  it('does not act when the fresh re-read shows the instance became protected', async () => {
    const deps = world();
    const protectedNow = { ...due, instances: due.instances.map((i) => (i.id === 'i-1' ? { ...i, protectedFromScaleIn: true } : i)) };
    deps.fleet.recheckGroups = async () => new Map([['web', protectedNow]]);
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(result.outcomes).toMatchObject([{ kind: 'not-acted', why: expect.stringContaining('i-1 is now protected') }]);
  });

  it('does not act when another tick holds the group in the ledger', async () => {
    const deps = world();
    const begin = deps.ledger.begin.bind(deps.ledger);
    deps.ledger.begin = async (entry) => {
      await begin({ ...entry, id: 'other-tick' });
      return begin(entry);
    };
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(result.outcomes).toMatchObject([{ kind: 'not-acted', why: 'another tick holds this group' }]);
  });

  it('a failed termination is reported, its record left open for the next tick to reconcile, and the batch goes on', async () => {
    const other = { ...due, name: 'api' };
    const deps = world([due, other]);
    let first = true;
    deps.fleet.terminateInstance = async (groupName, instanceId) => {
      deps.fleet.calls.push(`terminateInstance ${groupName} ${instanceId}`);
      if (first) {
        first = false;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
    };
    const result = await runTick(deps, settings, NOW);
    expect(result.outcomes.map((outcome) => outcome.kind)).toEqual(['failed', 'terminated']);
    const open = deps.ledger.records.get(`web#${new Date(NOW).toISOString()}`);
    expect(open).toMatchObject({ phase: 'terminating', instanceId: 'i-1' });
    // Next tick: the instance is still in service, so the call never landed: abandoned, nothing terminated twice.
    deps.fleet.terminateInstance = async () => {
      throw new Error('must not terminate again');
    };
    const next = await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(deps.ledger.records.get(open?.id ?? '')).toMatchObject({ phase: 'abandoned', detail: expect.stringContaining('never took effect') });
    expect(next.outcomes.filter((outcome) => outcome.kind === 'terminated')).toHaveLength(0);
  });

  it('a failed event publication is an error, never undoes the termination, and the next run publishes it from the ledger', async () => {
    const deps = world();
    deps.events.error = new Error('PutEvents failed');
    const result = await runTick(deps, settings, NOW);
    // Reported as a failed action, so the invocation fails and its alarm fires; the termination stands.
    expect(result.outcomes).toMatchObject([
      { kind: 'terminated' },
      { kind: 'failed', why: 'could not publish events; the next run sends them' },
      { kind: 'failed', why: 'could not publish its advance notice' },
    ]);
    expect(deps.logger.lines.find((line) => line.level === 'error')?.message).toBe('could not publish events');
    const [stored] = [...deps.ledger.records.values()];
    expect(stored?.outbox).toMatchObject([{ detailType: 'Instance Recycled', detail: { instanceId: 'i-1' } }]);
    deps.events.error = undefined;
    const afterTermination = { ...due, instances: due.instances.map((i) => (i.id === 'i-1' ? { ...i, lifecycleState: 'Terminating:Wait' as const } : i)) };
    deps.fleet.groups = [afterTermination];
    await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(recordEvents(deps.events)).toMatchObject([{ detailType: 'Instance Recycled', detail: { instanceId: 'i-1', recordId: stored?.id } }]);
    expect(deps.ledger.records.get(stored?.id ?? '')?.outbox).toBeUndefined();
  });

  it('a tick killed between its termination and its publish loses no event; an unconfirmed one waits until the termination shows', async () => {
    const deps = world();
    // The run dies right after the termination: nothing reaches EventBridge in this run.
    deps.events.error = new Error('Task timed out');
    await runTick(deps, settings, NOW);
    deps.events.error = undefined;
    const [stored] = [...deps.ledger.records.values()];
    // Still InService as read (Describe lags): the announcement waits.
    await runTick(deps, settings, NOW + MINUTE, { kind: 'verify', groups: ['web'] });
    expect(recordEvents(deps.events)).toEqual([]);
    deps.fleet.groups = [{ ...due, instances: due.instances.filter((i) => i.id !== 'i-1') }];
    await runTick(deps, settings, NOW + 2 * MINUTE, { kind: 'verify', groups: ['web'] });
    expect(recordEvents(deps.events).map((event) => event.detailType)).toEqual(['Instance Recycled']);
    expect(deps.ledger.records.get(stored?.id ?? '')?.outbox).toBeUndefined();
  });

  it('finishes a ready surge: terminates the old instance decrementing desired, once', async () => {
    const surge = record({ phase: 'surging', terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
    const surged = { ...due, desired: 5, instances: [...due.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };
    const deps = { ...world([surged]), ledger: new FakeLedger([surge]) };
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-1 decrement=true']);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'terminating', terminatedAt: NOW });
  });

  it('a failed terminate of a surged instance keeps the record terminating, so a call that landed is still recorded', async () => {
    const surge = record({ phase: 'surging', terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
    const fresh = instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE });
    const surged = { ...due, desired: 5, instances: [...due.instances, fresh] };
    const deps = { ...world([surged]), ledger: new FakeLedger([surge]) };
    deps.fleet.failing.set('terminateInstance', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const first = await runTick(deps, settings, NOW);
    expect(first.outcomes).toMatchObject([{ kind: 'failed', why: 'could not terminate i-1' }]);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'terminating', terminatedAt: NOW });
    // The call had landed: desired is back to 4 and i-1 is gone. The record is verified, with the termination's time.
    deps.fleet.failing.clear();
    deps.fleet.groups = [{ ...surged, desired: 4, instances: [...due.instances.slice(1), fresh] }];
    await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'verified', terminatedAt: NOW });
    expect(mutating(deps.fleet.calls).filter((call) => call.startsWith('terminateInstance'))).toHaveLength(1);
  });

  it('quarantines a group whose replacement missed its deadline, with both events', async () => {
    const late = record({ phase: 'terminating', startedAt: NOW - 40 * MINUTE, terminatedAt: NOW - 40 * MINUTE, closedAt: undefined });
    const short = { ...due, desired: 4, instances: due.instances.slice(1) };
    const deps = { ...world([short]), ledger: new FakeLedger([late]) };
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['tagGroup web phoenix:quarantined']);
    expect(deps.ledger.records.get(late.id)?.phase).toBe('failed');
    expect(recordEvents(deps.events).map((event) => event.detailType)).toEqual(['Recovery Failed', 'Group Quarantined']);
    expect(result.outcomes.map((outcome) => outcome.kind)).toEqual(['quarantined', 'closed']);
  });

  it('keeps a failed replacement open when the quarantine tag cannot be written, and quarantines on the next tick', async () => {
    const late = record({ phase: 'terminating', startedAt: NOW - 40 * MINUTE, terminatedAt: NOW - 40 * MINUTE, closedAt: undefined });
    const short = { ...due, desired: 4, instances: due.instances.slice(1) };
    const deps = { ...world([short]), ledger: new FakeLedger([late]) };
    deps.fleet.failing.set('tagGroup', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const first = await runTick(deps, settings, NOW);
    expect(first.outcomes.map((outcome) => outcome.kind)).toEqual(['failed']);
    expect(deps.ledger.records.get(late.id)?.phase).toBe('terminating');
    expect(recordEvents(deps.events)).toEqual([]);
    deps.fleet.failing.clear();
    await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(deps.ledger.records.get(late.id)?.phase).toBe('failed');
    expect(recordEvents(deps.events).map((event) => event.detailType)).toEqual(['Recovery Failed', 'Group Quarantined']);
  });

  it('keeps an abandoned surge open until its extra instance is taken back, so no instance leaks', async () => {
    const surge = record({ phase: 'surging', terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
    const victimGone = {
      ...due,
      desired: 5,
      instances: [
        ...due.instances.slice(1),
        instance({ id: 'i-new', launchedAt: NOW - 20 * MINUTE }),
        instance({ id: 'i-new2', launchedAt: NOW - 4 * MINUTE }),
      ],
    };
    const deps = { ...world([victimGone]), ledger: new FakeLedger([surge]) };
    deps.fleet.failing.set('terminateInstance', Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    await runTick(deps, settings, NOW);
    expect(deps.ledger.records.get(surge.id)?.phase).toBe('undoing');
    deps.fleet.failing.clear();
    await runTick(deps, settings, NOW + 3 * MINUTE);
    // The undo claimed a moment ago may still land: it is not made twice within the confirm delay.
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new2 decrement=true']);
    await runTick(deps, settings, NOW + 10 * MINUTE);
    // The first attempt failed; the second, once the first could no longer land, did.
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new2 decrement=true', 'terminateInstance web i-new2 decrement=true']);
    expect(deps.ledger.records.get(surge.id)?.phase).toBe('abandoned');
  });
});

describe('runTick as the verifier', () => {
  const surge = record({ phase: 'surging', terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
  const surged = { ...due, desired: 5, instances: [...due.instances, instance({ id: 'i-new', launchedAt: NOW - 5 * MINUTE })] };
  const other = { ...due, name: 'api' };

  it('moves the open replacement of the named group on and never starts one elsewhere', async () => {
    const deps = { ...world([surged, other]), ledger: new FakeLedger([surge]) };
    const result = await runTick(deps, settings, NOW, { kind: 'verify', groups: ['web', 'api'] });
    expect(deps.fleet.calls[0]).toBe('describeGroups web');
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-1 decrement=true']);
    expect(result.decisions.map((decision) => decision.kind)).toEqual(['progress']);
  });

  it('with no group named, looks at every group with an open replacement and nothing else', async () => {
    const deps = { ...world([surged, other]), ledger: new FakeLedger([surge]) };
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.fleet.calls).not.toContain('listOptedInGroups');
    expect(deps.fleet.calls[0]).toBe('describeGroups web');
  });

  it('a termination AWS refused unprocessed puts the surge back, and the next run terminates again at once', async () => {
    const deps = { ...world([surged]), ledger: new FakeLedger([surge]) };
    deps.fleet.failing.set('terminateInstance', new CallRefusedError('TerminateInstanceInAutoScalingGroup i-1', { cause: new Error('Rate exceeded') }));
    const refused = await runTick(deps, settings, NOW, { kind: 'verify', groups: ['web'] });
    expect(refused.outcomes).toMatchObject([{ kind: 'failed', why: 'could not terminate i-1' }]);
    expect(deps.ledger.records.get(surge.id)).toStrictEqual(surge);
    deps.fleet.failing.clear();
    await runTick(deps, settings, NOW + MINUTE, { kind: 'verify', groups: ['web'] });
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-1 decrement=true', 'terminateInstance web i-1 decrement=true']);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'terminating', terminatedAt: NOW + MINUTE });
  });

  it('makes no call to Auto Scaling and one ledger read when nothing is open', async () => {
    const deps = world([due]);
    const result = await runTick(deps, settings, NOW, { kind: 'verify', groups: ['web'] });
    expect(deps.fleet.calls).toEqual([]);
    expect(deps.ledger.reads).toEqual(['openRecords']);
    expect(result.decisions).toEqual([]);
  });

  it('as a recycler tick, re-reads a finishing group without its scaling activities: only a start needs them', async () => {
    const deps = { ...world([surged]), ledger: new FakeLedger([surge]) };
    await runTick(deps, settings, NOW);
    expect(deps.fleet.calls).toEqual(['listOptedInGroups', 'recheckGroups web', 'terminateInstance web i-1 decrement=true']);
  });

  it('reads its group once: the read after the records is the fresh one it acts on', async () => {
    const deps = { ...world([surged, other]), ledger: new FakeLedger([surge]) };
    await runTick(deps, settings, NOW, { kind: 'verify', groups: ['web'] });
    expect(deps.ledger.reads).toEqual(['openRecords', 'groupRecordsSince web']);
    expect(deps.fleet.calls).toEqual(['describeGroups web', 'terminateInstance web i-1 decrement=true']);
  });

  it('moves on a replacement open for longer than the records it reads back', async () => {
    const ancient = { ...surge, startedAt: NOW - 12 * DAY };
    const deps = { ...world([{ ...due, name: 'web' }]), ledger: new FakeLedger([ancient]) };
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.ledger.records.get(ancient.id)?.phase).toBe('abandoned');
  });
});

describe('brakes hold a replacement in flight: it is taken back exactly, never finished by a termination', () => {
  /** A ready surge: i-new is InService and Healthy, desired 5 of the owner's 4. */
  const surge = surgingRecord();
  const ready = withTags(
    { ...due, desired: 5, instances: [...due.instances, instance({ id: 'i-new', launchedAt: NOW - 9 * MINUTE })] },
    { 'phoenix:min-healthy': '100' },
  );

  it.each<{ case: string; tags?: Record<string, string>; mode?: GlobalMode }>([
    { case: 'account mode dry-run', mode: 'dry-run' },
    { case: 'account mode off', mode: 'off' },
    { case: 'phoenix:enabled=false', tags: { 'phoenix:enabled': 'false' } },
    { case: 'phoenix:enabled=dry-run', tags: { 'phoenix:enabled': 'dry-run' } },
    { case: 'a typo in phoenix:enabled', tags: { 'phoenix:enabled': 'ture' } },
    { case: 'a padded phoenix:enabled', tags: { 'phoenix:enabled': 'true ' } },
    { case: 'a bad budget tag', tags: { 'phoenix:budget': '2/fortnight' } },
    { case: 'quarantined by an operator', tags: { 'phoenix:quarantined': 'INC-42' } },
  ])('$case: the extra instance goes with desired lowered, the old one stays, the record closes and frees the group', async ({ tags = {}, mode = 'live' }) => {
    const deps = { ...world([withTags(ready, tags)]), ledger: new FakeLedger([surge]), settings: new FakeSettings(mode) };
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true']);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'abandoned', undo: { closeAs: 'abandoned' } });
    expect(deps.ledger.records.get(surge.id)?.detail).toContain('taking the surge back');
  });

  it('an undo AWS refused unprocessed stays claimed but unmade, and the next run makes it at once', async () => {
    const deps = { ...world([withTags(ready, { 'phoenix:enabled': 'false' })]), ledger: new FakeLedger([surge]) };
    deps.fleet.failing.set('terminateInstance', new CallRefusedError('TerminateInstanceInAutoScalingGroup i-new', { cause: new Error('Rate exceeded') }));
    await runTick(deps, settings, NOW);
    expect(deps.ledger.records.get(surge.id)).toMatchObject({ phase: 'undoing', undo: { at: undefined, extraInstanceId: 'i-new' } });
    deps.fleet.failing.clear();
    await runTick(deps, settings, NOW + MINUTE);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true', 'terminateInstance web i-new decrement=true']);
    expect(deps.ledger.records.get(surge.id)?.phase).toBe('abandoned');
  });

  it('two overlapping runs making an unmade undo: only one makes the call', async () => {
    const unmade = { ...surge, phase: 'undoing' as const, undo: { at: undefined, closeAs: 'abandoned' as const, why: 'braked', quarantine: false } };
    const deps = { ...world([withTags(ready, { 'phoenix:enabled': 'false' })]), ledger: new FakeLedger([unmade]) };
    await Promise.all([runTick(deps, settings, NOW), runTick(deps, settings, NOW)]);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true']);
  });

  it('two overlapping runs making a stale undo again: only the one whose claim is still stored makes the call', async () => {
    const claimed = { ...surge, phase: 'undoing' as const, undo: { at: NOW - 10 * MINUTE, closeAs: 'abandoned' as const, why: 'braked', quarantine: false } };
    const deps = { ...world([withTags(ready, { 'phoenix:enabled': 'false' })]), ledger: new FakeLedger([claimed]) };
    await Promise.all([runTick(deps, settings, NOW), runTick(deps, settings, NOW)]);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true']);
    expect(deps.ledger.records.get(surge.id)?.phase).toBe('abandoned');
  });

  it('a stop alarm only holds a ready surge: nothing changes until recovery-timeout, then it is taken back', async () => {
    const deps = { ...world([ready]), ledger: new FakeLedger([surge]) };
    deps.alarms.inAlarm = ['p99-latency'];
    await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    await runTick(deps, settings, NOW + 15 * MINUTE);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true']);
    expect(deps.ledger.records.get(surge.id)?.phase).toBe('abandoned');
  });

  it('a verifier run between the record and the surge call waits for the raise instead of abandoning it', async () => {
    const fresh = record({ phase: 'surging', startedAt: NOW, terminatedAt: undefined, closedAt: undefined, surge: { fromDesired: 4, toDesired: 5 } });
    const notYetRaised = withTags(due, { 'phoenix:min-healthy': '100' });
    const deps = { ...world([notYetRaised]), ledger: new FakeLedger([fresh]) };
    await runTick(deps, settings, NOW + 30_000, { kind: 'verify', groups: ['web'] });
    expect(deps.ledger.records.get(fresh.id)?.phase).toBe('surging');
    expect(mutating(deps.fleet.calls)).toEqual([]);
  });

  it('a terminate refused because the instance had already gone is recorded as vanished, never as a recycle', async () => {
    const deps = world();
    deps.fleet.failing.set('terminateInstance', new InstanceGoneError('i-1', 'Instance Id not found - No managed instance found for instance ID: i-1'));
    const result = await runTick(deps, settings, NOW);
    const [stored] = [...deps.ledger.records.values()];
    expect(stored).toMatchObject({ phase: 'vanished', instanceId: 'i-1' });
    expect(stored?.terminatedAt).toBeUndefined();
    expect(recordEvents(deps.events)).toEqual([]);
    expect(result.outcomes.map((outcome) => outcome.kind)).toEqual(['vanished', 'closed']);
  });
});

describe('budgets read back what they count', () => {
  it('a 1/week budget counts a replacement started 8 days ago that terminated 6 days ago', async () => {
    const lastWeek = record({ startedAt: NOW - 8 * DAY, terminatedAt: NOW - 6 * DAY, closedAt: NOW - 6 * DAY + 10 * MINUTE, phase: 'verified' });
    const deps = { ...world([withTags(due, { 'phoenix:budget': '1/week' })]), ledger: new FakeLedger([lastWeek]) };
    const result = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(result.decisions).toMatchObject([{ kind: 'skip', reason: 'budget-spent' }]);
  });
});

describe('chaos under duplicate deliveries', () => {
  const chaotic = Array.from({ length: 40 }, (_, index) =>
    withTags(group({ name: `g${index}`, size: 4 }), { 'phoenix:chaos': '1h', 'phoenix:max-age': '30d', 'phoenix:min-healthy': '75' }),
  );
  const picks = async (at: number, seed = 1): Promise<string[]> => {
    const deps = { ...world(chaotic), chaosSeed: seed };
    const result = await runTick(deps, settings, at);
    return result.decisions.flatMap((decision) => (decision.kind === 'start' ? [`${decision.group}/${decision.instanceId}`] : []));
  };

  it('two deliveries of one scheduled tick pick the same instances, so the chaos rate does not double', async () => {
    const first = await picks(NOW);
    expect(first.length).toBeGreaterThan(0);
    expect(await picks(NOW + 30_000)).toEqual(first);
  });

  it('the next tick, or another deployment seed, draws anew', async () => {
    const first = await picks(NOW);
    expect(await picks(NOW + 10 * MINUTE)).not.toEqual(first);
    expect(await picks(NOW, 2)).not.toEqual(first);
  });
});

describe("the account's limits on what tags may ask for", () => {
  it('a group tagged beyond the ceiling is skipped as a bad tag, naming the ceiling', async () => {
    const deps = world([withTags(due, { 'phoenix:budget': '1000/hour' })]);
    const result = await runTick(
      deps,
      { ...settings, limits: { maxBudget: { count: 6, period: DAY, text: '6/day' }, minHealthyFloor: 0, maxSnoozesPerWeek: 3 } },
      NOW,
    );
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(result.decisions).toMatchObject([{ kind: 'skip', reason: 'bad-tags' }]);
    expect(result.decisions[0]?.kind === 'skip' ? result.decisions[0].why : '').toContain("at most 6/day, the account's ceiling");
  });
});

describe('a budget lowered during a surge', () => {
  const surge = record({
    id: 'web#now',
    phase: 'surging',
    startedAt: NOW - 10 * MINUTE,
    terminatedAt: undefined,
    closedAt: undefined,
    surge: { fromDesired: 4, toDesired: 5 },
  });
  const earlier = record({ id: 'web#earlier', startedAt: NOW - 3 * HOUR, terminatedAt: NOW - 170 * MINUTE, closedAt: NOW - 160 * MINUTE, phase: 'verified' });
  const ready = withTags(
    { ...due, desired: 5, instances: [...due.instances, instance({ id: 'i-new', launchedAt: NOW - 9 * MINUTE })] },
    { 'phoenix:min-healthy': '100', 'phoenix:budget': '1/day' },
  );

  it('holds the termination that would overrun it, then takes the surge back at recovery-timeout', async () => {
    const deps = { ...world([ready]), ledger: new FakeLedger([earlier, surge]) };
    const held = await runTick(deps, settings, NOW);
    expect(mutating(deps.fleet.calls)).toEqual([]);
    expect(held.decisions).toMatchObject([
      { kind: 'progress', step: { kind: 'wait', why: 'extra instance ready; budget spent 1/1/day since the surge began' } },
    ]);
    await runTick(deps, settings, NOW + 15 * MINUTE);
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-new decrement=true']);
  });
});

describe('advance notice', () => {
  it('a tick publishes Recycle Scheduled for the start expected an hour ahead; a verifier run publishes none', async () => {
    const deps = world();
    await runTick(deps, settings, NOW);
    expect(deps.events.published.filter((event) => event.detailType === 'Recycle Scheduled')).toEqual([
      {
        detailType: 'Recycle Scheduled',
        time: new Date(NOW).toISOString(),
        detail: { group: 'web', instanceId: 'i-2', rule: 'max-age', earliestAt: new Date(NOW + HOUR).toISOString(), owner: null },
      },
    ]);
    const verifier = world();
    await runTick(verifier, settings, NOW, { kind: 'verify', groups: undefined });
    expect(verifier.events.published).toEqual([]);
  });

  it('notices cost no AWS read: the tick reads what it read without them', async () => {
    const deps = world([withTags(due, { 'phoenix:window': 'Sat-Sun 00:00-24:00 UTC' })]);
    await runTick(deps, settings, NOW);
    expect(deps.fleet.calls).toEqual(['listOptedInGroups']);
    expect(deps.ledger.reads).toEqual(['recordsSince']);
  });

  const notices = (deps: ReturnType<typeof world>) => deps.events.published.filter((event) => event.detailType === 'Recycle Scheduled');

  it('a second delivery of the same schedule event announces nothing again; the next event announces its own', async () => {
    const deps = world();
    await runTick(deps, settings, NOW, { kind: 'tick', scheduledAt: NOW });
    await runTick(deps, settings, NOW + 20_000, { kind: 'tick', scheduledAt: NOW });
    expect(notices(deps)).toHaveLength(1);
    expect(deps.logger.lines).toContainEqual(expect.objectContaining({ message: 'advance notices already announced by another delivery of this tick' }));
    await runTick(deps, settings, NOW, { kind: 'tick', scheduledAt: NOW - 1000 });
    expect(notices(deps)).toHaveLength(2);
  });

  it('a claim that cannot be written announces anyway, and a tick with nothing to announce claims nothing', async () => {
    const failing = world();
    failing.ledger.failNoticeClaims = new Error('ProvisionedThroughputExceededException');
    await runTick(failing, settings, NOW, { kind: 'tick', scheduledAt: NOW });
    expect(notices(failing)).toHaveLength(1);
    expect(failing.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'could not claim the advance notices: announcing them, perhaps twice' }),
    );
    const quiet = world([withTags(due, { 'phoenix:window': 'Sat-Sun 00:00-24:00 UTC' })]);
    await runTick(quiet, settings, NOW, { kind: 'tick', scheduledAt: NOW });
    expect(notices(quiet)).toEqual([]);
    expect(quiet.ledger.noticeClaims).toEqual([]);
  });

  it('a notice that cannot be published is the run’s failure, and changes nothing else', async () => {
    const deps = world();
    deps.events.error = new Error('PutEvents throttled');
    const result = await runTick(deps, settings, NOW);
    expect(result.outcomes).toContainEqual(expect.objectContaining({ kind: 'failed', why: 'could not publish its advance notice' }));
    expect(mutating(deps.fleet.calls)).toEqual(['terminateInstance web i-1 decrement=false']);
  });
});
