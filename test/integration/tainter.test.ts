import { readFileSync } from 'node:fs';
import { CreateTagsCommand, DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { AwsInstances } from '../../functions/adapters/instances.js';
import { handleTouch } from '../../functions/app/taint.js';
import { formatTaint } from '../../functions/core/taint/taint.js';
import { type AwsTestClients, awsClients, countCalls, createGroup, launchTemplate, tagInstance } from '../support/aws-fixtures.js';
import { TOUCHED_AT } from '../support/clock.js';
import { FakeEvents, RecordingLogger } from '../support/fakes.js';
import { OPTED_IN } from '../support/fleet.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const BOB = 'arn:aws:iam::123456789012:user/bob';
/** The time of test/events/ssm-send-command.json. */

/** The Run Command fixture, aimed at the given instances. */
function sendCommand(instanceIds: readonly string[]): Record<string, unknown> {
  const event = JSON.parse(readFileSync(new URL('../events/ssm-send-command.json', import.meta.url), 'utf8')) as {
    detail: { requestParameters: Record<string, unknown> };
  };
  event.detail.requestParameters['instanceIds'] = instanceIds;
  return event;
}

async function standaloneInstance(clients: AwsTestClients): Promise<string> {
  const launched = await clients.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
  const id = launched.Instances?.[0]?.InstanceId;
  if (id === undefined) throw new Error('moto returned no instance id');
  return id;
}

async function taintTags(clients: AwsTestClients, instanceIds: readonly string[]): Promise<Record<string, string | undefined>> {
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds] }));
  const instances = (described.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  return Object.fromEntries(instances.map((instance) => [instance.InstanceId, instance.Tags?.find((tag) => tag.Key === 'phoenix:tainted')?.Value]));
}

function setup() {
  const clients = awsClients(moto().endpoint);
  // The events are handled a quarter of an hour after the calls they record.
  const deps = {
    instances: new AwsInstances(clients),
    events: new FakeEvents(),
    logger: new RecordingLogger(),
    now: () => TOUCHED_AT + 15 * 60_000,
    ownerTagKey: 'team',
  };
  return { clients, deps };
}

