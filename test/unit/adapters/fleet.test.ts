import {
  type Activity,
  type Instance as AsgInstance,
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsFleet } from '../../../functions/adapters/fleet.js';
import { LaunchImages } from '../../../functions/adapters/launch-images.js';
import { CallRefusedError, InstanceGoneError } from '../../../functions/core/errors.js';
import type { Group } from '../../../functions/core/model.js';
import { autoScalingGroup } from '../../support/sdk-shapes.js';

const autoScalingMock = mockClient(AutoScalingClient);
const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });
const fleet = new AwsFleet({ autoScaling: new AutoScalingClient({ region: 'eu-west-1' }), ec2, images: new LaunchImages(ec2) });

afterEach(() => {
  autoScalingMock.reset();
  ec2Mock.reset();
});

/** Template lt-1, whose version N launches AMI ami-0000000N. */
function givenTemplates(latest = 4, fallbackDefault = 3): void {
  ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({
    LaunchTemplates: [{ LaunchTemplateId: 'lt-1', LaunchTemplateName: 'web', LatestVersionNumber: latest, DefaultVersionNumber: fallbackDefault }],
  });
  ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: { Versions?: string[] }) => ({
    LaunchTemplateVersions: (input.Versions ?? []).map((version) => ({
      VersionNumber: Number(version),
      LaunchTemplateData: { ImageId: `ami-0000000${version}` },
    })),
  }));
}

function givenInstances(): void {
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    Reservations: [
      {
        Instances: (input.InstanceIds ?? []).map((id) => ({
          InstanceId: id,
          LaunchTime: new Date(Date.UTC(2026, 10, 1)),
          Tags: [{ Key: 'phoenix:exempt', Value: id === 'i-a' ? 'true' : 'false' }],
        })),
      },
    ],
  }));
}

