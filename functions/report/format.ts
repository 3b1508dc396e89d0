import { formatDuration } from '../core/policy/duration.js';
import type { GroupReport, REPORT_REASONS, WeeklyReport, WithinMaxAge } from '../core/report/schema.js';

/** How the renderers write figures, so Markdown and HTML say the same thing the same way. */
export const REASON_LABELS: Readonly<Record<(typeof REPORT_REASONS)[number], string>> = {
  'max-age': 'max-age',
  chaos: 'chaos',
  tainted: 'tainted',
  'stale-config': 'stale config',
  requested: 'requested',
};

/**
 * Data as one line of text that reads in the order it was written: line breaks, other control
 * characters and bidirectional overrides become spaces. Both renderers apply it to every data value
 * before their own escaping, so a tag value can neither start a line of its own nor reorder what is shown.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, ' ');
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function signed(delta: number): string {
  return delta > 0 ? `+${delta}` : delta < 0 ? `−${Math.abs(delta)}` : '±0';
}

/** Recovery times are minutes long: seconds matter under an hour, beyond that the compact d/h/m form. */
export function seconds(value: number | null): string {
  if (value === null) return '–';
  if (value < 60) return `${value}s`;
  if (value < 3600) return value % 60 === 0 ? `${value / 60}m` : `${Math.floor(value / 60)}m ${value % 60}s`;
  return formatDuration(value * 1000);
}

export function signedSeconds(delta: number): string {
  return delta === 0 ? '±0s' : `${delta > 0 ? '+' : '−'}${seconds(Math.abs(delta))}`;
}

/** Two decimals, except that a share short of 100% never shows as 100.00%: that reads as nothing late at all. */
export function percent(value: number | null): string {
  if (value === null) return '–';
  return value < 100 && value >= 99.995 ? '99.99%' : `${value.toFixed(2)}%`;
}

/** The two commonest skip reasons as `reason count`; no-candidate is the normal state of a healthy group between replacements and would crowd out the telling ones. */
export function topSkipTexts(group: GroupReport): string[] {
  return Object.entries(group.skips)
    .filter(([reason]) => reason !== 'no-candidate')
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .slice(0, 2)
    .map(([reason, count]) => `${reason} ${count ?? 0}`);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `Mon` for the local date `2026-11-16` of a report day (the date's own weekday, whatever the zone). */
export function weekday(date: string): string {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? date;
}

/** `16 Nov` for the local date `2026-11-16`. */
export function dayMonth(date: string): string {
  const [, month = '', day = ''] = date.split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? month}`;
}

/** No tick recorded the week before: a change against it would count the first week's work as growth. */
export function firstWeek(report: WeeklyReport): boolean {
  return report.recyclerTicks !== null && report.recyclerTicks.previousWeek === 0;
}

export const FIRST_WEEK = 'first week';

/** What the header's counts leave out. */
export function leftOutText(report: WeeklyReport): string {
  const { disabledGroups, disabledInstances } = report.fleet.leftOut;
  const disabled = disabledGroups === 0 ? '' : `${plural(disabledGroups, 'disabled group')} (${plural(disabledInstances, 'instance')}) and `;
  return `not counted: ${disabled}groups without phoenix:enabled`;
}

/**
 * When every share shown is an estimate, the column says so once; a row says it only when it differs from
 * the others, so `est.` marks the exception instead of every line.
 */
export function estimatesEverywhere(groups: readonly GroupReport[]): boolean {
  const shown = groups.filter((group) => group.withinMaxAge.pct !== null);
  return shown.length > 0 && shown.every((group) => !group.withinMaxAge.measured);
}

export function withinCell(within: WithinMaxAge, marker: string, allEstimated: boolean): string {
  if (within.pct === null) return '–';
  return `${percent(within.pct)}${within.measured || allEstimated ? '' : marker}`;
}

/** Why a share is missing: no group with a max-age, or no instance in the groups that have one. */
export function noShareText(within: WithinMaxAge, population: string): string {
  return within.groupsWithMaxAge === 0
    ? `no ${population} group has a max-age`
    : `no instance-hours this week in the ${plural(within.groupsWithMaxAge, `${population} group`)} with a max-age`;
}

export function groupUrl(report: WeeklyReport, name: string): string | null {
  return report.groups.find((group) => group.group === name)?.url ?? null;
}
