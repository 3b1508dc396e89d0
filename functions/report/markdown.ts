import { formatDuration } from '../core/policy/duration.js';
import type {
  DayFigures,
  FleetReport,
  GroupReport,
  OldestInstance,
  OwnerSection,
  RecoveryStats,
  TaintedResponse,
  WeeklyReport,
  WithinMaxAge,
} from '../core/report/schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from '../core/report/schema.js';
import {
  estimatesEverywhere,
  FIRST_WEEK,
  firstWeek,
  groupUrl,
  leftOutText,
  noShareText,
  oneLine,
  percent,
  plural,
  REASON_LABELS,
  seconds,
  signed,
  signedSeconds,
  topSkipTexts,
  weekday,
  withinCell,
} from './format.js';
import {
  attentionCount,
  deadlineAttention,
  TREND_HEADING,
  TREND_NOTE,
  trendDebt,
  trendRecycled,
  trendTicks,
  trendWeekLabel,
  trendWithin,
} from './trend-text.js';

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

/** Console URLs are built with every reserved character percent-encoded, so they can stand in a link as they are. */
function link(text: string, url: string | null): string {
  return url === null ? md(text) : `[${md(text)}](${url})`;
}

function recovery(stats: RecoveryStats): string {
  return stats.verified === 0 ? '–' : `${seconds(stats.p50Seconds)} / ${seconds(stats.p95Seconds)} / ${seconds(stats.maxSeconds)}`;
}