describe('AwsFleet discovery', () => {
  it('asks only for groups with the opt-in tag key, follows every page, and maps groups and instances', async () => {
    autoScalingMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [autoScalingGroup('a')], NextToken: 'page-2' })
      .resolvesOnce({ AutoScalingGroups: [autoScalingGroup('b', { SuspendedProcesses: [{ ProcessName: 'Terminate' }] })] });
    givenInstances();
    givenTemplates();
    const groups = await fleet.listOptedInGroups();
    const calls = autoScalingMock.commandCalls(DescribeAutoScalingGroupsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({ Filters: [{ Name: 'tag-key', Values: ['phoenix:enabled'] }], MaxRecords: 100 });
    expect(calls[1]?.args[0].input).toMatchObject({ NextToken: 'page-2' });
    expect(groups.map((group) => group.name)).toEqual(['a', 'b']);
    expect(groups[1]?.suspendedProcesses).toEqual(['Terminate']);
    expect(groups[0]).toMatchObject({
      desired: 2,
      launchSource: { kind: 'template', id: 'lt-1', version: '4', name: 'web', imageId: 'ami-00000004' },
      scalingActivityInProgress: true,
      instances: [
        {
          id: 'i-a',
          lifecycleState: 'InService',
          healthy: true,
          launchedAt: Date.UTC(2026, 10, 1),
          tags: { 'phoenix:exempt': 'true' },
          launchSource: { version: '3' },
        },
        { id: 'i-b', lifecycleState: 'Pending:Wait', protectedFromScaleIn: true },
      ],
    });
    // One EC2 call for every instance of every group, one to resolve the template.
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)).toHaveLength(1);
  });

  it('reads launch times in batches of 1000 instance ids', async () => {
    const instances = Array.from({ length: 2500 }, (_, n) => ({
      InstanceId: `i-${n.toString(16)}`,
      LifecycleState: 'InService' as const,
      HealthStatus: 'Healthy',
      AvailabilityZone: 'eu-west-1a',
      ProtectedFromScaleIn: false,
    }));
    autoScalingMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [autoScalingGroup('big', { Instances: instances, DesiredCapacity: 2500 })] });
    givenInstances();
    givenTemplates();
    const [group] = await fleet.listOptedInGroups();
    expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.InstanceIds?.length)).toEqual([1000, 1000, 500]);
    expect(group?.instances.every((instance) => instance.launchedAt !== undefined)).toBe(true);
  });

  it('drops an instance id EC2 no longer knows instead of failing the tick', async () => {
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [autoScalingGroup('a')] });
    givenTemplates();
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejectsOnce(Object.assign(new Error("The instance ID 'i-b' does not exist"), { name: 'InvalidInstanceID.NotFound' }))
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-a', LaunchTime: new Date(0) }] }] });
    const [group] = await fleet.listOptedInGroups();
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.InstanceIds).toEqual(['i-a']);
    expect(group?.instances.find((instance) => instance.id === 'i-b')?.launchedAt).toBeUndefined();
  });

  it.each([
    {
      case: '$Latest resolves to the latest version',
      spec: { LaunchTemplateId: 'lt-1', Version: '$Latest' },
      expected: { kind: 'template', id: 'lt-1', version: '7', name: 'web', imageId: 'ami-00000007' },
    },
    {
      case: '$Default resolves to the default version',
      spec: { LaunchTemplateId: 'lt-1', Version: '$Default' },
      expected: { kind: 'template', id: 'lt-1', version: '5', name: 'web', imageId: 'ami-00000005' },
    },
    {
      case: 'no version means $Default',
      spec: { LaunchTemplateName: 'web' },
      expected: { kind: 'template', id: 'lt-1', version: '5', name: 'web', imageId: 'ami-00000005' },
    },
    {
      case: 'a number stays',
      spec: { LaunchTemplateId: 'lt-1', Version: '6' },
      expected: { kind: 'template', id: 'lt-1', version: '6', name: 'web', imageId: 'ami-00000006' },
    },
  ])('launch template: $case', async ({ spec, expected }) => {
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [autoScalingGroup('a', { LaunchTemplate: spec })] });
    givenInstances();
    givenTemplates(7, 5);
    expect((await fleet.listOptedInGroups())[0]?.launchSource).toEqual(expected);
  });

  it.each([
    {
      case: 'a mixed-instances policy with one template is resolved',
      group: {
        LaunchTemplate: undefined,
        MixedInstancesPolicy: {
          LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1', Version: '$Latest' }, Overrides: [{ InstanceType: 'm6i.large' }] },
        },
      },
      expected: { kind: 'template', id: 'lt-1', version: '4', name: 'web', imageId: 'ami-00000004' },
    },
    {
      case: 'overrides with their own templates leave no single source: no stale check',
      group: {
        LaunchTemplate: undefined,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1' },
            Overrides: [{ InstanceType: 'm7g.large', LaunchTemplateSpecification: { LaunchTemplateId: 'lt-arm' } }],
          },
        },
      },
      expected: undefined,
    },
    {
      case: 'a launch configuration',
      group: { LaunchTemplate: undefined, LaunchConfigurationName: 'web-v2' },
      expected: { kind: 'configuration', name: 'web-v2' },
    },
  ])('$case', async ({ group, expected }) => {
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [autoScalingGroup('a', group)] });
    givenInstances();
    givenTemplates();
    expect((await fleet.listOptedInGroups())[0]?.launchSource).toEqual(expected);
  });

  it('propagates AccessDenied: a tick that cannot see the fleet does nothing', async () => {
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(fleet.listOptedInGroups()).rejects.toThrow('not authorized');
  });
});

