import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateOrUpdateTagsCommand, DeleteTagsCommand, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import { GROUPS_PER_CALL, tagsOf } from './api-shapes.js';

export interface GroupTags {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Every group's tags, opted in or not, and tag writes on any group: what an operator enrolling
 * groups needs (`phoenix tag`), run with the operator's own credentials. The functions never use it:
 * their role may write tags only on groups that already carry phoenix:enabled.
 */
export class AwsGroupTags {
  constructor(private readonly autoScaling: AutoScalingClient) {}

  async listGroups(): Promise<GroupTags[]> {
    const groups: GroupTags[] = [];
    for await (const page of paginateDescribeAutoScalingGroups({ client: this.autoScaling, pageSize: GROUPS_PER_CALL }, {})) {
      for (const group of page.AutoScalingGroups ?? []) {
        if (group.AutoScalingGroupName !== undefined) groups.push({ name: group.AutoScalingGroupName, tags: tagsOf(group.Tags) });
      }
    }
    return groups;
  }

  /** Group tags only: a phoenix: tag propagated to instances would mean something else there. */
  async setTags(group: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const list = Object.entries(tags).map(([Key, Value]) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false }));
    if (list.length > 0) await this.autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: list }));
  }

  async removeTags(group: string, keys: readonly string[]): Promise<void> {
    const list = keys.map((Key) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key }));
    if (list.length > 0) await this.autoScaling.send(new DeleteTagsCommand({ Tags: list }));
  }
}
