import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MOTO_CLIENT_CONFIG } from './moto.js';

export interface AwsTestClients {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
}

export function awsClients(endpoint: string): AwsTestClients {
  return {
    autoScaling: new AutoScalingClient({ ...MOTO_CLIENT_CONFIG, endpoint }),
    ec2: new EC2Client({ ...MOTO_CLIENT_CONFIG, endpoint }),
  };
}

/** Counts every API call the clients send, by operation name, with an SDK middleware. */
export function countCalls(clients: AwsTestClients, counts: Map<string, number>): void {
  const count = (name: string | undefined) => counts.set(name ?? 'unknown', (counts.get(name ?? 'unknown') ?? 0) + 1);
  clients.autoScaling.middlewareStack.add(
    (next, context) => async (args) => {
      count(context.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'phoenixCallCounter' },
  );
  clients.ec2.middlewareStack.add(
    (next, context) => async (args) => {
      count(context.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'phoenixCallCounter' },
  );
}

export async function launchTemplate(clients: AwsTestClients, name = 'web'): Promise<string> {
  const template = await clients.ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' } }),
  );
  const id = template.LaunchTemplate?.LaunchTemplateId;
  if (id === undefined) throw new Error('moto returned no launch template id');
  return id;
}

export interface GroupOptions {
  readonly name: string;
  readonly size: number;
  readonly templateId: string;
  readonly tags?: Record<string, string>;
  readonly max?: number;
}

/** Creates the group and returns its instance ids. */
export async function createGroup(clients: AwsTestClients, options: GroupOptions): Promise<string[]> {
  await addGroup(clients, options);
  return instanceIds(clients, options.name);
}

/** Creates the group without reading it back: one call, for fixtures of thousands of groups. */
export async function addGroup(clients: AwsTestClients, options: GroupOptions): Promise<void> {
  await clients.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: options.name,
      MinSize: 0,
      MaxSize: options.max ?? options.size + 2,
      DesiredCapacity: options.size,
      LaunchTemplate: { LaunchTemplateId: options.templateId, Version: '$Latest' },
      AvailabilityZones: ['eu-west-1a'],
      Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({
        Key,
        Value,
        ResourceId: options.name,
        ResourceType: 'auto-scaling-group',
        PropagateAtLaunch: false,
      })),
    }),
  );
}

export async function instanceIds(clients: AwsTestClients, group: string): Promise<string[]> {
  const described = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  return (described.AutoScalingGroups?.[0]?.Instances ?? []).flatMap((instance) => (instance.InstanceId === undefined ? [] : [instance.InstanceId]));
}

export async function tagInstance(clients: AwsTestClients, instanceId: string, tags: Record<string, string>): Promise<void> {
  await clients.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
}

export async function protect(clients: AwsTestClients, group: string, instanceId: string): Promise<void> {
  await clients.autoScaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: group, InstanceIds: [instanceId], ProtectedFromScaleIn: true }));
}
