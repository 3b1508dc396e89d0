import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { TaintPort, TouchedInstance } from '../core/ports.js';
import { TAG } from '../core/policy.js';
import { chunks, GROUPS_PER_CALL, INSTANCES_PER_CALL, tagsOf } from './api-shapes.js';
import { describeExistingInstances } from './describe-instances.js';

/** Auto Scaling writes this tag on every instance it launches. */
const GROUP_TAG = 'aws:autoscaling:groupName';

export interface AwsInstancesOptions {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
}

/**
 * TaintPort over EC2 and Auto Scaling. A touch names at most 50 instances (SendCommand's limit), so
 * each of the three calls is made once per touch.
 */
export class AwsInstances implements TaintPort {
  constructor(private readonly options: AwsInstancesOptions) {}

  async describeInstances(instanceIds: readonly string[]): Promise<TouchedInstance[]> {
    const instances: Ec2Instance[] = [];
    for (const batch of chunks([...new Set(instanceIds)], INSTANCES_PER_CALL)) {
      instances.push(...(await describeExistingInstances(this.options.ec2, batch)));
    }
    const groupOf = new Map(instances.map((instance) => [instance.InstanceId, tagsOf(instance.Tags)[GROUP_TAG]]));
    const groupTags = await this.groupTags([...new Set([...groupOf.values()].filter((group): group is string => group !== undefined))]);
    return instances.flatMap((instance) => {
      if (instance.InstanceId === undefined) return [];
      const group = groupOf.get(instance.InstanceId);
      return [{ id: instance.InstanceId, group, groupTags: (group === undefined ? undefined : groupTags.get(group)) ?? {}, tainted: tagsOf(instance.Tags)[TAG.tainted] }];
    });
  }

  async tagTainted(instanceIds: readonly string[], value: string): Promise<void> {
    await this.options.ec2.send(new CreateTagsCommand({ Resources: [...instanceIds], Tags: [{ Key: TAG.tainted, Value: value }] }));
  }

  /** Each named group's tags; a group that no longer exists is missing from the map. */
  private async groupTags(names: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const result = new Map<string, Record<string, string>>();
    for (const batch of chunks(names, GROUPS_PER_CALL)) {
      const page = await this.options.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: GROUPS_PER_CALL }));
      for (const group of page.AutoScalingGroups ?? []) {
        if (group.AutoScalingGroupName !== undefined) result.set(group.AutoScalingGroupName, tagsOf(group.Tags));
      }
    }
    return result;
  }
}
