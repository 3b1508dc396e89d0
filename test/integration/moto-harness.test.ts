import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { MOTO_CLIENT_CONFIG, useMoto } from '../support/moto.js';

const moto = useMoto();

describe('moto harness', () => {
  it('serves the real SDK clients on a loopback port and resets between tests', async () => {
    const { endpoint } = moto();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ec2 = new EC2Client({ ...MOTO_CLIENT_CONFIG, endpoint });
    const autoScaling = new AutoScalingClient({ ...MOTO_CLIENT_CONFIG, endpoint });
    const template = await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: 'lt', LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' } }),
    );
    await autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'probe',
        MinSize: 1,
        MaxSize: 2,
        DesiredCapacity: 1,
        LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate?.LaunchTemplateId, Version: '$Latest' },
        AvailabilityZones: ['eu-west-1a'],
      }),
    );
    const groups = await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(groups.AutoScalingGroups?.map((group) => group.AutoScalingGroupName)).toEqual(['probe']);
    expect(groups.AutoScalingGroups?.[0]?.Instances).toHaveLength(1);
  });

  it('starts each test from an empty account', async () => {
    const autoScaling = new AutoScalingClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto().endpoint });
    expect((await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toEqual([]);
  });
});
