import type { ClientOptions } from '../adapters/aws-config.js';
import { parseOptions, textOption } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { formatReport } from './selftest/checklist.js';
import type { SelftestPorts } from './selftest/ports.js';
import type { Preflight } from './selftest/preflight.js';
import { preflight } from './selftest/preflight.js';
import { runSelftest } from './selftest/run.js';

/** osls's default stage, which a deployment without --stage gets. */
const DEFAULT_STAGE = 'dev';

const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const STAGE = /^[A-Za-z0-9-]+$/;

/** What a run needs from outside: the ports over the account, its region, a way to ask, and the interrupt. */
export interface SelftestSession extends SelftestPorts {
  readonly region: string;
  /** Asks the person a yes/no question; undefined when there is nobody to ask (no terminal). */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
  readonly signal: AbortSignal;
}

export type SelftestConnect = (aws: ClientOptions, stage: string) => Promise<SelftestSession>;

function subnetsOption(value: string | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const subnets = value.split(',').map((subnet) => subnet.trim());
  const bad = subnets.find((subnet) => !SUBNET.test(subnet));
  if (bad !== undefined)
    throw new UsageError(`--subnets: "${bad}" is not valid: expected subnet ids separated by commas, such as subnet-0a1b2c3d,subnet-4e5f6a7b`);
  return [...new Set(subnets)];
}

/** What a run makes, for --plan --json; every one is removed at the end unless --keep. */
const MAKES = [
  'a launch template: the latest Amazon Linux 2023 for arm64, the cheapest current arm64 instance type',
  'an opted-in group of size 1, max 2, tagged phoenix:selftest=true',
  'a decoy group of size 1, max 2, tagged phoenix:selftest=true, not opted in',
  'a standalone instance of the template, tagged phoenix:selftest=true, outside any group',
];

/** What the run will do, cost and take, said before anything is made. */
function statement(stage: string, region: string, found: Preflight): string[] {
  const lines = [
    `phoenix selftest, stage ${stage} in ${region}, with your own credentials:`,
    '  makes a launch template (the latest Amazon Linux 2023 for arm64, the cheapest current arm64 instance type)',
    `  and two groups of size 1, max 2, tagged phoenix:selftest=true, in ${found.subnets.join(', ')}: one opted in, one decoy;`,
    `  and one standalone instance of that template, tagged phoenix:selftest=true, outside any group, in ${found.subnets[0] ?? 'the first subnet'};`,
    `  asks ${found.facts.functionName} to replace the opted-in group's instance, and to act on the decoy, which AWS must refuse;`,
    `  reads ${found.verifierLogGroup} for Auto Scaling's events about the replacement;`,
    `  asks ${found.tainter} to tag the standalone instance, which AWS must refuse;`,
    '  reads the mode parameter, the stop alarms and the dashboard; removes what it made, also after a failure or Ctrl-C.',
    'cost: three small instances, four during the replacement, for about 15 minutes: about one US cent at on-demand prices.',
    'duration: about 10 to 15 minutes; each wait gives up after 10 to 15 minutes.',
    `global mode: ${found.mode}`,
  ];
  if (found.mode !== 'live')
    lines.push(
      'not live: the recycler will only decide, so the replacement checks fail saying why; the IAM and settings checks still run.',
      'going live lets the recycler act on every opted-in group of the account, not only this test.',
    );
  return lines;
}

/** Runs `phoenix selftest` and returns its exit code: 0 only when every check passed and cleanup succeeded (or was --keep). */
export async function selftestCommand(args: readonly string[], output: Output, connect: SelftestConnect): Promise<number> {
  const values = parseOptions('selftest', args, {
    stage: { type: 'string' },
    subnets: { type: 'string' },
    keep: { type: 'boolean' },
    json: { type: 'boolean' },
    yes: { type: 'boolean' },
    plan: { type: 'boolean' },
    ...AWS_OPTIONS,
  });
  const stage = textOption(values, 'stage') ?? DEFAULT_STAGE;
  if (!STAGE.test(stage)) throw new UsageError(`--stage: "${stage}" is not valid: expected letters, digits and hyphens, as osls deploy --stage takes`);
  const subnets = subnetsOption(textOption(values, 'subnets'));
  if (values['plan'] === true && (values['yes'] === true || values['keep'] === true))
    throw new UsageError('--plan: makes nothing, so --yes and --keep have nothing to do: expected --plan alone or neither');
  const session = await connect(awsOptions(values), stage);
  const found = await preflight(session, { stage, region: session.region, subnets });
  const stated = statement(stage, session.region, found);
  if (values['plan'] === true) {
    const { facts, mode, tainter, verifierLogGroup } = found;
    const plan = { stage, region: session.region, subnets: found.subnets, mode, recycler: facts, tainter, verifierLogGroup, makes: MAKES };
    output.stdout(values['json'] === true ? JSON.stringify(plan, null, 2) : stated.join('\n'));
    return 0;
  }
  for (const line of stated) output.stderr(line);
  if (values['yes'] !== true) {
    if (session.confirm === undefined) throw new UsageError('phoenix selftest: no terminal to ask for confirmation: pass --yes to run it as stated above');
    if (!(await session.confirm('go ahead? [y/N] '))) {
      output.stderr('nothing was made');
      return 1;
    }
  }
  const report = await runSelftest(session, {
    stage,
    region: session.region,
    subnets: found.subnets,
    facts: found.facts,
    keep: values['keep'] === true,
    signal: session.signal,
  });
  output.stdout(values['json'] === true ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.passed ? 0 : 1;
}
