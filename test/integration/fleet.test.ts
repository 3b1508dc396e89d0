import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AwsFleet } from '../../functions/adapters/fleet.js';
import { LaunchImages } from '../../functions/adapters/launch-images.js';
import type { TickSettings } from '../../functions/app/tick.js';
import { runTick } from '../../functions/app/tick.js';
import { HOUR, MINUTE } from '../../functions/core/model.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import { SimAlarms } from '../../sim/sim-alarms.js';
import { SimSettings } from '../../sim/sim-settings.js';
import { awsClients, countCalls, createGroup, instanceIds, launchTemplate, protect, tagInstance } from '../support/aws-fixtures.js';
import { RecordingLogger } from '../support/fakes.js';
import { OPTED_IN } from '../support/fleet.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const settings: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 10 };

function setup() {
  const clients = awsClients(moto().endpoint);
  const fleet = new AwsFleet({ ...clients, images: new LaunchImages(clients.ec2) });
  const deps = {
    fleet,
    ledger: new MemoryLedger(),
    events: new MemoryEvents(),
    alarms: new SimAlarms(),
    settings: new SimSettings('live'),
    logger: new RecordingLogger(),
    chaosSeed: 1,
  };
  return { clients, fleet, deps };
}

describe('AwsFleet against moto', () => {
  it('finds only opted-in groups, past the first page of 100, with launch times, in the fewest calls', async () => {
    const { clients, fleet } = setup();
    const templateId = await launchTemplate(clients);
    for (let n = 0; n < 105; n += 1) {
      await createGroup(clients, {
        name: `opted-${String(n).padStart(3, '0')}`,
        size: 1,
        templateId,
        tags: { 'phoenix:enabled': n % 2 === 0 ? 'true' : 'dry-run' },
      });
    }
    await createGroup(clients, { name: 'not-opted', size: 1, templateId, tags: { team: 'payments' } });
    const counts = new Map<string, number>();
    countCalls(clients, counts);
    const before = Date.now();
    const groups = await fleet.listOptedInGroups();
    expect(groups).toHaveLength(105);
    expect(groups.some((group) => group.name === 'not-opted')).toBe(false);
    for (const group of groups) {
      expect(group.instances).toHaveLength(1);
      const launchedAt = group.instances[0]?.launchedAt;
      expect(launchedAt).toBeDefined();
      expect(launchedAt as number).toBeLessThanOrEqual(before + 1000);
      // The AMI of version 1 comes from its running instances: no call of its own.
      expect(group.launchSource).toEqual({ kind: 'template', id: templateId, version: '1', name: expect.any(String), imageId: 'ami-12c6146b' });
      expect(group.instances[0]?.launchSource).toMatchObject({ id: templateId, version: '1', imageId: 'ami-12c6146b' });
    }
    // Lower bound: ceil(105 / 100) group pages + ceil(105 / 1000) instance batches = 3; a small constant is allowed
    // more (one template look-up, and moto pages DescribeInstances by 100 reservations where AWS answers in one).
    expect(counts.get('DescribeAutoScalingGroupsCommand')).toBe(2);
    expect(counts.get('DescribeLaunchTemplatesCommand')).toBe(1);
    expect(counts.get('DescribeLaunchTemplateVersionsCommand')).toBeUndefined();
    expect([...counts.values()].reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(3 + 3);
  }, 120_000);

  it("reads a new version's AMI from EC2 once, before any instance runs it, and keeps what a running instance says", async () => {
    const { clients, fleet } = setup();
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'web', size: 2, templateId, tags: OPTED_IN });
    await clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: '1', LaunchTemplateData: { ImageId: 'ami-0new0000000000001' } }),
    );
    const counts = new Map<string, number>();
    countCalls(clients, counts);
    const [group] = await fleet.listOptedInGroups();
    expect(group?.launchSource).toMatchObject({ id: templateId, version: '2', imageId: 'ami-0new0000000000001' });
    expect(group?.instances.map((instance) => instance.launchSource)).toEqual([
      expect.objectContaining({ version: '1', imageId: 'ami-12c6146b' }),
      expect.objectContaining({ version: '1', imageId: 'ami-12c6146b' }),
    ]);
    expect(counts.get('DescribeLaunchTemplateVersionsCommand')).toBe(1);
    await fleet.listOptedInGroups();
    expect(counts.get('DescribeLaunchTemplateVersionsCommand')).toBe(1);
  }, 60_000);

  it('starts nothing in a group whose next launch is a blocked AMI, and says so', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    await createGroup(clients, { name: 'web', size: 3, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1h', 'phoenix:min-healthy': '50' } });
    const failure = { group: 'api', at: Date.now(), recordId: 'api#1', canary: true };
    const health = await deps.ledger.noteFailure('ami-12c6146b', failure);
    await deps.ledger.blockVersion(
      { key: 'ami-12c6146b', blockedAt: Date.now(), why: 'its canary replacement in api failed to recover', trippedBy: 'api#1' },
      health,
    );
    const counts = new Map<string, number>();
    countCalls(clients, counts);
    const result = await runTick(deps, settings, Date.now() + 2 * HOUR);
    expect(result.decisions).toMatchObject([{ kind: 'skip', reason: 'version-blocked', why: expect.stringContaining('version ami-12c6146b blocked') }]);
    expect(counts.get('TerminateInstanceInAutoScalingGroupCommand')).toBeUndefined();
    expect(counts.get('SetDesiredCapacityCommand')).toBeUndefined();
  }, 60_000);

  it('terminates only the eligible instance of an opted-in group and Auto Scaling replaces it; other groups untouched', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const [exempt, shielded, victim] = await createGroup(clients, {
      name: 'web',
      size: 3,
      templateId,
      tags: { ...OPTED_IN, 'phoenix:max-age': '1h', 'phoenix:min-healthy': '50' },
    });
    const bystanders = await createGroup(clients, { name: 'payments', size: 2, templateId, tags: { 'phoenix:max-age': '1h' } });
    await tagInstance(clients, exempt as string, { 'phoenix:exempt': 'true' });
    await protect(clients, 'web', shielded as string);
    const result = await runTick(deps, settings, Date.now() + 2 * HOUR);
    expect(result.outcomes).toMatchObject([{ kind: 'terminated', record: { instanceId: victim, reason: 'max-age' } }]);
    const after = await instanceIds(clients, 'web');
    expect(after).toContain(exempt);
    expect(after).toContain(shielded);
    expect(after).not.toContain(victim);
    expect(after).toHaveLength(3);
    expect(await instanceIds(clients, 'payments')).toEqual(bystanders);
    expect(deps.events.all().map((event) => event.detailType)).toEqual(['Instance Recycled']);
  }, 60_000);

  it('with min-healthy 100 launches first, then terminates the old instance decrementing desired', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const original = await createGroup(clients, { name: 'api', size: 2, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '1h' } });
    const now = Date.now() + 2 * HOUR;
    await runTick(deps, settings, now);
    const surged = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['api'] }));
    expect(surged.AutoScalingGroups?.[0]?.DesiredCapacity).toBe(3);
    expect(await instanceIds(clients, 'api')).toHaveLength(3);
    const second = await runTick(deps, settings, now + 10 * MINUTE);
    expect(second.outcomes).toMatchObject([{ kind: 'terminated' }]);
    const after = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['api'] }));
    expect(after.AutoScalingGroups?.[0]?.DesiredCapacity).toBe(2);
    const remaining = await instanceIds(clients, 'api');
    expect(remaining).toHaveLength(2);
    expect(original.filter((id) => remaining.includes(id))).toHaveLength(1);
  }, 60_000);
});
