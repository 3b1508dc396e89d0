import { AutoScalingClient, DeleteAutoScalingGroupCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AMAZON_LINUX_ARM64, AwsSelftestCloud } from '../../../functions/adapters/selftest-cloud.js';
import { NOW } from '../../support/clock.js';

const config = { region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const autoScaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const cloudWatch = mockClient(CloudWatchClient);
const cloud = new AwsSelftestCloud({
  autoScaling: new AutoScalingClient(config),
  ec2: new EC2Client(config),
  ssm: new SSMClient(config),
  dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  cloudWatch: new CloudWatchClient(config),
  clock: () => NOW,
});

afterEach(() => {
  for (const client of [autoScaling, ec2, ssm, cloudWatch]) client.reset();
});

const error = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('AwsSelftestCloud', () => {
  it('reads the image from the Amazon Linux arm64 public parameter', async () => {
    ssm.on(GetParameterCommand, { Name: AMAZON_LINUX_ARM64 }).resolves({ Parameter: { Value: 'ami-0abc' } });
    expect(await cloud.latestArm64Image()).toBe('ami-0abc');
  });

  it('picks the least memory, then the fewest vCPUs, over every page of current arm64 types', async () => {
    ec2
      .on(DescribeInstanceTypesCommand)
      .resolvesOnce({
        InstanceTypes: [
          { InstanceType: 'm7g.large', MemoryInfo: { SizeInMiB: 8192 }, VCpuInfo: { DefaultVCpus: 2 } },
          { InstanceType: 'a1.medium', MemoryInfo: { SizeInMiB: 2048 }, VCpuInfo: { DefaultVCpus: 1 } },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({ InstanceTypes: [{ InstanceType: 't4g.nano', MemoryInfo: { SizeInMiB: 512 }, VCpuInfo: { DefaultVCpus: 2 } }] });
    expect(await cloud.cheapestArm64Type()).toBe('t4g.nano');
    expect(ec2.commandCalls(DescribeInstanceTypesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'processor-info.supported-architecture', Values: ['arm64'] },
      { Name: 'current-generation', Values: ['true'] },
    ]);
  });

  it('says there is no default VPC as undefined', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    expect(await cloud.defaultSubnets()).toBeUndefined();
  });

  it("finds Auto Scaling's activity that terminated the instance, and none for another", async () => {
    autoScaling.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        {
          ActivityId: 'a1',
          AutoScalingGroupName: 'g',
          Cause: '',
          StartTime: new Date(NOW),
          StatusCode: 'Successful',
          Description: 'Launching a new EC2 instance: i-new',
        },
        {
          ActivityId: 'a2',
          AutoScalingGroupName: 'g',
          Cause: '',
          StartTime: new Date(NOW),
          StatusCode: 'Successful',
          Description: 'Terminating EC2 instance: i-old',
        },
      ],
    });
    expect(await cloud.terminationActivity('g', 'i-old')).toBe('Terminating EC2 instance: i-old (Successful)');
    expect(await cloud.terminationActivity('g', 'i-new')).toBeUndefined();
  });

  it('takes a group that is already gone as removed, and passes any other failure on', async () => {
    autoScaling.on(DeleteAutoScalingGroupCommand).rejectsOnce(error('ValidationError', "AutoScalingGroup name not found - AutoScalingGroup 'g' not found"));
    await expect(cloud.deleteGroup('g')).resolves.toBeUndefined();
    autoScaling.on(DeleteAutoScalingGroupCommand).rejects(error('AccessDenied', 'not authorized to perform: autoscaling:DeleteAutoScalingGroup'));
    await expect(cloud.deleteGroup('g')).rejects.toThrow('not authorized');
    expect(autoScaling.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'g', ForceDelete: true });
  });

  it('reads a missing parameter or dashboard as absent, not as an error', async () => {
    ssm.on(GetParameterCommand).rejects(error('ParameterNotFound', ''));
    cloudWatch.on(GetDashboardCommand).rejects(error('ResourceNotFound', 'Dashboard does not exist'));
    expect(await cloud.parameterValue('/phoenix/prod/mode')).toBeUndefined();
    expect(await cloud.dashboardExists('phoenix-prod-eu-west-1')).toBe(false);
  });

  it('launches the standalone instance from the template in one subnet, tagged at launch', async () => {
    ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-0standalone' }] });
    const id = await cloud.launchInstance({
      launchTemplateId: 'lt-0abc',
      subnet: 'subnet-0a1b2c3d',
      tags: { 'phoenix:selftest': 'true', Name: 'x-standalone' },
    });
    expect(id).toBe('i-0standalone');
    expect(ec2.commandCalls(RunInstancesCommand)[0]?.args[0].input).toMatchObject({
      LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: '$Latest' },
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-0a1b2c3d',
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'phoenix:selftest', Value: 'true' },
            { Key: 'Name', Value: 'x-standalone' },
          ],
        },
      ],
    });
  });

  it('reads an instance EC2 does not show yet as undefined, and takes one already gone as terminated', async () => {
    ec2.on(DescribeInstancesCommand).rejectsOnce(error('InvalidInstanceID.NotFound', "The instance ID 'i-0standalone' does not exist"));
    expect(await cloud.instanceState('i-0standalone')).toBeUndefined();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0standalone', State: { Name: 'running' } }] }] });
    expect(await cloud.instanceState('i-0standalone')).toBe('running');
    ec2.on(TerminateInstancesCommand).rejectsOnce(error('InvalidInstanceID.NotFound', "The instance ID 'i-0standalone' does not exist"));
    await expect(cloud.terminateInstance('i-0standalone')).resolves.toBeUndefined();
    ec2.on(TerminateInstancesCommand).rejects(error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(cloud.terminateInstance('i-0standalone')).rejects.toThrow('not authorized');
  });

  it("finds the self-test's instances not yet terminated by their Name, over every page", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0first' }] }], NextToken: 'more' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-0second' }, {}] }] });
    expect(await cloud.selftestInstancesNamed('phoenix-selftest-x-standalone')).toEqual(['i-0first', 'i-0second']);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'tag:Name', Values: ['phoenix-selftest-x-standalone'] },
      { Name: 'tag:phoenix:selftest', Values: ['true'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
  });
});
