import { formatDuration } from '../core/duration.js';
import type { DayFigures, GroupReport, OldestInstance, RecoveryStats, TaintedResponse, WeeklyReport } from '../core/report.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../core/report.js';
import { percent, plural, REASON_LABELS, seconds, signed, signedSeconds, topSkipTexts, weekday } from './format.js';

function recovery(stats: RecoveryStats): string {
  return stats.verified === 0 ? '–' : `${seconds(stats.p50Seconds)} / ${seconds(stats.p95Seconds)} / ${seconds(stats.maxSeconds)}`;
}

function oldestText(oldest: OldestInstance | null, withGroup: boolean): string {
  if (oldest === null) return '–';
  const age = formatDuration(oldest.ageSeconds * 1000);
  return withGroup ? `${age} (${oldest.instanceId} in ${oldest.group})` : `${age} (${oldest.instanceId})`;
}

/** Markdown tables break on a pipe or a newline inside a cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function byReason(counts: Readonly<Record<string, number>>): string {
  const parts = REPORT_REASONS.filter((reason) => (counts[reason] ?? 0) > 0).map((reason) => `${counts[reason]} ${REASON_LABELS[reason]}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** One short line: the recycled count of each day, and the failures on the days that had any. */
function perDay(days: readonly DayFigures[], timeZone: string): string {
  const failures = days.filter((day) => day.failures > 0).map((day) => `${weekday(day.date)} ${day.failures}`);
  const failed = failures.length === 0 ? '' : `; failures ${failures.join(' · ')}`;
  return `Recycled per day (${timeZone}): ${days.map((day) => `${weekday(day.date)} ${day.recycledTotal}`).join(' · ')}${failed}`;
}

function touchToReplacement(response: TaintedResponse): string {
  return `- **Tainted, touch to replacement:** p50 ${seconds(response.p50Seconds)}, max ${seconds(response.maxSeconds)} (${plural(response.count, 'instance')})`;
}

function groupRow(group: GroupReport): string {
  const recycled = group.recycledTotal === 0 ? '0' : `${group.recycledTotal}${byReason(group.recycled)}`;
  const would = group.wouldRecycleTotal === 0 ? '–' : String(group.wouldRecycleTotal);
  const note = group.quarantine !== null ? `quarantined: ${group.quarantine}` : (group.idleReason ?? '');
  const within = group.withinMaxAge.pct === null ? '–' : `${percent(group.withinMaxAge.pct)}${group.withinMaxAge.measured ? '' : ' (est.)'}`;
  const cells = [
    group.group,
    group.status,
    String(group.instances),
    recycled,
    signed(group.change.recycled),
    would,
    recovery(group.recovery),
    String(group.failures),
    within,
    oldestText(group.oldest, false),
    topSkipTexts(group).join(', ') || '–',
    note,
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

function headline(report: WeeklyReport): string[] {
  const { fleet } = report;
  const week = report.week ?? `${report.weekStart.slice(0, 10)} to ${report.weekEnd.slice(0, 10)}`;
  const lines = [`# Phoenix weekly recycle report: ${week}`, '', `${report.weekStart} to ${report.weekEnd} · ${plural(fleet.groups, 'group')} · ${plural(fleet.instances, 'instance')}`, ''];
  const within = fleet.withinMaxAge.pct === null ? 'no group has a max-age' : `${percent(fleet.withinMaxAge.pct)} of instance-hours within max-age${fleet.withinMaxAge.measured ? '' : ' (estimated from current ages)'}`;
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
  else lines.push(...report.needsAttention.map((finding) => `- **${finding.group}**: ${finding.text}`));
  if (report.failedReplacements.length > 0) {
    lines.push('', '## Failed replacements', '');
    for (const failed of report.failedReplacements) {
      lines.push(`- ${failed.startedAt} **${failed.group}** ${failed.instanceId} (${failed.reason})${failed.detail === null ? '' : `: ${failed.detail}`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
