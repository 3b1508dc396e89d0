import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type ClientOptions, clientConfig } from '../adapters/aws-config.js';
import { buildWeeklyReport, type ReportSources } from '../app/weekly-report.js';
import { IsoWeekError, TimeZoneError } from '../core/errors.js';
import type { Millis } from '../core/model.js';
import { isoWeekBounds, lastCompleteIsoWeek } from '../core/report/iso-week.js';
import type { WeeklyReport } from '../core/report/schema.js';
import { FutureWeekError, refuseFutureWeek } from '../core/report/weekly.js';
import { isMissingTable, LedgerTableMissingError, UsageError } from './errors.js';

export interface LedgerReportOptions {
  readonly week: string;
  readonly timeZone: string;
  /** The ledger table the sources read, to name it when it is missing. */
  readonly table: string;
  readonly now: Millis;
  /** The region the fleet was read in, for the report's console links. */
  readonly region: string;
}

/**
 * --week and --time-zone checked together (a zone decides where a week starts); default: the last complete week.
 * A week still to come is refused; the current one is reported as far as it has gone.
 */
export function parseWeek(week: string | undefined, timeZone: string, now: Millis): string {
  try {
    if (week === undefined) return lastCompleteIsoWeek(now, timeZone);
    refuseFutureWeek(week, isoWeekBounds(week, timeZone).start, now);
    return week;
  } catch (error) {
    if (error instanceof TimeZoneError) throw new UsageError(`--time-zone: ${error.message}`, { cause: error });
    if (error instanceof IsoWeekError || error instanceof FutureWeekError) throw new UsageError(`--week: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A past week's report from the deployed ledger and the fleet as it is now: what the reporter Lambda would send. */
export async function ledgerReport(sources: ReportSources, options: LedgerReportOptions): Promise<WeeklyReport> {
  try {
    return await buildWeeklyReport(sources, { week: options.week, timeZone: options.timeZone, region: options.region }, options.now);
  } catch (error) {
    if (isMissingTable(error)) throw new LedgerTableMissingError(options.table, error);
    throw error;
  }
}

/** The region the SDK reads the fleet in (--region, AWS_REGION or the profile's), so the links open where the groups are. */
export async function fleetRegion(aws: ClientOptions): Promise<string> {
  return new AutoScalingClient(clientConfig(aws)).config.region();
}
