import type { EC2Client, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';

/**
 * DescribeInstances for the given ids, without the ones EC2 no longer knows: one id that vanished
 * fails the whole call, so the ids the error names are dropped and the rest asked again.
 */
export async function describeExistingInstances(ec2: EC2Client, instanceIds: readonly string[]): Promise<Ec2Instance[]> {
  const found: Ec2Instance[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds], NextToken: nextToken }));
      for (const reservation of page.Reservations ?? []) found.push(...(reservation.Instances ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  } catch (error) {
    const missing: string[] = error instanceof Error && error.name === 'InvalidInstanceID.NotFound' ? (error.message.match(/i-[0-9a-f]+/g) ?? []) : [];
    const remaining = instanceIds.filter((id) => !missing.includes(id));
    if (missing.length === 0 || remaining.length === instanceIds.length) throw error;
    return remaining.length === 0 ? [] : describeExistingInstances(ec2, remaining);
  }
  return found;
}
