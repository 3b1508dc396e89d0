import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { callerArn } from '../adapters/caller.js';
import { AwsFleet } from '../adapters/fleet.js';
import { AwsInstances } from '../adapters/instances.js';
import type { Ineligibility } from '../core/decide/fleet-state.js';
import { ineligibility } from '../core/decide/fleet-state.js';
import type { Group, Instance, Millis } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import { formatRequest } from '../core/policy/request.js';
import { UsageError } from './errors.js';

/** What `phoenix recycle` marked. */
export interface RecycleMark {
  readonly group: string;
  readonly instanceId: string;
  readonly tag: string;
  readonly value: string;
  readonly at: string;
  readonly by: string;
}

const REFUSALS: Record<Ineligibility, string> = {
  exempt: `is exempt (${TAG.exempt}): Phoenix never replaces it`,
  protected: 'is protected from scale-in: Phoenix never replaces it',
  'not-in-service': 'is not InService: Auto Scaling is launching or replacing it already',
  unhealthy: 'is unhealthy: Auto Scaling replaces it on its own',
};

/**
 * The instance to mark: the one named, or the oldest a rule may pick. Refuses, naming the input, a group
 * not opted in (the recycler would never serve the request) and an instance Phoenix would never pick.
 */
export function chooseInstance(name: string, group: Group | undefined, instanceId: string | undefined): Instance {
  if (group === undefined) throw new UsageError(`GROUP: no Auto Scaling group named "${name}" in this account and region`);
  const enabled = group.tags[TAG.enabled];
  if (enabled !== 'true') {
    const has = enabled === undefined ? `no ${TAG.enabled} tag` : `${TAG.enabled}=${JSON.stringify(enabled)}`;
    throw new UsageError(`GROUP: "${name}" is not opted in to recycling (${has}): expected a group tagged ${TAG.enabled}=true`);
  }
  if (instanceId !== undefined) {
    const instance = group.instances.find((candidate) => candidate.id === instanceId);
    if (instance === undefined)
      throw new UsageError(
        `--instance: "${instanceId}" is not an instance of ${name}: expected one of ${group.instances.map((i) => i.id).join(', ') || 'its instances (it has none)'}`,
      );
    const never = ineligibility(instance);
    if (never !== undefined) throw new UsageError(`--instance: ${instanceId} ${REFUSALS[never]}; expected an InService, healthy instance Phoenix may pick`);
    return instance;
  }
  let oldest: Instance | undefined;
  for (const instance of group.instances) {
    if (ineligibility(instance) !== undefined) continue;
    if (oldest === undefined || (instance.launchedAt ?? Infinity) < (oldest.launchedAt ?? Infinity)) oldest = instance;
  }
  if (oldest === undefined) throw new UsageError(`GROUP: ${name} has no instance Phoenix may pick (each is exempt, protected, not InService or unhealthy)`);
  return oldest;
}

/** Marks an instance of an opted-in group for replacement at the next tick that may act there. */
export async function requestRecycle(name: string, instanceId: string | undefined, options: ClientOptions, now: Millis): Promise<RecycleMark> {
  const aws = clientConfig(options);
  const clients = { autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) };
  const group = (await new AwsFleet(clients).describeGroups([name])).get(name);
  const instance = chooseInstance(name, group, instanceId);
  const by = await callerArn(aws);
  // A tag value holds 256 characters; an ARN that long loses its end, never the request.
  const value = formatRequest({ at: now, by }).slice(0, 256);
  if (!(await new AwsInstances(clients).tagRecycleRequested(instance.id, value))) {
    throw new UsageError(`--instance: ${instance.id} is gone since ${name} was read; nothing was marked`);
  }
  return { group: name, instanceId: instance.id, tag: TAG.recycleRequested, value, at: new Date(now).toISOString(), by };
}
