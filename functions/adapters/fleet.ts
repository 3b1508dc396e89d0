import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { InstanceGoneError } from '../core/errors.js';
import type { Group } from '../core/model.js';
import type { FleetPort } from '../core/ports.js';
import { chunks, GROUPS_PER_CALL } from './api-shapes.js';
import { AwsFleetReader } from './fleet-reader.js';

const ACTIVITIES_PER_CHECK = 20;
const FINISHED_ACTIVITY: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Cancelled']);

/** FleetPort over Auto Scaling and EC2: the only fleet code that changes anything. */
export class AwsFleet extends AwsFleetReader implements FleetPort {
  async describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    const groups: AutoScalingGroup[] = [];
    for (const batch of chunks([...new Set(names)], GROUPS_PER_CALL)) {
      const page = await this.options.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: GROUPS_PER_CALL }));
      groups.push(...(page.AutoScalingGroups ?? []));
    }
    const fresh = await Promise.all((await this.toGroups(groups)).map((group) => this.withActivities(group)));
    return new Map(fresh.map((group) => [group.name, group]));
  }

  /**
   * The re-check before acting also reads the group's recent scaling activities: one call per group
   * about to change (never per group per tick), and it shows launches, terminations and instance
   * refreshes in progress that instance states alone can miss.
   */
  private async withActivities(group: Group): Promise<Group> {
    const page = await this.options.autoScaling.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group.name, MaxRecords: ACTIVITIES_PER_CHECK }),
    );
    const running = (page.Activities ?? []).filter((activity) => !FINISHED_ACTIVITY.has(activity.StatusCode ?? ''));
    if (running.length === 0) return group;
    const refreshing = running.some((activity) => /instance refresh/i.test(`${activity.Cause ?? ''} ${activity.Description ?? ''}`));
    return { ...group, scalingActivityInProgress: true, instanceRefreshInProgress: group.instanceRefreshInProgress || refreshing };
  }

  async setDesiredCapacity(group: string, desired: number): Promise<void> {
    await this.options.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: desired, HonorCooldown: false }));
  }

  async terminateInstance(_group: string, instanceId: string, options: { decrementDesired: boolean }): Promise<void> {
    try {
      await this.options.autoScaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: options.decrementDesired }),
      );
    } catch (error) {
      throw isInstanceGone(error) ? new InstanceGoneError(instanceId, error.message, { cause: error }) : error;
    }
  }

  async tagGroup(group: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.options.autoScaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: Object.entries(tags).map(([Key, Value]) => ({
          ResourceId: group,
          ResourceType: 'auto-scaling-group',
          Key,
          Value,
          PropagateAtLaunch: false,
        })),
      }),
    );
  }

  async untagGroup(group: string, keys: readonly string[]): Promise<void> {
    await this.options.autoScaling.send(new DeleteTagsCommand({ Tags: keys.map((Key) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key })) }));
  }
}

/**
 * Auto Scaling answers a termination of an instance that is no longer a member with a plain
 * ValidationError; only its message tells it apart from a malformed request.
 */
const INSTANCE_GONE = /^Instance Id not found\b/i;

function isInstanceGone(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ValidationError' && INSTANCE_GONE.test(error.message);
}
