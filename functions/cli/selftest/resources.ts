import type { Millis } from '../../core/model.js';
import { TAG } from '../../core/policy/policy.js';
import { formatTaint } from '../../core/taint/taint.js';
import type { MadeResources } from './checklist.js';
import type { SelftestCloud } from './ports.js';

/** The names of one run's throwaway resources: a common prefix and the run's start time, so runs never collide. */
export interface SelftestNames {
  readonly launchTemplate: string;
  /** The opted-in group the recycler is asked to recycle. */
  readonly subject: string;
  /** The group that is not opted in, on which IAM must refuse the recycler. */
  readonly decoy: string;
  /** The Name of the standalone instance outside any group, on which IAM must refuse the tainter. */
  readonly standalone: string;
}

const NAME_PREFIX = 'phoenix-selftest';

export function selftestNames(now: Millis): SelftestNames {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const base = `${NAME_PREFIX}-${stamp}`;
  return { launchTemplate: base, subject: `${base}-subject`, decoy: `${base}-decoy`, standalone: `${base}-standalone` };
}

const MARK = { [TAG.selftest]: 'true', Name: NAME_PREFIX } as const;

/**
 * The subject opts in as any team's group does. Its taint grace of 0m lets the instance the self-test
 * marks as touched be the recycler's first pick at once; recovery gets 15 minutes, time for an
 * instance to launch and pass its checks.
 */
export const SUBJECT_TAGS: Readonly<Record<string, string>> = {
  ...MARK,
  [TAG.enabled]: 'true',
  [TAG.taintGrace]: '0m',
  [TAG.recoveryTimeout]: '15m',
};

/** No phoenix:enabled at all: the role's tag condition must refuse any change to it. */
export const DECOY_TAGS: Readonly<Record<string, string>> = { ...MARK };

/** The standalone instance carries the mark itself (no group propagates it): the tainter's probe acts on nothing else. */
export function standaloneTags(names: SelftestNames): Readonly<Record<string, string>> {
  return { ...MARK, Name: names.standalone };
}

/** The touch the self-test records on the subject's instance, in the tainter's format, so the recycler's first rule picks it. */
export function touchMark(now: Millis): Readonly<Record<string, string>> {
  return { [TAG.tainted]: formatTaint({ at: now, by: 'phoenix selftest', via: 'selftest' }) };
}

/** AWS CLI commands that remove what a run made, for --keep or a removal that failed. */
export function removalCommands(made: MadeResources, region: string): string[] {
  const { instance, standalone, launchTemplate } = made;
  const found = `$(aws ec2 describe-instances --filters Name=tag:Name,Values=${standalone} Name=tag:phoenix:selftest,Values=true --query 'Reservations[].Instances[].InstanceId' --output text --region ${region})`;
  return [
    ...(instance !== undefined
      ? [`aws ec2 terminate-instances --instance-ids ${instance} --region ${region}`]
      : standalone === undefined
        ? []
        : [`aws ec2 terminate-instances --instance-ids ${found} --region ${region}`]),
    ...made.groups.map((group) => `aws autoscaling delete-auto-scaling-group --force-delete --auto-scaling-group-name ${group} --region ${region}`),
    ...(launchTemplate === undefined ? [] : [`aws ec2 delete-launch-template --launch-template-name ${launchTemplate} --region ${region}`]),
  ];
}

/** Terminates the standalone instance, removes the groups (their instances with them), then the template; each failure is collected, none stops the rest. */
export async function removeResources(cloud: SelftestCloud, made: MadeResources): Promise<string[]> {
  const failures: string[] = [];
  const attempt = async (what: string, remove: () => Promise<void>): Promise<void> => {
    try {
      await remove();
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  };
  const instances = new Set(made.instance === undefined ? [] : [made.instance]);
  // A launch whose answer was lost (its last retry timed out) may still have made an instance: its Name finds it.
  const standalone = made.standalone;
  if (standalone !== undefined)
    await attempt(standalone, async () => {
      for (const id of await cloud.selftestInstancesNamed(standalone)) instances.add(id);
    });
  for (const instance of instances) await attempt(instance, () => cloud.terminateInstance(instance));
  for (const group of made.groups) await attempt(group, () => cloud.deleteGroup(group));
  const template = made.launchTemplate;
  if (template !== undefined) await attempt(template, () => cloud.deleteLaunchTemplate(template));
  return failures;
}
