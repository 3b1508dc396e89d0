import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { AwsFleet } from '../adapters/fleet.js';
import { TAG } from '../core/policy/policy.js';
import { UsageError } from './errors.js';

/** Lifts a quarantine: removes `phoenix:quarantined` from the group, and says what the tag said. */
export async function releaseGroup(group: string, options: ClientOptions): Promise<{ group: string; released: boolean; reason: string | null }> {
  const aws = clientConfig(options);
  const fleet = new AwsFleet({ autoScaling: new AutoScalingClient(aws), ec2: new EC2Client(aws) });
  const found = (await fleet.describeGroups([group])).get(group);
  if (found === undefined) throw new UsageError(`GROUP: no Auto Scaling group named "${group}" in this account and region`);
  const reason = found.tags[TAG.quarantined];
  if (reason === undefined) return { group, released: false, reason: null };
  await fleet.untagGroup(group, [TAG.quarantined]);
  return { group, released: true, reason };
}
