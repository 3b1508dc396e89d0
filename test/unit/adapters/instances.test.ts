import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsInstances } from '../../../functions/adapters/instances.js';
import { autoScalingGroup } from '../../support/sdk-shapes.js';

const autoScalingMock = mockClient(AutoScalingClient);
const ec2Mock = mockClient(EC2Client);
const instances = new AwsInstances({ autoScaling: new AutoScalingClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }) });

afterEach(() => {
  autoScalingMock.reset();
  ec2Mock.reset();
});

const ec2Instance = (id: string, tags: Record<string, string>): Instance => ({
  InstanceId: id,
  Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});

const notFound = (ids: string) => Object.assign(new Error(`The instance IDs '${ids}' do not exist`), { name: 'InvalidInstanceID.NotFound' });

describe('AwsInstances.describeInstances', () => {
  it("reads the instances in one call and their groups' tags in one more, once per group", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            ec2Instance('i-0000000000000000a', {
              'aws:autoscaling:groupName': 'web',
              'phoenix:tainted': 'at=2026-11-23T08:00:00.000Z;by=erin;via=ssm-session',
            }),
            ec2Instance('i-0000000000000000b', { 'aws:autoscaling:groupName': 'web', Name: 'web' }),
          ],
        },
        { Instances: [ec2Instance('i-0000000000000000c', { 'aws:autoscaling:groupName': 'gone' }), ec2Instance('i-0000000000000000d', { Name: 'bastion' })] },
      ],
    });
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup('web', {
          Tags: [
            { Key: 'phoenix:enabled', Value: 'true' },
            { Key: 'team', Value: 'shop' },
          ],
        }),
      ],
    });

    const found = await instances.describeInstances([
      'i-0000000000000000a',
      'i-0000000000000000b',
      'i-0000000000000000c',
      'i-0000000000000000d',
      'i-0000000000000000a',
    ]);

    expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.InstanceIds)).toEqual([
      ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c', 'i-0000000000000000d'],
    ]);
    expect(autoScalingMock.commandCalls(DescribeAutoScalingGroupsCommand).map((call) => call.args[0].input.AutoScalingGroupNames)).toEqual([['web', 'gone']]);
    expect(found).toEqual([
      {
        id: 'i-0000000000000000a',
        group: 'web',
        groupTags: { 'phoenix:enabled': 'true', team: 'shop' },
        tainted: 'at=2026-11-23T08:00:00.000Z;by=erin;via=ssm-session',
      },
      { id: 'i-0000000000000000b', group: 'web', groupTags: { 'phoenix:enabled': 'true', team: 'shop' }, tainted: undefined },
      { id: 'i-0000000000000000c', group: 'gone', groupTags: {}, tainted: undefined },
      { id: 'i-0000000000000000d', group: undefined, groupTags: {}, tainted: undefined },
    ]);
  });

  it('makes no Auto Scaling call when no instance belongs to a group', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [ec2Instance('i-0000000000000000d', {})] }] });
    expect(await instances.describeInstances(['i-0000000000000000d'])).toEqual([
      { id: 'i-0000000000000000d', group: undefined, groupTags: {}, tainted: undefined },
    ]);
    expect(autoScalingMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(0);
  });

  it('leaves out instances EC2 no longer knows, asking again for the others', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejectsOnce(notFound('i-0000000000000000b'))
      .resolves({ Reservations: [{ Instances: [ec2Instance('i-0000000000000000a', {})] }] });
    expect(await instances.describeInstances(['i-0000000000000000a', 'i-0000000000000000b'])).toEqual([
      { id: 'i-0000000000000000a', group: undefined, groupTags: {}, tainted: undefined },
    ]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.InstanceIds).toEqual(['i-0000000000000000a']);
  });

  it('returns nothing, without another call, when every instance is gone', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(notFound('i-0000000000000000a, i-0000000000000000b'));
    expect(await instances.describeInstances(['i-0000000000000000a', 'i-0000000000000000b'])).toEqual([]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it.each([
    { case: 'EC2 is throttled past the SDK retries', on: 'ec2', error: Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }) },
    { case: 'Auto Scaling refuses', on: 'autoscaling', error: Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }) },
  ])('lets the error through when $case', async ({ on, error }) => {
    if (on === 'ec2') ec2Mock.on(DescribeInstancesCommand).rejects(error);
    else {
      ec2Mock
        .on(DescribeInstancesCommand)
        .resolves({ Reservations: [{ Instances: [ec2Instance('i-0000000000000000a', { 'aws:autoscaling:groupName': 'web' })] }] });
      autoScalingMock.on(DescribeAutoScalingGroupsCommand).rejects(error);
    }
    await expect(instances.describeInstances(['i-0000000000000000a'])).rejects.toBe(error);
  });
});

describe('AwsInstances.tagTainted', () => {
  const A = 'i-0000000000000000a';
  const B = 'i-0000000000000000b';
  const C = 'i-0000000000000000c';
  const VALUE = 'at=2026-11-23T09:20:45.000Z;by=bob;via=ssm-command';
  const batches = () => ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input.Resources);

  it('writes phoenix:tainted on every named instance in one CreateTags call', async () => {
    ec2Mock.on(CreateTagsCommand).resolves({});
    expect(await instances.tagTainted([A, B], VALUE)).toEqual([A, B]);
    expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: [A, B], Tags: [{ Key: 'phoenix:tainted', Value: VALUE }] },
    ]);
  });

  it.each([
    {
      case: 'one instance',
      message: `The instance ID '${B}' does not exist`,
      calls: [
        [A, B, C],
        [A, C],
      ],
      tagged: [A, C],
    },
    { case: 'several instances', message: `The instance IDs '${B}, ${C}' do not exist`, calls: [[A, B, C], [A]], tagged: [A] },
  ])('when EC2 refuses the whole call for $case gone since the read, tags the others without them', async ({ message, calls, tagged }) => {
    ec2Mock
      .on(CreateTagsCommand)
      .rejectsOnce(Object.assign(new Error(message), { name: 'InvalidInstanceID.NotFound' }))
      .resolves({});
    expect(await instances.tagTainted([A, B, C], VALUE)).toEqual(tagged);
    expect(batches()).toEqual(calls);
  });

  it('tags each instance on its own when the refusal names none of them, leaving out the one EC2 refuses', async () => {
    ec2Mock.on(CreateTagsCommand).rejects(Object.assign(new Error('An instance does not exist'), { name: 'InvalidInstanceID.NotFound' }));
    ec2Mock.on(CreateTagsCommand, { Resources: [A] }).resolves({});
    ec2Mock.on(CreateTagsCommand, { Resources: [C] }).resolves({});
    expect(await instances.tagTainted([A, B, C], VALUE)).toEqual([A, C]);
    expect(batches()).toEqual([[A, B, C], [A], [B], [C]]);
  });

  it('tags nothing, after one call, when the only instance is gone', async () => {
    ec2Mock.on(CreateTagsCommand).rejects(notFound(A));
    expect(await instances.tagTainted([A], VALUE)).toEqual([]);
    expect(batches()).toEqual([[A]]);
  });

  it('lets any other failed write through', async () => {
    const error = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    ec2Mock.on(CreateTagsCommand).rejects(error);
    await expect(instances.tagTainted([A], VALUE)).rejects.toBe(error);
  });

  it('lets another failure of the retry through: only gone instances are left out', async () => {
    const error = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    ec2Mock.on(CreateTagsCommand).rejectsOnce(notFound(B)).rejects(error);
    await expect(instances.tagTainted([A, B], VALUE)).rejects.toBe(error);
    expect(batches()).toEqual([[A, B], [A]]);
  });
});