describe('AwsFleet re-check', () => {
  const SINCE = Date.UTC(2026, 10, 23, 11);
  const inService = (id: string): AsgInstance => ({
    InstanceId: id,
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    AvailabilityZone: 'eu-west-1a',
    ProtectedFromScaleIn: false,
  });
  const activity = (group: string, startedAt: number, overrides: Partial<Activity> = {}): Activity => ({
    ActivityId: `${group}-${startedAt}`,
    AutoScalingGroupName: group,
    Cause: 'x',
    StartTime: new Date(startedAt),
    StatusCode: 'Successful',
    ...overrides,
  });

  async function firstRead(): Promise<Group[]> {
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup('a', { Instances: [inService('i-a')] }), autoScalingGroup('b', { Instances: [inService('i-b')] })],
    });
    givenInstances();
    givenTemplates();
    const groups = [...(await fleet.describeGroups(['a', 'b'])).values()];
    autoScalingMock.reset();
    ec2Mock.reset();
    return groups;
  }

  it('reads the groups about to change in one batch, and EC2 only for instances it did not know', async () => {
    const known = await firstRead();
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup('a', { DesiredCapacity: 2, Instances: [inService('i-a'), { ...inService('i-new'), LifecycleState: 'Pending' as const }] }),
        autoScalingGroup('b', { Instances: [inService('i-b')] }),
      ],
    });
    givenInstances();
    const fresh = await fleet.recheckGroups(known, { activitiesSince: undefined });
    expect(autoScalingMock.commandCalls(DescribeAutoScalingGroupsCommand).map((call) => call.args[0].input.AutoScalingGroupNames)).toEqual([['a', 'b']]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.InstanceIds)).toEqual([['i-new']]);
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)).toHaveLength(0);
    expect(autoScalingMock.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(0);
    const a = fresh.get('a');
    expect(a?.desired).toBe(2);
    expect(a?.instances.map((instance) => [instance.id, instance.lifecycleState, instance.tags['phoenix:exempt']])).toEqual([
      ['i-a', 'InService', 'true'],
      ['i-new', 'Pending', 'false'],
    ]);
    expect(a?.launchSource).toEqual(known[0]?.launchSource);
  });

  it.each<{ case: string; activities: Activity[]; scaling: boolean; refresh: boolean }>([
    { case: 'no activity running', activities: [activity('a', SINCE + 5)], scaling: false, refresh: false },
    {
      case: 'a launch running',
      activities: [activity('a', SINCE + 5, { StatusCode: 'InProgress', Description: 'Launching a new EC2 instance' })],
      scaling: true,
      refresh: false,
    },
    {
      case: 'an instance refresh running',
      activities: [
        activity('a', SINCE + 5, { StatusCode: 'PreInService', Cause: 'At 2026-11-23 an instance was launched in response to an instance refresh.' }),
      ],
      scaling: true,
      refresh: true,
    },
    { case: "another group's launch running", activities: [activity('b', SINCE + 5, { StatusCode: 'InProgress' })], scaling: false, refresh: false },
  ])("before a start, one read of the account's activities: $case", async ({ activities, scaling, refresh }) => {
    const known = await firstRead();
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [autoScalingGroup('a', { Instances: [inService('i-a')] })] });
    // The page ends with an activity older than the horizon: nothing further back can be running unseen.
    autoScalingMock.on(DescribeScalingActivitiesCommand).resolves({ Activities: [...activities, activity('c', SINCE - 1)], NextToken: 'more' });
    const fresh = await fleet.recheckGroups(known.slice(0, 1), { activitiesSince: SINCE });
    expect(autoScalingMock.commandCalls(DescribeScalingActivitiesCommand).map((call) => call.args[0].input)).toEqual([
      { MaxRecords: 100, NextToken: undefined },
    ]);
    expect(fresh.get('a')).toMatchObject({ scalingActivityInProgress: scaling, instanceRefreshInProgress: refresh });
  });

  it('pages back to the horizon, and past three busy pages asks each starting group instead', async () => {
    const known = await firstRead();
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [autoScalingGroup('a', { Instances: [inService('i-a')] })] });
    const busy = { Activities: [activity('other', SINCE + 10)], NextToken: 'more' };
    autoScalingMock
      .on(DescribeScalingActivitiesCommand)
      .resolves(busy)
      .on(DescribeScalingActivitiesCommand, { AutoScalingGroupName: 'a', MaxRecords: 100 })
      .resolves({ Activities: [activity('a', SINCE - 7_200_000, { StatusCode: 'InProgress' })] });
    const fresh = await fleet.recheckGroups(known.slice(0, 1), { activitiesSince: SINCE });
    expect(autoScalingMock.commandCalls(DescribeScalingActivitiesCommand).map((call) => call.args[0].input.AutoScalingGroupName)).toEqual([
      undefined,
      undefined,
      undefined,
      'a',
    ]);
    expect(fresh.get('a')?.scalingActivityInProgress).toBe(true);
  });
});

