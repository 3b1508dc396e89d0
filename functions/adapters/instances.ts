import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { TAG } from '../core/policy/policy.js';
import type { TaintPort, TaintProbePort } from '../core/ports.js';
import { AUTO_SCALING_GROUP_TAG } from '../core/selftest/taint-probe.js';
import type { TouchedInstance } from '../core/taint/touch.js';
import { chunks, GROUPS_PER_CALL, INSTANCES_PER_CALL, tagsOf } from './api-shapes.js';
import { describeExistingInstances } from './describe-instances.js';

/** EC2's refusal of a call that names an instance it does not know; its message names the ids. */
function isNotFound(error: unknown): error is Error {
  return error instanceof Error && error.name === 'InvalidInstanceID.NotFound';
}

export interface AwsInstancesOptions {
  readonly autoScaling: AutoScalingClient;
  readonly ec2: EC2Client;
}

/**
 * TaintPort over EC2 and Auto Scaling. A touch names at most 50 instances (SendCommand's limit), so
 * each of the three calls is made once per touch, the tag write more often only when EC2 refuses it
 * for an instance that is gone.
 */
export class AwsInstances implements TaintPort, TaintProbePort {
  constructor(private readonly options: AwsInstancesOptions) {}

  async describeInstances(instanceIds: readonly string[]): Promise<TouchedInstance[]> {
    const instances: Ec2Instance[] = [];
    for (const batch of chunks([...new Set(instanceIds)], INSTANCES_PER_CALL)) {
      instances.push(...(await describeExistingInstances(this.options.ec2, batch)));
    }
    const groupOf = new Map(instances.map((instance) => [instance.InstanceId, tagsOf(instance.Tags)[AUTO_SCALING_GROUP_TAG]]));
    const groupTags = await this.groupTags([...new Set([...groupOf.values()].filter((group): group is string => group !== undefined))]);
    return instances.flatMap((instance) => {
      if (instance.InstanceId === undefined) return [];
      const group = groupOf.get(instance.InstanceId);
      return [
        {
          id: instance.InstanceId,
          group,
          groupTags: (group === undefined ? undefined : groupTags.get(group)) ?? {},
          tainted: tagsOf(instance.Tags)[TAG.tainted],
        },
      ];
    });
  }

  async instanceTags(instanceId: string): Promise<Readonly<Record<string, string>> | undefined> {
    const [instance] = await describeExistingInstances(this.options.ec2, [instanceId]);
    return instance === undefined ? undefined : tagsOf(instance.Tags);
  }

  /**
   * EC2 refuses a whole CreateTags call when one of its instances is gone (terminated since it was
   * read), tagging none of the others, and would refuse every retry the same way. So the ids the
   * error names are dropped and the rest tagged again; if it names none, each instance is tagged on
   * its own. Any other error is thrown.
   */
  async tagTainted(instanceIds: readonly string[], value: string): Promise<string[]> {
    if (instanceIds.length === 0) return [];
    try {
      await this.options.ec2.send(new CreateTagsCommand({ Resources: [...instanceIds], Tags: [{ Key: TAG.tainted, Value: value }] }));
      return [...instanceIds];
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (instanceIds.length === 1) return [];
      const gone = (error.message.match(/i-[0-9a-f]+/g) ?? []).filter((id) => instanceIds.includes(id));
      if (gone.length > 0)
        return this.tagTainted(
          instanceIds.filter((id) => !gone.includes(id)),
          value,
        );
      const tagged: string[] = [];
      for (const instanceId of instanceIds) tagged.push(...(await this.tagTainted([instanceId], value)));
      return tagged;
    }
  }

  /** Writes `phoenix:recycle-requested` on one instance; false when EC2 no longer knows it. */
  async tagRecycleRequested(instanceId: string, value: string): Promise<boolean> {
    try {
      await this.options.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: TAG.recycleRequested, Value: value }] }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
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
