import { parseOptions, textOption } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { LedgerNotFoundError, UsageError } from './errors.js';
import { chooseLedger, LEDGER_OPTIONS } from './ledger-choice.js';
import type { Output } from './output.js';
import { listTableNames } from './readers.js';
import { releaseGroup } from './release.js';
import { releaseVersion, versionKey } from './release-version.js';

const WHAT = 'expected the name of a quarantined Auto Scaling group, or --version V or --ami AMI for a blocked version (phoenix release --help)';

/** `phoenix release GROUP` lifts a quarantine; `--version`/`--ami` lift a version's block. */
export async function releaseCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const [first, ...rest] = args;
  const group = first !== undefined && !first.startsWith('-') ? first : undefined;
  const values = parseOptions('release', group === undefined ? args : rest, {
    version: { type: 'string' },
    ami: { type: 'string' },
    json: { type: 'boolean' },
    ...LEDGER_OPTIONS,
    ...AWS_OPTIONS,
  });
  const named = (['version', 'ami'] as const).filter((option) => values[option] !== undefined);
  if ([group, ...named].filter((given) => given !== undefined).length !== 1) {
    throw new UsageError(`phoenix release: ${group === undefined && named.length === 0 ? 'nothing to release' : 'more than one thing to release'}: ${WHAT}`);
  }
  const aws = awsOptions(values);
  const json = values['json'] === true;
  if (group !== undefined) {
    if (textOption(values, 'stage') !== undefined || textOption(values, 'table') !== undefined) {
      throw new UsageError('--stage and --table: a quarantine is a tag on the group, no ledger is read: expected them only with --version or --ami');
    }
    const result = await releaseGroup(group, aws);
    if (json) output.stdout(JSON.stringify(result));
    else output.stdout(result.released ? `released ${group} (was quarantined: ${result.reason ?? ''})` : `${group} was not quarantined; nothing changed`);
    return;
  }
  const option = named[0] as 'version' | 'ami';
  const key = versionKey(option, textOption(values, option) ?? '');
  const { table, how } = await chooseLedger(values, () => listTableNames(aws));
  if (table === undefined) throw new LedgerNotFoundError(how);
  output.stderr(`ledger: ${table} (${how})`);
  const result = await releaseVersion(key, { aws, table, now });
  if (json) output.stdout(JSON.stringify(result));
  else
    output.stdout(
      result.released
        ? `released ${key} (blocked ${result.blockedAt ?? ''} after ${result.why ?? ''}); groups launching it go on from the next tick, which announces Version Released`
        : `${key} was not blocked; nothing changed`,
    );
}
