import { describe, expect, it } from 'vitest';
import type { TickSettings } from '../../../functions/app/tick.js';
import { runTick } from '../../../functions/app/tick.js';
import type { Group, LaunchSource, ReplacementRecord } from '../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import { fakeRunDeps } from '../../support/fakes.js';
import { group, instance, NOW, surgingRecord } from '../../support/fleet.js';

const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 5 };
const OLD: LaunchSource = { kind: 'template', id: 'lt-shared', version: '1', imageId: 'ami-old' };
const BAD: LaunchSource = { kind: 'template', id: 'lt-shared', version: '2', imageId: 'ami-bad' };

/** A group 25 minutes into a surge onto BAD whose extra instance never became healthy: past its recovery-timeout. */
function failingSurge(name: string): { group: Group; record: ReplacementRecord } {
  const base = group({ name, size: 4 });
  const instances = [
    ...base.instances.map((member) => ({ ...member, id: `${name}-${member.id}`, launchSource: OLD })),
    instance({ id: `${name}-extra`, launchedAt: NOW - 24 * MINUTE, healthy: false, launchSource: BAD }),
  ];
  return {
    group: { ...base, desired: 5, instances, launchSource: BAD },
    record: surgingRecord({ id: `${name}#1`, group: name, instanceId: `${name}-i-1`, startedAt: NOW - 25 * MINUTE, launches: BAD }),
  };
}

function world(groups: Group[], records: ReplacementRecord[]) {
  return fakeRunDeps(groups, records);
}

const blockedEvents = (deps: ReturnType<typeof world>) => deps.events.published.filter((event) => event.detailType === 'Version Blocked');

