import type { WeeklyReport } from '../core/report/schema.js';
import { REPORT_SCHEMA_VERSION } from '../core/report/schema.js';

/**
 * The documented shape of the report JSON (S3 and the `Weekly Report` event): the model itself, so the
 * two cannot drift. Absent values are null, never missing; times are ISO 8601 UTC; durations are seconds; a day's `date`
 * is its local date in the report's `timeZone`.
 */
export type WeeklyReportJson = WeeklyReport;
export type {
  AgeBucket,
  DayFigures,
  DeadlineSummary,
  FailedReplacement,
  Finding,
  FindingKind,
  FleetReport,
  GroupReport,
  GroupStatus,
  RecoveryStats,
  TaintedResponse,
  TrendWeek,
  WeekChange,
  WeekFigures,
  WithinMaxAge,
} from '../core/report/schema.js';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Keys sorted so that two equal reports are equal bytes (diffable in S3), the version first so readers see it at once. */
function canonical(value: unknown): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a === 'schemaVersion' ? -1 : b === 'schemaVersion' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const sorted: Record<string, Json> = {};
    for (const key of keys) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item !== undefined) sorted[key] = canonical(item);
    }
    return sorted;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  throw new TypeError(`report JSON: cannot encode a ${typeof value}`);
}

export function renderJson(report: WeeklyReport): string {
  return `${JSON.stringify(canonical(report), null, 2)}\n`;
}

/** Reads a report written by renderJson; refuses another schema version instead of misreading it. */
export function parseReportJson(text: string): WeeklyReportJson {
  const parsed: unknown = JSON.parse(text);
  const version = parsed !== null && typeof parsed === 'object' ? (parsed as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version !== REPORT_SCHEMA_VERSION) throw new TypeError(`report JSON: schemaVersion ${JSON.stringify(version)}: expected ${REPORT_SCHEMA_VERSION}`);
  return parsed as WeeklyReportJson;
}