function oldestText(oldest: OldestInstance | null, withGroup: boolean): string {
  if (oldest === null) return '–';
  const age = formatDuration(oldest.ageSeconds * 1000);
  const instance = link(oldest.instanceId, oldest.url);
  return withGroup ? `${age} (${instance} in ${md(oldest.group)})` : `${age} (${instance})`;
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

interface RowStyle {
  readonly first: boolean;
  readonly allEstimated: boolean;
}

function groupRow(group: GroupReport, style: RowStyle): string {
  const recycled = group.recycledTotal === 0 ? '0' : `${group.recycledTotal}${byReason(group.recycled)}`;
  const would = group.wouldRecycleTotal === 0 ? '–' : String(group.wouldRecycleTotal);
  const note = group.quarantine !== null ? `quarantined: ${md(group.quarantine)}` : md(group.idleReason ?? '');
  const within = withinCell(group.withinMaxAge, ' (est.)', style.allEstimated);
  const cells = [
    link(group.group, group.url),
    md(group.status),
    String(group.instances),
    recycled,
    style.first ? '–' : signed(group.change.recycled),
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

function withinText(within: WithinMaxAge, population: string): string {
  if (within.pct === null) return noShareText(within, population);
  return `${percent(within.pct)} of instance-hours within max-age${within.measured ? '' : ' (estimated)'}`;
}

function dryRunLine(fleet: FleetReport): string {
  const { dryRun } = fleet;
  const would = `would have recycled ${fleet.wouldRecycleTotal}${byReason(fleet.wouldRecycle)}`;
  return `- **Dry run** (${plural(dryRun.groups, 'group')}, ${plural(dryRun.instances, 'instance')}): ${would}; ${withinText(dryRun.withinMaxAge, 'dry-run')}; oldest instance ${oldestText(dryRun.oldest, true)}`;
}

function headline(report: WeeklyReport): string[] {
  const { fleet } = report;
  const first = firstWeek(report);
  const week = md(report.week ?? `${report.weekStart.slice(0, 10)} to ${report.weekEnd.slice(0, 10)}`);
  const lines = [
    `# Phoenix weekly recycle report: ${week}${report.partial ? ' (partial)' : ''}`,
    '',
    `${md(report.weekStart)} to ${md(report.weekEnd)} · ${plural(fleet.groups, 'group')} · ${plural(fleet.instances, 'instance')} (${leftOutText(report)})`,
    '',
  ];
  if (report.partial) lines.push(`**Partial week:** the week has not ended; figures run to ${md(report.generatedAt)}.`, '');
  const p95Change = fleet.change.p95Seconds === null ? '' : `; p95 ${signedSeconds(fleet.change.p95Seconds)} vs last week`;
  const lastWeek = first ? `${FIRST_WEEK}, no run the week before` : `last week ${fleet.previousWeek.recycled} (${signed(fleet.change.recycled)})`;
  const attentionItems = attentionCount(report);
  lines.push(
    `- **Recycled:** ${fleet.recycledTotal}${byReason(fleet.recycled)}; ${lastWeek}`,
    `- **Failures:** ${fleet.failures} (${first ? FIRST_WEEK : `${signed(fleet.change.failures)} vs last week`}) · **Quarantined now:** ${fleet.quarantines.length}`,
    `- **Recovery:** ${fleet.recovery.verified === 0 ? 'none verified' : `p50 ${seconds(fleet.recovery.p50Seconds)}, p95 ${seconds(fleet.recovery.p95Seconds)}, max ${seconds(fleet.recovery.maxSeconds)} (${fleet.recovery.verified} verified)${p95Change}`}`,
    `- **Age of live groups:** ${withinText(fleet.withinMaxAge, 'live')}; oldest instance ${oldestText(fleet.oldest, true)}`,
  );
  if (fleet.taintedResponse.count > 0) lines.push(touchToReplacement(fleet.taintedResponse));
  if (fleet.dryRun.groups > 0 || fleet.wouldRecycleTotal > 0) lines.push(dryRunLine(fleet));
  if (attentionItems > 0) lines.push(`- **Needs attention:** ${plural(attentionItems, 'item')}, listed below`);
  lines.push(
    '',
    perDay(fleet.daily, report.timeZone),
    '',
    `Ages now, live groups: ${AGE_BUCKETS.map((bucket) => `${bucket} ${fleet.ageHistogram[bucket]}`).join(' · ')}`,
  );
  return lines;
}

function trendLines(report: WeeklyReport): string[] {
  if (report.trend === null) return [];
  return [
    '',
    `## ${TREND_HEADING}`,
    '',
    '| week | recycled | failed recoveries | within max-age | age debt | recycler ticks |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...report.trend.map(
      (week) =>
        `| ${md(trendWeekLabel(week))} | ${md(trendRecycled(week))} | ${week.failures} | ${md(trendWithin(week))} | ${md(trendDebt(week))} | ${md(trendTicks(week))} |`,
    ),
    '',
    md(TREND_NOTE),
  ];
}

/** The weekly report as Markdown for email (SNS) and terminals: headline first, then groups, then what needs a person. */
const NO_OWNER = '(no owner tag)';

/** One owner's line: its figures, what needs a person first. */
export function ownerLine(section: OwnerSection): string {
  const figures = [`${section.groups.length} group${section.groups.length === 1 ? '' : 's'}`, `${section.recycled} recycled`];
  if (section.failures > 0) figures.push(`${section.failures} failed`);
  if (section.quarantined > 0) figures.push(`${section.quarantined} quarantined`);
  if (section.overdue > 0) figures.push(`${section.overdue} past max-age`);
  if (section.findings > 0) figures.push(`${section.findings} to look at`);
  return `- **${md(section.owner ?? NO_OWNER)}**: ${figures.join(', ')} (${section.groups.map(md).join(', ')})`;
}

/** What one owner's message says: their line, then their findings. */
export function renderOwnerMarkdown(report: WeeklyReport, section: OwnerSection): string {
  const findings = report.needsAttention.filter((finding) => section.groups.includes(finding.group));
  const lines = [`# Phoenix weekly report ${md(report.week ?? report.weekStart)}: ${md(section.owner ?? NO_OWNER)}`, '', ownerLine(section)];
  if (findings.length > 0) lines.push('', '## Needs attention', '', ...findings.map((finding) => `- **${md(finding.group)}**: ${md(finding.text)}`));
  return `${lines.join('\n')}\n`;
}

export function renderMarkdown(report: WeeklyReport): string {
  const lines = [...headline(report), ...trendLines(report)];
  lines.push('', '## Groups', '');
  if (report.groups.length === 0) {
    lines.push('No opted-in groups.');
  } else {
    const style = { first: firstWeek(report), allEstimated: estimatesEverywhere(report.groups) };
    lines.push(
      `| group | mode | instances | recycled | vs last week${style.first ? ` (${FIRST_WEEK})` : ''} | would recycle | recovery p50 / p95 / max | failures | within max-age${style.allEstimated ? ' (est.)' : ''} | oldest | skipped ticks (top reasons) | note |`,
      '| --- | --- | ---: | --- | ---: | ---: | --- | ---: | ---: | --- | --- | --- |',
      ...report.groups.map((group) => groupRow(group, style)),
    );
  }
  if (report.owners.length > 0) lines.push('', '## By owner', '', ...report.owners.map(ownerLine));
  lines.push('', '## Needs attention', '');
  if (attentionCount(report) === 0) lines.push('Nothing.');
  lines.push(...report.fleetFindings.map((finding) => `- **Whole fleet**: ${md(finding.text)}`));
  const debt = deadlineAttention(report);
  if (debt !== null) lines.push(`- **Whole fleet**: age debt ${md(debt)}`);
  lines.push(...report.needsAttention.map((finding) => `- **${link(finding.group, groupUrl(report, finding.group))}**: ${md(finding.text)}`));
  if (report.snoozes.length > 0) {
    lines.push('', '## Snoozes', '');
    for (const snooze of report.snoozes) {
      lines.push(
        `- **${md(snooze.group)}** from ${md(snooze.seenAt)} until ${md(snooze.until)} (${formatDuration(snooze.lengthSeconds * 1000)}, ${snooze.by === null || snooze.setAt === null ? 'set by unknown: CloudTrail did not tell' : `set by ${md(snooze.by)} at ${md(snooze.setAt)}`})`,
      );
    }
  }
  if (report.requests.length > 0) {
    lines.push('', '## Recycle requests', '');
    for (const request of report.requests) {
      lines.push(
        `- **${md(request.group)}** ${md(request.instanceId)}: taken up ${md(request.startedAt)}, ${request.servedAt === null ? `not served (${md(request.outcome)})` : `served ${md(request.servedAt)}`}`,
      );
    }
  }
  if (report.failedReplacements.length > 0) {
    lines.push('', '## Failed replacements', '');
    for (const failed of report.failedReplacements) {
      lines.push(
        `- ${md(failed.startedAt)} **${link(failed.group, groupUrl(report, failed.group))}** ${link(failed.instanceId, failed.url)} (${md(failed.reason)})${failed.detail === null ? '' : `: ${md(failed.detail)}`}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
