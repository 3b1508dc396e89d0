import { formatDuration } from '../core/policy/duration.js';
import type { GroupReport, REPORT_REASONS } from '../core/report/schema.js';

/** How the renderers write figures, so Markdown and HTML say the same thing the same way. */
export const REASON_LABELS: Readonly<Record<(typeof REPORT_REASONS)[number], string>> = {
  'max-age': 'max-age',
  chaos: 'chaos',
  tainted: 'tainted',
  'stale-config': 'stale config',
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

export function percent(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}%`;
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
