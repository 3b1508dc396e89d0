import type { TrendWeek, WeeklyReport } from '../core/report/schema.js';
import { REPORT_REASONS } from '../core/report/schema.js';
import { percent, plural, REASON_LABELS } from './format.js';

/** How the trend's texts read, so Markdown and HTML say the same thing. */
export const TREND_HEADING = 'Trend, last 8 weeks';

/** What the share and age debt columns are computed from: the report week's is its own, the others an estimate. */
export const TREND_NOTE =
  "Within max-age and age debt cover the live groups at today's max-age. This week's share is the report's own; " +
  "earlier weeks' (est.) are estimated from the instances alive now and those Phoenix replaced, so instances scaled " +
  'in or removed by hand are missing from them. A week without recorded ticks was not watched: its zeros mean nothing.';

/** `2 (1 max-age, 1 chaos)`, or `0`. */
export function trendRecycled(week: TrendWeek): string {
  const parts = REPORT_REASONS.filter((reason) => week.recycled[reason] > 0).map((reason) => `${week.recycled[reason]} ${REASON_LABELS[reason]}`);
  return parts.length === 0 ? String(week.recycledTotal) : `${week.recycledTotal} (${parts.join(', ')})`;
}

export function trendWeekLabel(week: TrendWeek): string {
  return `${week.week}${week.partial ? ' (partial)' : ''}`;
}

export function trendWithin(week: TrendWeek): string {
  if (week.withinMaxAge.pct === null) return '–';
  return `${percent(week.withinMaxAge.pct)}${week.withinMaxAge.measured ? '' : ' (est.)'}`;
}

export function trendDebt(week: TrendWeek): string {
  return week.withinMaxAge.totalHours === 0 ? '–' : `${week.ageDebtHours} h`;
}

export function trendTicks(week: TrendWeek): string {
  return week.ticks === 0 ? '0 (not running)' : String(week.ticks);
}

/**
 * The fleet's predicted age debt as a needs-attention line, after an `age debt` label; null when nothing was predicted or the fleet keeps up
 * everywhere (no infeasible group, no debt).
 */
export function deadlineAttention(report: WeeklyReport): string | null {
  const { deadlines } = report;
  if (deadlines === null || (deadlines.infeasibleGroups === 0 && deadlines.ageDebtHours14d === 0)) return null;
  return (
    `${deadlines.ageDebtHours14d} instance-hours past max-age predicted over the next 14 days; ` +
    `${deadlines.infeasibleGroups} of ${plural(deadlines.groupsJudged, 'group')} with max-age will breach`
  );
}

/** Items under needs attention: the fleet's findings, its age debt line, and every group's. */
export function attentionCount(report: WeeklyReport): number {
  return report.fleetFindings.length + (deadlineAttention(report) === null ? 0 : 1) + report.needsAttention.length;
}
