import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { REGION } from '../deploy/stack.js';
import { MOTO_CLIENT_CONFIG } from './moto.js';

/**
 * EventBridge's delivery of Auto Scaling's events about one group, in moto (which emits none): at each look,
 * an instance that joined the group since the last look was launched, one that left it was terminated.
 */
export function autoScalingEvents(endpoint: string, group: string): () => Promise<unknown[]> {
  const autoScaling = new AutoScalingClient({ ...MOTO_CLIENT_CONFIG, endpoint });
  let known = new Set<string>();
  let sent = 0;
  return async () => {
    const described = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    const now = new Set((described.AutoScalingGroups?.[0]?.Instances ?? []).map((instance) => instance.InstanceId ?? ''));
    const event = (detailType: string, instanceId: string) => {
      sent += 1;
      return {
        version: '0',
        id: `00000000-0000-4000-8000-${sent.toString().padStart(12, '0')}`,
        'detail-type': detailType,
        source: 'aws.autoscaling',
        account: '123456789012',
        time: new Date().toISOString(),
        region: REGION,
        resources: [],
        detail: { AutoScalingGroupName: group, EC2InstanceId: instanceId, StatusCode: 'InProgress' },
      };
    };
    const events = [
      ...[...now].filter((id) => !known.has(id)).map((id) => event('EC2 Instance Launch Successful', id)),
      ...[...known].filter((id) => !now.has(id)).map((id) => event('EC2 Instance Terminate Successful', id)),
    ];
    known = now;
    return events;
  };
}
