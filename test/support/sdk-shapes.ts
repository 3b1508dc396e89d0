import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';

/** A DescribeAutoScalingGroups entry as the API returns it: opted in, two instances on lt-1, unless overridden. */
export function autoScalingGroup(name: string, overrides: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    MinSize: 1,
    MaxSize: 4,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-west-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(0),
    Tags: [{ Key: 'phoenix:enabled', Value: 'true' }],
    LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '$Latest' },
    Instances: [
      {
        InstanceId: 'i-a',
        LifecycleState: 'InService',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'eu-west-1a',
        ProtectedFromScaleIn: false,
        LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '3' },
      },
      {
        InstanceId: 'i-b',
        LifecycleState: 'Pending:Wait',
        HealthStatus: 'Healthy',
        AvailabilityZone: 'eu-west-1a',
        ProtectedFromScaleIn: true,
        LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '4' },
      },
    ],
    ...overrides,
  };
}