describe('AwsFleet actions', () => {
  it.each([
    { case: 'terminate letting Auto Scaling replace', decrement: false },
    { case: 'terminate after a surge, decrementing desired', decrement: true },
  ])('$case goes through TerminateInstanceInAutoScalingGroup', async ({ decrement }) => {
    autoScalingMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    await fleet.terminateInstance('a', 'i-a', { decrementDesired: decrement });
    expect(autoScalingMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand)[0]?.args[0].input).toEqual({
      InstanceId: 'i-a',
      ShouldDecrementDesiredCapacity: decrement,
    });
  });

  it.each([
    {
      case: 'an instance Auto Scaling no longer knows is reported as gone',
      message: 'Instance Id not found - No managed instance found for instance ID: i-a',
      gone: true,
    },
    { case: 'any other refusal stays what it was', message: 'Currently, desiredSize equals minSize (1).', gone: false },
  ])('$case', async ({ message, gone }) => {
    autoScalingMock.on(TerminateInstanceInAutoScalingGroupCommand).rejects(Object.assign(new Error(message), { name: 'ValidationError' }));
    const error: unknown = await fleet.terminateInstance('a', 'i-a', { decrementDesired: true }).catch((caught: unknown) => caught);
    expect(error instanceof InstanceGoneError).toBe(gone);
    expect((error as Error).message).toContain(message);
  });

  it('raises desired capacity without honouring the cooldown', async () => {
    autoScalingMock.on(SetDesiredCapacityCommand).resolves({});
    await fleet.setDesiredCapacity('a', 5);
    expect(autoScalingMock.commandCalls(SetDesiredCapacityCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'a',
      DesiredCapacity: 5,
      HonorCooldown: false,
    });
  });

  it('changes max size with MaxSize alone in the request, which is all IAM lets it send', async () => {
    autoScalingMock.on(UpdateAutoScalingGroupCommand).resolves({});
    await fleet.setMaxSize('a', 5);
    expect(autoScalingMock.commandCalls(UpdateAutoScalingGroupCommand).map((call) => call.args[0].input)).toEqual([{ AutoScalingGroupName: 'a', MaxSize: 5 }]);
  });

  it('writes group tags that do not propagate to instances', async () => {
    autoScalingMock.on(CreateOrUpdateTagsCommand).resolves({});
    await fleet.tagGroup('a', { 'phoenix:quarantined': 'reason' });
    expect(autoScalingMock.commandCalls(CreateOrUpdateTagsCommand)[0]?.args[0].input.Tags).toEqual([
      { ResourceId: 'a', ResourceType: 'auto-scaling-group', Key: 'phoenix:quarantined', Value: 'reason', PropagateAtLaunch: false },
    ]);
  });
});

describe('AwsFleet refused terminations', () => {
  it.each([
    { case: 'throttled: refused unprocessed, so it can be made again at once', name: 'Throttling', status: 400, refused: true },
    { case: 'throttled with 429', name: 'SomethingElse', status: 429, refused: true },
    { case: 'a 5xx may have landed: it stays what it was', name: 'ServiceUnavailable', status: 503, refused: false },
  ])('$case', async ({ name, status, refused }) => {
    autoScalingMock
      .on(TerminateInstanceInAutoScalingGroupCommand)
      .rejects(
        new AutoScalingServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: 'Rate exceeded' }),
      );
    const error: unknown = await fleet.terminateInstance('a', 'i-a', { decrementDesired: true }).catch((caught: unknown) => caught);
    expect(error instanceof CallRefusedError).toBe(refused);
    expect(error instanceof Error && error.message).toContain('Rate exceeded');
  });
});
