import type { ClientOptions } from '../adapters/aws-config.js';
import { SETTINGS } from '../app/account-settings.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import { MINUTE, WEEK } from '../core/model.js';
import { integerOption, parseOptions } from './arguments.js';
import { AWS_OPTIONS, awsOptions } from './aws-options.js';
import { isMissingTable, LedgerTableMissingError } from './errors.js';
import { FORECAST_DAYS, forecast } from './forecast.js';
import { ledgerSeed } from './forecast-fleet.js';
import { formatForecast, progressLines } from './forecast-format.js';
import { chooseLedger, LEDGER_OPTIONS } from './ledger-choice.js';
import type { Output } from './output.js';
import { fleetReader, ledgerReader, listTableNames } from './readers.js';
import { SIMULATION_BOUNDS } from './simulate-command.js';

/** A ledger named and missing stops the forecast: without its budgets and replacements in flight it would mislead. */
async function seedRecords(aws: ClientOptions, table: string, now: Millis): Promise<ReplacementRecord[]> {
  const reader = ledgerReader({ aws, table, now });
  try {
    // A week back covers every budget period a group's tags can set.
    return ledgerSeed((await reader.openRecords()).records, (await reader.recordsSince(now - WEEK)).records);
  } catch (error) {
    if (isMissingTable(error)) throw new LedgerTableMissingError(table, error);
    throw error;
  }
}

/** Reads the fleet and the ledger once, then forecasts offline: nothing after the reads reaches AWS. */
export async function forecastCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('forecast', args, { days: { type: 'string' }, json: { type: 'boolean' }, ...LEDGER_OPTIONS, ...AWS_OPTIONS });
  const days = integerOption({ name: 'days', value: values['days'], fallback: FORECAST_DAYS.default, min: FORECAST_DAYS.min, max: FORECAST_DAYS.max });
  const aws = awsOptions(values);
  const ledger = await chooseLedger(values, () => listTableNames(aws));
  output.stderr(ledger.table === undefined ? `ledger: none: ${ledger.how}` : `ledger: ${ledger.table} (${ledger.how})`);
  const groups = await fleetReader(aws).listOptedInGroups();
  const records = ledger.table === undefined ? [] : await seedRecords(aws, ledger.table, now);
  const instanceDays = groups.reduce((sum, group) => sum + group.instances.length, 0) * days;
  const progress = instanceDays > SIMULATION_BOUNDS.progressFrom ? progressLines(days, output.stderr) : undefined;
  const tickInterval = SETTINGS.scheduleMinutes.default * MINUTE;
  const result = await forecast({ groups, records, now, days, tickInterval, ...(progress === undefined ? {} : { progress }) });
  output.stdout(values['json'] === true ? JSON.stringify(result, null, 2) : formatForecast(result));
}
