import type { Activity, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { isThrottlingError } from '@smithy/core/retry';
import { CallRefusedError, InstanceGoneError } from '../core/errors.js';
import type { Group, Millis } from '../core/model.js';
import type { FleetPort, RecheckOptions } from '../core/ports.js';
import { chunks, GROUPS_PER_CALL } from './api-shapes.js';
import { AwsFleetReader } from './fleet-reader.js';

/** DescribeScalingActivities answers 100 activities a page at most. */
const ACTIVITIES_PER_PAGE = 100;
/**
 * Pages of the account's activities read before asking group by group instead: an account busier
 * than this within the horizon costs a call per starting group, as every account did before.
 */
const ACCOUNT_ACTIVITY_PAGES = 3;
const FINISHED_ACTIVITY: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Cancelled']);

/** Groups with a scaling activity still running, and those among them running an instance refresh. */
interface RunningActivities {
  readonly running: ReadonlySet<string>;
  readonly refreshing: ReadonlySet<string>;
}

/** FleetPort over Auto Scaling and EC2: the only fleet code that changes anything. */
export class AwsFleet extends AwsFleetReader implements FleetPort {
  async describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    const groups = await this.toGroups(await this.autoScalingGroups(names));
    return new Map(groups.map((group) => [group.name, group]));
  }

  async recheckGroups(groups: readonly Group[], options: RecheckOptions): Promise<ReadonlyMap<string, Group>> {
    const known = new Map(groups.map((group) => [group.name, group]));
    const [described, activities] = await Promise.all([
      this.autoScalingGroups([...known.keys()]),
      options.activitiesSince === undefined ? undefined : this.runningActivities([...known.keys()], options.activitiesSince),
    ]);
    const fresh = await this.toGroups(described, known);
    return new Map(fresh.map((group) => [group.name, activities === undefined ? group : withActivities(group, activities)]));
  }

  /** The named groups as Auto Scaling describes them, 100 names a call; a group that no longer exists is missing. */
  private async autoScalingGroups(names: readonly string[]): Promise<AutoScalingGroup[]> {
    const groups: AutoScalingGroup[] = [];
    for (const batch of chunks([...new Set(names)], GROUPS_PER_CALL)) {
      const page = await this.options.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: GROUPS_PER_CALL }));
      groups.push(...(page.AutoScalingGroups ?? []));
    }
    return groups;
  }

  /**
   * Launches, terminations and instance refreshes in progress that instance states alone can miss,
   * from the account's activities, newest first, back to `since`: one call for a quiet account however
   * many groups start. Past a few pages the groups are asked one by one, never fewer than that.
   */
  private async runningActivities(groups: readonly string[], since: Millis): Promise<RunningActivities> {
    const running = new Set<string>();
    const refreshing = new Set<string>();
    const note = (activities: readonly Activity[] | undefined) => {
      for (const activity of activities ?? []) {
        if (activity.AutoScalingGroupName === undefined || FINISHED_ACTIVITY.has(activity.StatusCode ?? '')) continue;
        running.add(activity.AutoScalingGroupName);
        if (/instance refresh/i.test(`${activity.Cause ?? ''} ${activity.Description ?? ''}`)) refreshing.add(activity.AutoScalingGroupName);
      }
    };
    let nextToken: string | undefined;
    for (let page = 0; page < ACCOUNT_ACTIVITY_PAGES; page += 1) {
      const answer = await this.options.autoScaling.send(new DescribeScalingActivitiesCommand({ MaxRecords: ACTIVITIES_PER_PAGE, NextToken: nextToken }));
      note(answer.Activities);
      nextToken = answer.NextToken;
      const oldest = answer.Activities?.at(-1)?.StartTime;
      if (nextToken === undefined || oldest === undefined || oldest.getTime() < since) return { running, refreshing };
    }
    for (const group of groups) {
      const answer = await this.options.autoScaling.send(
        new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, MaxRecords: ACTIVITIES_PER_PAGE }),
      );
      note(answer.Activities);
    }
    return { running, refreshing };
  }

  async setDesiredCapacity(group: string, desired: number): Promise<void> {
    await this.options.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: desired, HonorCooldown: false }));
  }

  /** MaxSize alone: IAM refuses this call with any other setting in it, and on groups without phoenix:max-surge=1. */
  async setMaxSize(group: string, maxSize: number): Promise<void> {
    await this.options.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MaxSize: maxSize }));
  }

  async terminateInstance(_group: string, instanceId: string, options: { decrementDesired: boolean }): Promise<void> {
    try {
      await this.options.autoScaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: options.decrementDesired }),
      );
    } catch (error) {
      if (isInstanceGone(error)) throw new InstanceGoneError(instanceId, error.message, { cause: error });
      throw refusedAs(`TerminateInstanceInAutoScalingGroup ${instanceId}`, error);
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

function withActivities(group: Group, activities: RunningActivities): Group {
  if (!activities.running.has(group.name)) return group;
  return { ...group, scalingActivityInProgress: true, instanceRefreshInProgress: group.instanceRefreshInProgress || activities.refreshing.has(group.name) };
}

/**
 * The SDK's own test for a throttling error (the name list and 429 its retries use). Its parameter type
 * wants `cause` to be an Error, which a service exception's `unknown` cause is not under this
 * project's exactOptionalPropertyTypes, though the test never reads it.
 */
function throttled(error: AutoScalingServiceException): boolean {
  return isThrottlingError(error as unknown as Parameters<typeof isThrottlingError>[0]);
}

/** A termination's error as the port reports it: a throttle is a refusal that cannot have landed; anything else as thrown. */
function refusedAs(operation: string, error: unknown): unknown {
  return error instanceof AutoScalingServiceException && throttled(error) ? new CallRefusedError(operation, { cause: error }) : error;
}