describe('the version circuit breaker in a run', () => {
  it('a failed recovery in one group blocks nothing; in a second group within the period it blocks the version and its AMI', async () => {
    const web = failingSurge('web');
    const api = failingSurge('api');
    const deps = world([web.group], [web.record]);
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.ledger.records.get('web#1')).toMatchObject({ phase: 'failed' });
    expect(deps.ledger.versions.blocks()).toEqual([]);

    deps.fleet.groups = [api.group];
    deps.ledger.records.set(api.record.id, api.record);
    await runTick(deps, settings, NOW + 10 * MINUTE, { kind: 'verify', groups: undefined });
    expect(deps.ledger.versions.blocks().map((block) => [block.key, block.why])).toEqual([
      ['lt-shared:2', '2 failed recoveries (api, web) within 1d'],
      ['ami-bad', '2 failed recoveries (api, web) within 1d'],
    ]);
    expect(blockedEvents(deps)).toMatchObject([
      { detail: { version: 'lt-shared:2', group: 'api', recordId: 'api#1' } },
      { detail: { version: 'ami-bad', group: 'api', recordId: 'api#1' } },
    ]);
  });

  it("a canary's failed recovery blocks at once", async () => {
    const web = failingSurge('web');
    const deps = world([web.group], [{ ...web.record, canary: true }]);
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.ledger.versions.blocks().map((block) => block.key)).toEqual(['lt-shared:2', 'ami-bad']);
    expect(deps.events.published.map((event) => event.detailType)).toEqual(['Recovery Failed', 'Group Quarantined', 'Version Blocked', 'Version Blocked']);
  });

  it('a run that dies after blocking leaves the close, and its announcement, to the next run, which makes both once', async () => {
    const web = failingSurge('web');
    const deps = world([web.group], [{ ...web.record, canary: true }]);
    const realUpdate = deps.ledger.update.bind(deps.ledger);
    let closes = 0;
    deps.ledger.update = async (record, expectedPhase, expectedUndo) => {
      if (record.phase === 'failed' && closes++ === 0) throw new Error('Lambda timed out');
      return realUpdate(record, expectedPhase, expectedUndo);
    };
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.ledger.records.get('web#1')?.phase).toBe('undoing');
    expect(blockedEvents(deps)).toEqual([]);
    deps.fleet.groups = [{ ...web.group, desired: 4, instances: web.group.instances.filter((member) => member.id !== 'web-extra') }];
    await runTick(deps, settings, NOW + 10 * MINUTE, { kind: 'verify', groups: undefined });
    expect(deps.ledger.records.get('web#1')?.phase).toBe('failed');
    expect(blockedEvents(deps).map((event) => event.detail['version'])).toEqual(['lt-shared:2', 'ami-bad']);
    expect(deps.ledger.versions.blocks()).toHaveLength(2);
  });

  it('a failure that cannot be noted keeps the record open for the next run', async () => {
    const web = failingSurge('web');
    const deps = world([web.group], [web.record]);
    deps.ledger.noteFailure = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const result = await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.ledger.records.get('web#1')?.phase).toBe('undoing');
    expect(result.outcomes).toContainEqual(expect.objectContaining({ kind: 'failed', why: expect.stringContaining('could not note the failed recovery') }));
  });

  it('records what each replacement launches, and whether it is its canary', async () => {
    const base = group({ size: 4 });
    const stale: Group = { ...base, instances: base.instances.map((member) => ({ ...member, launchSource: OLD })), launchSource: BAD };
    const deps = world([stale], []);
    await runTick(deps, settings, NOW);
    expect([...deps.ledger.records.values()]).toMatchObject([{ phase: 'surging', reason: 'stale-config', launches: BAD, canary: true }]);
  });

  it('the verifier takes back a surge onto a version blocked since it began', async () => {
    const web = failingSurge('web');
    const healthy = { ...web.group, instances: web.group.instances.map((member) => ({ ...member, healthy: true })) };
    const deps = world([healthy], [{ ...web.record, startedAt: NOW - 10 * MINUTE }]);
    deps.ledger.versions.noteFailure('ami-bad', { group: 'other', at: NOW - DAY / 2, recordId: 'other#1', canary: true });
    deps.ledger.versions.blockVersion(
      { key: 'ami-bad', blockedAt: NOW - MINUTE, why: 'its canary replacement in other failed to recover', trippedBy: 'other#1' },
      { key: 'ami-bad', failures: [], block: undefined, releasedAt: undefined },
    );
    await runTick(deps, settings, NOW, { kind: 'verify', groups: undefined });
    expect(deps.fleet.calls.filter((call) => call.startsWith('terminate'))).toEqual(['terminateInstance web web-extra decrement=true']);
    expect(deps.ledger.records.get('web#1')).toMatchObject({ phase: 'abandoned', detail: expect.stringContaining('version ami-bad blocked') });
  });

  it('a release is announced by the next tick, once, and the group launches the version again', async () => {
    const base = group({ size: 4 });
    const stale: Group = { ...base, instances: base.instances.map((member) => ({ ...member, launchSource: OLD })), launchSource: BAD };
    const deps = world([stale], []);
    const health = deps.ledger.versions.noteFailure('ami-bad', { group: 'other', at: NOW - HOUR, recordId: 'other#1', canary: true });
    deps.ledger.versions.blockVersion(
      { key: 'ami-bad', blockedAt: NOW - HOUR, why: 'its canary replacement in other failed to recover', trippedBy: 'other#1' },
      health,
    );
    expect((await runTick(deps, settings, NOW)).decisions).toMatchObject([{ kind: 'skip', reason: 'version-blocked' }]);
    deps.ledger.versions.releaseVersion('ami-bad', NOW + MINUTE, 'arn:aws:iam::111122223333:user/alice');
    await runTick(deps, settings, NOW + 5 * MINUTE, { kind: 'verify', groups: undefined });
    expect(deps.events.published).toEqual([]);
    const result = await runTick(deps, settings, NOW + 10 * MINUTE);
    expect(result.decisions).toMatchObject([{ kind: 'start', reason: 'stale-config', canary: true }]);
    expect(deps.events.published).toEqual([
      {
        detailType: 'Version Released',
        time: new Date(NOW + MINUTE).toISOString(),
        detail: { version: 'ami-bad', releasedBy: 'arn:aws:iam::111122223333:user/alice', releasedAt: new Date(NOW + MINUTE).toISOString() },
      },
    ]);
    await runTick(deps, settings, NOW + 20 * MINUTE);
    expect(deps.events.published.filter((event) => event.detailType === 'Version Released')).toHaveLength(1);
  });
});
