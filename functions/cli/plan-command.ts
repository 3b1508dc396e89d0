import { SETTINGS } from '../app/account-settings.js';
import { integerOption, parseOptions } from './arguments.js';
import { AWS_OPTIONS, awsOptions, ledgerTable } from './aws-options.js';
import type { Output } from './output.js';
import { formatPlan, parseAt, planReport } from './plan.js';
import { awsReaders } from './readers.js';

export async function planCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('plan', args, {
    at: { type: 'string' },
    json: { type: 'boolean' },
    table: { type: 'string' },
    'tick-minutes': { type: 'string' },
    ...AWS_OPTIONS,
  });
  const at = parseAt(values['at'], now);
  const aws = awsOptions(values);
  const table = ledgerTable(values);
  // The deployment's own bounds: a plan at a tick interval no stack can be deployed with would mislead.
  const { default: fallback, min, max } = SETTINGS.scheduleMinutes;
  const tickMinutes = integerOption({ name: 'tick-minutes', value: values['tick-minutes'], fallback, min, max });
  const report = await planReport(awsReaders({ aws, table, now: at }), { at, table, tickMinutes }, output.stderr);
  output.stdout(values['json'] === true ? JSON.stringify(report, null, 2) : formatPlan(report));
}