describe('the tainter against moto', () => {
  it('tags the touched instance of an opted-in group, not one of a group without phoenix:enabled, nor a standalone one; three calls in all', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const [web, webOther] = await createGroup(clients, { name: 'web', size: 2, templateId, tags: { ...OPTED_IN, 'phoenix:max-age': '7d' } });
    const [payments] = await createGroup(clients, { name: 'payments', size: 1, templateId, tags: { team: 'payments' } });
    const [batch] = await createGroup(clients, { name: 'batch', size: 1, templateId, tags: { 'phoenix:enabled': 'false' } });
    const bastion = await standaloneInstance(clients);
    const touched = [web, payments, batch, bastion] as string[];
    const counts = new Map<string, number>();
    countCalls(clients, counts);

    const summary = await handleTouch(deps, sendCommand(touched));

    expect(Object.fromEntries(counts)).toEqual({ DescribeInstancesCommand: 1, DescribeAutoScalingGroupsCommand: 1, CreateTagsCommand: 1 });
    expect(await taintTags(clients, [...touched, webOther as string])).toEqual({
      [web as string]: `at=2026-11-23T09:20:45.000Z;by=${BOB};via=ssm-command`,
      [webOther as string]: undefined,
      [payments as string]: undefined,
      [batch as string]: undefined,
      [bastion]: undefined,
    });
    expect(summary).toMatchObject({ tainted: [web], skipped: 3 });
    expect(deps.events.published).toMatchObject([{ detailType: 'Instance Tainted', detail: { group: 'web', instanceId: web, by: BOB, via: 'ssm-command' } }]);
    expect(deps.logger.lines.filter((line) => line.message === 'not tainting').map((line) => [line.fields['instance'], line.fields['why']])).toEqual([
      [payments, 'group payments is not opted in (phoenix:enabled=(unset), expected "true")'],
      [batch, 'group batch is not opted in (phoenix:enabled="false", expected "true")'],
      [bastion, 'not in an Auto Scaling group'],
    ]);
  }, 60_000);

  it('keeps a later taint when an older event arrives late, and skips an instance that no longer exists', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const [web] = (await createGroup(clients, { name: 'web', size: 1, templateId, tags: { ...OPTED_IN } })) as [string];
    const later = formatTaint({ at: TOUCHED_AT + 10 * 60_000, by: 'arn:aws:iam::123456789012:user/erin', via: 'ssm-session' });
    await tagInstance(clients, web, { 'phoenix:tainted': later });
    const gone = 'i-0123456789abcdef0';

    const summary = await handleTouch(deps, sendCommand([gone, web]));

    expect(await taintTags(clients, [web])).toEqual({ [web]: later });
    expect(summary).toMatchObject({ tainted: [], skipped: 2 });
    expect(deps.events.published).toEqual([]);
    expect(deps.logger.lines.map((line) => [line.fields['instance'], line.fields['why']])).toEqual([
      [gone, 'instance not found (terminated since the touch?)'],
      [web, 'already tainted by a later touch (2026-11-23T09:30:45.000Z by arn:aws:iam::123456789012:user/erin via ssm-session)'],
    ]);
  }, 60_000);

  it('tags only a group whose phoenix:enabled is exactly true, not "true " (which Auto Scaling accepts), "TRUE" or " true"', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const values = ['true', 'true ', 'TRUE', ' true'];
    const instances: string[] = [];
    for (const [index, value] of values.entries()) {
      const [id] = (await createGroup(clients, { name: `web-${index}`, size: 1, templateId, tags: { 'phoenix:enabled': value } })) as [string];
      instances.push(id);
    }

    const summary = await handleTouch(deps, sendCommand(instances));

    expect(Object.values(await taintTags(clients, instances)).filter((tag) => tag !== undefined)).toHaveLength(1);
    expect(summary).toMatchObject({ tainted: [instances[0]], skipped: 3 });
    expect(deps.logger.lines.filter((line) => line.message === 'not tainting').map((line) => line.fields['why'])).toEqual([
      'group web-1 is not opted in (phoenix:enabled="true ", expected "true")',
      'group web-2 is not opted in (phoenix:enabled="TRUE", expected "true")',
      'group web-3 is not opted in (phoenix:enabled=" true", expected "true")',
    ]);
  }, 60_000);

  it('overwrites a taint dated years ahead of the clock with the real touch', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const [web] = (await createGroup(clients, { name: 'web', size: 1, templateId, tags: { ...OPTED_IN } })) as [string];
    await tagInstance(clients, web, {
      'phoenix:tainted': formatTaint({ at: Date.UTC(2099, 0, 1), by: 'arn:aws:iam::123456789012:user/mallory', via: 'ssm-session' }),
    });

    const summary = await handleTouch(deps, sendCommand([web]));

    expect(await taintTags(clients, [web])).toEqual({ [web]: `at=2026-11-23T09:20:45.000Z;by=${BOB};via=ssm-command` });
    expect(summary).toMatchObject({ tainted: [web], skipped: 0 });
    expect(deps.logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual(['future-dated taint overwritten']);
  }, 60_000);

  it('moto itself tags the live instances of a CreateTags call that also names an unknown id (real EC2 refuses such a call)', async () => {
    const { clients } = setup();
    const live = await standaloneInstance(clients);
    await clients.ec2.send(new CreateTagsCommand({ Resources: [live, 'i-0123456789abcdef0'], Tags: [{ Key: 'phoenix:tainted', Value: 'at=x' }] }));
    expect(await taintTags(clients, [live])).toEqual({ [live]: 'at=x' });
  }, 60_000);

  it('still tags the live instance when EC2 refuses the batch for one terminated since the read', async () => {
    const { clients, deps } = setup();
    const templateId = await launchTemplate(clients);
    const [live, gone] = (await createGroup(clients, { name: 'web', size: 2, templateId, tags: { ...OPTED_IN } })) as [string, string];
    await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [gone] }));
    const counts = new Map<string, number>();
    countCalls(clients, counts);
    // moto accepts unknown ids in CreateTags (see above); EC2 fails the whole call and names them, as here.
    clients.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const resources = context.commandName === 'CreateTagsCommand' ? ((args.input as { Resources?: string[] }).Resources ?? []) : [];
        if (resources.includes(gone)) throw Object.assign(new Error(`The instance ID '${gone}' does not exist`), { name: 'InvalidInstanceID.NotFound' });
        return next(args);
      },
      { step: 'initialize', name: 'refuseTerminatedInstance' },
    );

    const summary = await handleTouch(deps, sendCommand([live, gone]));

    expect(await taintTags(clients, [live, gone])).toEqual({ [live]: `at=2026-11-23T09:20:45.000Z;by=${BOB};via=ssm-command`, [gone]: undefined });
    expect(counts.get('CreateTagsCommand')).toBe(2);
    expect(summary).toMatchObject({ tainted: [live], skipped: 1 });
    expect(deps.events.published).toMatchObject([{ detail: { instanceId: live } }]);
    expect(deps.logger.lines.filter((line) => line.message === 'not tainting').map((line) => [line.fields['instance'], line.fields['why']])).toEqual([
      [gone, 'instance gone before its tag was written (terminated since the touch?)'],
    ]);
  }, 60_000);
});
