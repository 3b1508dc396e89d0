import type { ReasonCounts } from '../../core/report/schema.js';
import { REPORT_REASONS } from '../../core/report/schema.js';
import { dayMonth, REASON_LABELS, weekday } from '../format.js';

// Plain text the charts and the tables both write, so they write it the same way.

export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function longDay(date: string): string {
  return `${weekday(date)} ${dayMonth(date)}`;
}

export function byReasonParts(counts: ReasonCounts): string[] {
  return REPORT_REASONS.filter((reason) => counts[reason] > 0).map((reason) => `${counts[reason]} ${REASON_LABELS[reason]}`);
}
