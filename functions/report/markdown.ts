import { formatDuration } from '../core/policy/duration.js';
import type { DayFigures, GroupReport, OldestInstance, RecoveryStats, TaintedResponse, WeeklyReport } from '../core/report/schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../core/report/schema.js';
import { oneLine, percent, plural, REASON_LABELS, seconds, signed, signedSeconds, topSkipTexts, weekday } from './format.js';

/**
 * Text from AWS or the ledger (group names, tag values, reasons, ids) as inline Markdown that reads
 * as itself: kept on one line, so it cannot start a heading, list item or table row, and every
 * character that could open a link, emphasis, code span, HTML tag, entity or table cell
 * backslash-escaped. Every data value goes through here, and only once.
 */
export function escapeMarkdown(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|#~&]/g, '\\$&');
}

const md = escapeMarkdown;

function recovery(stats: RecoveryStats): string {
  return stats.verified === 0 ? '–' : `${seconds(stats.p50Seconds)} / ${seconds(stats.p95Seconds)} / ${seconds(stats.maxSeconds)}`;
}

function oldestText(oldest: OldestInstance | null, withGroup: boolean): string {
  if (oldest === null) return '–';
  const age = formatDuration(oldest.ageSeconds * 1000);
  return withGroup ? `${age} (${md(oldest.instanceId)} in ${md(oldest.group)})` : `${age} (${md(oldest.instanceId)})`;
}

function byReason(counts: Readonly<Record<string, number>>): string {
  const parts = REPORT_REASONS.filter((reason) => (counts[reason] ?? 0) > 0).map((reason) => `${counts[reason]} ${REASON_LABELS[reason]}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** One short line: the recycled count of each day, and the failures on the days that had any. */
function perDay(days: readonly DayFigures[], timeZone: string): string {
  const failures = days.filter((day) => day.failures > 0).map((day) => `${md(weekday(day.date))} ${day.failures}`);
  const failed = failures.length === 0 ? '' : `; failures ${failures.join(' · ')}`;
  return `Recycled per day (${md(timeZone)}): ${days.map((day) => `${md(weekday(day.date))} ${day.recycledTotal}`).join(' · ')}${failed}`;
}

function touchToReplacement(response: TaintedResponse): string {
  return `- **Tainted, touch to replacement:** p50 ${seconds(response.p50Seconds)}, max ${seconds(response.maxSeconds)} (${plural(response.count, 'instance')})`;
}

function groupRow(group: GroupReport): string {
  const recycled = group.recycledTotal === 0 ? '0' : `${group.recycledTotal}${byReason(group.recycled)}`;
  const would = group.wouldRecycleTotal === 0 ? '–' : String(group.wouldRecycleTotal);
  const note = group.quarantine !== null ? `quarantined: ${md(group.quarantine)}` : md(group.idleReason ?? '');
  const within = group.withinMaxAge.pct === null ? '–' : `${percent(group.withinMaxAge.pct)}${group.withinMaxAge.measured ? '' : ' (est.)'}`;
  const cells = [
    md(group.group),
    md(group.status),
    String(group.instances),
    recycled,
    signed(group.change.recycled),
    would,
    recovery(group.recovery),
    String(group.failures),
    within,
    oldestText(group.oldest, false),
    topSkipTexts(group).map(md).join(', ') || '–',
    note,
  ];
  return `| ${cells.join(' | ')} |`;
}

function headline(report: WeeklyReport): string[] {
  const { fleet } = report;
  const week = md(report.week ?? `${report.weekStart.slice(0, 10)} to ${report.weekEnd.slice(0, 10)}`);
  const lines = [
    `# Phoenix weekly recycle report: ${week}`,
    '',
    `${md(report.weekStart)} to ${md(report.weekEnd)} · ${plural(fleet.groups, 'group')} · ${plural(fleet.instances, 'instance')}`,
    '',
  ];
  const within =
    fleet.withinMaxAge.pct === null
      ? 'no group has a max-age'
      : `${percent(fleet.withinMaxAge.pct)} of instance-hours within max-age${fleet.withinMaxAge.measured ? '' : ' (estimated from current ages)'}`;
  const p95Change = fleet.change.p95Seconds === null ? '' : `; p95 ${signedSeconds(fleet.change.p95Seconds)} vs last week`;
  lines.push(
    `- **Recycled:** ${fleet.recycledTotal}${byReason(fleet.recycled)}; last week ${fleet.previousWeek.recycled} (${signed(fleet.change.recycled)})`,
    `- **Failures:** ${fleet.failures} (${signed(fleet.change.failures)} vs last week) · **Quarantined now:** ${fleet.quarantines.length}`,
    `- **Recovery:** ${fleet.recovery.verified === 0 ? 'none verified' : `p50 ${seconds(fleet.recovery.p50Seconds)}, p95 ${seconds(fleet.recovery.p95Seconds)}, max ${seconds(fleet.recovery.maxSeconds)} (${fleet.recovery.verified} verified)${p95Change}`}`,
    `- **Age:** ${within}; oldest instance ${oldestText(fleet.oldest, true)}`,
  );
  if (fleet.taintedResponse.count > 0) lines.push(touchToReplacement(fleet.taintedResponse));
  if (fleet.wouldRecycleTotal > 0) lines.push(`- **Dry run:** would have recycled ${fleet.wouldRecycleTotal}${byReason(fleet.wouldRecycle)}`);
  if (report.needsAttention.length > 0) lines.push(`- **Needs attention:** ${plural(report.needsAttention.length, 'item')}, listed below`);
  lines.push('', perDay(fleet.daily, report.timeZone), '', `Ages now: ${AGE_BUCKETS.map((bucket) => `${bucket} ${fleet.ageHistogram[bucket]}`).join(' · ')}`);
  return lines;
}

/** The weekly report as Markdown for email (SNS) and terminals: headline first, then groups, then what needs a person. */
export function renderMarkdown(report: WeeklyReport): string {
  const lines = headline(report);
  lines.push('', '## Groups', '');
  if (report.groups.length === 0) {
    lines.push('No opted-in groups.');
  } else {
    lines.push(
      '| group | mode | instances | recycled | vs last week | would recycle | recovery p50 / p95 / max | failures | within max-age | oldest | skipped ticks (top reasons) | note |',
      '| --- | --- | ---: | --- | ---: | ---: | --- | ---: | ---: | --- | --- | --- |',
      ...report.groups.map(groupRow),
    );
  }
  lines.push('', '## Needs attention', '');
  if (report.needsAttention.length === 0) lines.push('Nothing.');
  else lines.push(...report.needsAttention.map((finding) => `- **${md(finding.group)}**: ${md(finding.text)}`));
  if (report.failedReplacements.length > 0) {
    lines.push('', '## Failed replacements', '');
    for (const failed of report.failedReplacements) {
      lines.push(
        `- ${md(failed.startedAt)} **${md(failed.group)}** ${md(failed.instanceId)} (${md(failed.reason)})${failed.detail === null ? '' : `: ${md(failed.detail)}`}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
