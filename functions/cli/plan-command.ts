import { SETTINGS } from '../app/account-settings.js';
import { integerOption, parseOptions, textOption } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { chooseLedger, LEDGER_OPTIONS } from './ledger-choice.js';
import type { Output } from './output.js';
import { parseAt, planReport } from './plan.js';
import { formatPlan, planSummary, viewPlan } from './plan-format.js';
import { fleetReader, ledgerReader, listTableNames } from './readers.js';

export async function planCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('plan', args, {
    at: { type: 'string' },
    json: { type: 'boolean' },
    group: { type: 'string' },
    actions: { type: 'boolean' },
    'tick-minutes': { type: 'string' },
    ...LEDGER_OPTIONS,
    ...AWS_OPTIONS,
  });
  const at = parseAt(values['at'], now);
  const view = { group: textOption(values, 'group'), actionsOnly: values['actions'] === true };
  const aws = awsOptions(values);
  // The deployment's own bounds: a plan at a tick interval no stack can be deployed with would mislead.
  const { default: fallback, min, max } = SETTINGS.scheduleMinutes;
  const tickMinutes = integerOption({ name: 'tick-minutes', value: values['tick-minutes'], fallback, min, max });
  const ledger = await chooseLedger(values, () => listTableNames(aws));
  output.stderr(ledger.table === undefined ? `ledger: none: ${ledger.how}` : `ledger: ${ledger.table} (${ledger.how})`);
  const sources = { fleet: fleetReader(aws), ledger: ledger.table === undefined ? undefined : ledgerReader({ aws, table: ledger.table, now: at }) };
  const report = await planReport(sources, { at, atChosen: values['at'] !== undefined, table: ledger.table, tickMinutes }, output.stderr);
  const shown = viewPlan(report, view);
  const { groups, ...header } = shown;
  output.stdout(values['json'] === true ? JSON.stringify({ ...header, summary: planSummary(shown), groups }, null, 2) : formatPlan(shown, view));
}
