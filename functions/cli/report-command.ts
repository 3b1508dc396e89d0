import { SETTINGS } from '../app/account-settings.js';
import { choiceOption, parseOptions, textOption } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { LedgerNotFoundError } from './errors.js';
import { chooseLedger, LEDGER_OPTIONS } from './ledger-choice.js';
import type { Output } from './output.js';
import { fleetReader, ledgerReader, listTableNames } from './readers.js';
import { fleetRegion, ledgerReport, parseWeek } from './report.js';
import { REPORT_FORMATS, renderReport } from './simulate-command.js';

export async function reportCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('report', args, {
    week: { type: 'string' },
    format: { type: 'string' },
    'time-zone': { type: 'string' },
    ...LEDGER_OPTIONS,
    ...AWS_OPTIONS,
  });
  const timeZone = textOption(values, 'time-zone') ?? SETTINGS.reportTimeZone.default;
  const week = parseWeek(textOption(values, 'week'), timeZone, now);
  const format = choiceOption({ name: 'format', value: values['format'], fallback: 'md', choices: REPORT_FORMATS });
  const aws = awsOptions(values);
  const { table, how } = await chooseLedger(values, () => listTableNames(aws));
  if (table === undefined) throw new LedgerNotFoundError(how);
  output.stderr(`ledger: ${table} (${how})`);
  const region = await fleetRegion(aws);
  const report = await ledgerReport({ fleet: fleetReader(aws), ledger: ledgerReader({ aws, table, now }) }, { week, timeZone, table, now, region });
  output.stdout(renderReport(report, format));
}
