import { buildWeeklyReport, type ReportSources } from '../app/weekly-report.js';
import { IsoWeekError, TimeZoneError } from '../core/errors.js';
import type { Millis } from '../core/model.js';
import { isoWeekBounds, lastCompleteIsoWeek } from '../core/report/iso-week.js';
import type { WeeklyReport } from '../core/report/schema.js';
import { isMissingTable, LedgerTableMissingError, UsageError } from './errors.js';

export interface LedgerReportOptions {
  readonly week: string;
  readonly timeZone: string;
  /** The ledger table the sources read, to name it when it is missing. */
  readonly table: string;
  readonly now: Millis;
}

/** --week and --time-zone checked together (a zone decides where a week starts); default: the last complete week. */
export function parseWeek(week: string | undefined, timeZone: string, now: Millis): string {
  try {
    if (week === undefined) return lastCompleteIsoWeek(now, timeZone);
    isoWeekBounds(week, timeZone);
    return week;
  } catch (error) {
    if (error instanceof TimeZoneError) throw new UsageError(`--time-zone: ${error.message}`, { cause: error });
    if (error instanceof IsoWeekError) throw new UsageError(`--week: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A past week's report from the deployed ledger and the fleet as it is now: what the reporter Lambda would send. */
export async function ledgerReport(sources: ReportSources, options: LedgerReportOptions): Promise<WeeklyReport> {
  try {
    return await buildWeeklyReport(sources, { week: options.week, timeZone: options.timeZone }, options.now);
  } catch (error) {
    if (isMissingTable(error)) throw new LedgerTableMissingError(options.table, error);
    throw error;
  }
}
