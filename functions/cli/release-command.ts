import { parseOptions } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { releaseGroup } from './release.js';

export async function releaseCommand(args: readonly string[], output: Output): Promise<void> {
  const [group, ...rest] = args;
  if (group === undefined || group.startsWith('-'))
    throw new UsageError('phoenix release: GROUP is missing: expected the name of a quarantined Auto Scaling group first (phoenix release --help)');
  const values = parseOptions('release', rest, { json: { type: 'boolean' }, ...AWS_OPTIONS });
  const result = await releaseGroup(group, awsOptions(values));
  if (values['json'] === true) output.stdout(JSON.stringify(result));
  else output.stdout(result.released ? `released ${group} (was quarantined: ${result.reason ?? ''})` : `${group} was not quarantined; nothing changed`);
}
