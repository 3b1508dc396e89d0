import { parseOptions, textOption } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { requestRecycle } from './recycle.js';

export async function recycleCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const [group, ...rest] = args;
  if (group === undefined || group.startsWith('-'))
    throw new UsageError('phoenix recycle: GROUP is missing: expected the name of an opted-in Auto Scaling group first (phoenix recycle --help)');
  const values = parseOptions('recycle', rest, { instance: { type: 'string' }, json: { type: 'boolean' }, ...AWS_OPTIONS });
  const mark = await requestRecycle(group, textOption(values, 'instance'), awsOptions(values), now);
  if (values['json'] === true) output.stdout(JSON.stringify(mark));
  else output.stdout(`marked ${mark.instanceId} of ${group} (${mark.tag}=${mark.value}): the next tick that may act on ${group} replaces it first`);
}
