import {
  type AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  paginateDescribeScalingActivities,
} from '@aws-sdk/client-auto-scaling';
import { type CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import {
  type _InstanceType,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type InstanceTypeInfo,
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Group, Millis, ReplacementRecord } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import { AwsFleet } from './fleet.js';
import { DynamoLedgerReader } from './ledger-reader.js';

/** The SSM public parameter AWS keeps pointing at the latest Amazon Linux 2023 image for arm64. */
export const AMAZON_LINUX_ARM64 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

export interface SelftestCloudClients {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly cloudWatch: CloudWatchClient;
  /** The ledger's reads take a clock for their day buckets. */
  readonly clock: () => Millis;
}

const notFound = (error: unknown, pattern: RegExp): boolean => error instanceof Error && pattern.test(`${error.name} ${error.message}`);

/**
 * The calls `phoenix selftest` makes with the caller's own credentials: it makes and removes its
 * throwaway template, groups and standalone instance, and reads what the deployed functions did.
 */
export class AwsSelftestCloud {
  private readonly fleet: AwsFleet;

  constructor(private readonly clients: SelftestCloudClients) {
    this.fleet = new AwsFleet({ autoScaling: clients.autoScaling, ec2: clients.ec2 });
  }

  async latestArm64Image(): Promise<string> {
    const answer = await this.clients.ssm.send(new GetParameterCommand({ Name: AMAZON_LINUX_ARM64 }));
    const image = answer.Parameter?.Value;
    if (image === undefined) throw new Error(`SSM parameter ${AMAZON_LINUX_ARM64} holds no image id`);
    return image;
  }

  /**
   * Price lists need the Pricing API (in two regions only); within a family the price follows the size,
   * so the least memory, then the fewest vCPUs, among current arm64 types is the cheapest there is.
   */
  async cheapestArm64Type(): Promise<string> {
    const types: InstanceTypeInfo[] = [];
    const pages = paginateDescribeInstanceTypes(
      { client: this.clients.ec2 },
      {
        Filters: [
          { Name: 'processor-info.supported-architecture', Values: ['arm64'] },
          { Name: 'current-generation', Values: ['true'] },
        ],
      },
    );
    for await (const page of pages) types.push(...(page.InstanceTypes ?? []));
    const size = (type: InstanceTypeInfo): [number, number] => [type.MemoryInfo?.SizeInMiB ?? Infinity, type.VCpuInfo?.DefaultVCpus ?? Infinity];
    const [cheapest] = types
      .filter((type) => type.InstanceType !== undefined)
      .sort((a, b) => size(a)[0] - size(b)[0] || size(a)[1] - size(b)[1] || String(a.InstanceType).localeCompare(String(b.InstanceType)));
    if (cheapest?.InstanceType === undefined) throw new Error('no current-generation arm64 instance type is offered in this region');
    return cheapest.InstanceType;
  }

  async defaultSubnets(): Promise<readonly string[] | undefined> {
    const vpcs = await this.clients.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const vpc = vpcs.Vpcs?.[0]?.VpcId;
    if (vpc === undefined) return undefined;
    const subnets = await this.clients.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpc] },
          { Name: 'default-for-az', Values: ['true'] },
        ],
      }),
    );
    const ids = (subnets.Subnets ?? []).flatMap((subnet) => (subnet.SubnetId === undefined ? [] : [subnet.SubnetId]));
    return ids.length === 0 ? undefined : ids.sort();
  }

  async createLaunchTemplate(name: string, image: string, instanceType: string): Promise<string> {
    const answer = await this.clients.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        // The name came from DescribeInstanceTypes, which lists only the types EC2 knows.
        LaunchTemplateData: { ImageId: image, InstanceType: instanceType as _InstanceType },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'phoenix:selftest', Value: 'true' }] }],
      }),
    );
    const id = answer.LaunchTemplate?.LaunchTemplateId;
    if (id === undefined) throw new Error(`CreateLaunchTemplate ${name} returned no id`);
    return id;
  }

  async deleteLaunchTemplate(name: string): Promise<void> {
    try {
      await this.clients.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name }));
    } catch (error) {
      if (!notFound(error, /NotFound/)) throw error;
    }
  }

  async createGroup(spec: { name: string; launchTemplateId: string; subnets: readonly string[]; tags: Readonly<Record<string, string>> }): Promise<void> {
    await this.clients.autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: spec.name,
        LaunchTemplate: { LaunchTemplateId: spec.launchTemplateId, Version: '$Latest' },
        MinSize: 1,
        MaxSize: 2,
        DesiredCapacity: 1,
        VPCZoneIdentifier: spec.subnets.join(','),
        Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: Key === 'Name' })),
      }),
    );
  }

  async deleteGroup(name: string): Promise<void> {
    try {
      await this.clients.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
    } catch (error) {
      if (!notFound(error, /not found|does not exist/i)) throw error;
    }
  }

  async describeGroup(name: string): Promise<Group | undefined> {
    return (await this.fleet.describeGroups([name])).get(name);
  }

  /** One instance of the template in one subnet, tagged at launch, so it is never seen without its tags. */
  async launchInstance(spec: { launchTemplateId: string; subnet: string; tags: Readonly<Record<string, string>> }): Promise<string> {
    const answer = await this.clients.ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateId: spec.launchTemplateId, Version: '$Latest' },
        MinCount: 1,
        MaxCount: 1,
        SubnetId: spec.subnet,
        TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    );
    const id = answer.Instances?.[0]?.InstanceId;
    if (id === undefined) throw new Error(`RunInstances from ${spec.launchTemplateId} returned no instance id`);
    return id;
  }

  async instanceState(instanceId: string): Promise<string | undefined> {
    try {
      const answer = await this.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    } catch (error) {
      // Just after RunInstances, EC2 may not show the instance yet.
      if (notFound(error, /InvalidInstanceID\.NotFound/)) return undefined;
      throw error;
    }
  }

  async terminateInstance(instanceId: string): Promise<void> {
    try {
      await this.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    } catch (error) {
      if (!notFound(error, /InvalidInstanceID\.NotFound/)) throw error;
    }
  }

  async selftestInstancesNamed(name: string): Promise<string[]> {
    const filters = [
      { Name: 'tag:Name', Values: [name] },
      { Name: `tag:${TAG.selftest}`, Values: ['true'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ];
    const ids: string[] = [];
    for await (const page of paginateDescribeInstances({ client: this.clients.ec2 }, { Filters: filters })) {
      for (const reservation of page.Reservations ?? [])
        for (const instance of reservation.Instances ?? []) if (instance.InstanceId !== undefined) ids.push(instance.InstanceId);
    }
    return ids;
  }

  async tagInstance(instanceId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.clients.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  }

  async terminationActivity(group: string, instanceId: string): Promise<string | undefined> {
    for await (const page of paginateDescribeScalingActivities({ client: this.clients.autoScaling }, { AutoScalingGroupName: group })) {
      const found = (page.Activities ?? []).find(
        (activity) => /terminat/i.test(activity.Description ?? '') && (activity.Description ?? '').includes(instanceId),
      );
      if (found !== undefined) return `${found.Description ?? ''} (${found.StatusCode ?? 'status unknown'})`;
    }
    return undefined;
  }

  async groupRecords(ledgerTable: string, group: string, since: Millis): Promise<ReplacementRecord[]> {
    return new DynamoLedgerReader({ client: this.clients.dynamo, tableName: ledgerTable, clock: this.clients.clock }).recordsForGroup(group, since);
  }

  async parameterValue(name: string): Promise<string | undefined> {
    try {
      return (await this.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    } catch (error) {
      if (notFound(error, /ParameterNotFound/)) return undefined;
      throw error;
    }
  }

  async alarmStates(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const answer = await this.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    const alarms = [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])];
    return new Map(alarms.flatMap((alarm) => (alarm.AlarmName === undefined ? [] : [[alarm.AlarmName, alarm.StateValue ?? 'unknown'] as const])));
  }

  async dashboardExists(name: string): Promise<boolean> {
    try {
      await this.clients.cloudWatch.send(new GetDashboardCommand({ DashboardName: name }));
      return true;
    } catch (error) {
      if (notFound(error, /ResourceNotFound/)) return false;
      throw error;
    }
  }
}
