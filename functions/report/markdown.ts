import { formatDuration } from '../core/duration.js';
import type { GroupReport, OldestInstance, RecoveryStats, WeeklyReport } from '../core/report.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../core/report.js';

const REASON_LABELS: Readonly<Record<(typeof REPORT_REASONS)[number], string>> = {
  'max-age': 'max-age',
  chaos: 'chaos',
  tainted: 'tainted',
  'stale-config': 'stale config',
};

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function signed(delta: number): string {
  return delta > 0 ? `+${delta}` : delta < 0 ? `−${Math.abs(delta)}` : '±0';
}

/** Recovery times are minutes long: seconds matter under an hour, beyond that the compact d/h/m form. */
function seconds(value: number | null): string {
  if (value === null) return '–';
  if (value < 60) return `${value}s`;
  if (value < 3600) return value % 60 === 0 ? `${value / 60}m` : `${Math.floor(value / 60)}m ${value % 60}s`;
  return formatDuration(value * 1000);
}

function signedSeconds(delta: number): string {
  return delta === 0 ? '±0s' : `${delta > 0 ? '+' : '−'}${seconds(Math.abs(delta))}`;
}

function percent(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}%`;
}

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

/** no-candidate is the normal state of a healthy group between replacements: it would crowd out the telling reasons. */
function topSkips(group: GroupReport): string {
  const entries = Object.entries(group.skips)
    .filter(([reason]) => reason !== 'no-candidate')
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  return entries.length === 0 ? '–' : entries.slice(0, 2).map(([reason, count]) => `${reason} ${count ?? 0}`).join(', ');
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
    topSkips(group),
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
  if (fleet.wouldRecycleTotal > 0) lines.push(`- **Dry run:** would have recycled ${fleet.wouldRecycleTotal}${byReason(fleet.wouldRecycle)}`);
  if (report.needsAttention.length > 0) lines.push(`- **Needs attention:** ${plural(report.needsAttention.length, 'item')}, listed below`);
  lines.push('', `Ages now: ${AGE_BUCKETS.map((bucket) => `${bucket} ${fleet.ageHistogram[bucket]}`).join(' · ')}`);
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
