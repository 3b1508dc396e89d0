import type { GroupSummary, SimulationResult } from '../../sim/summary.js';
import { percentile } from '../../sim/summary.js';
import type { SkipReason } from '../core/decide/decision.js';
import { RECYCLE_REASONS } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function topSkips(skips: Partial<Record<SkipReason, number>>, limit: number): string {
  const entries = Object.entries(skips).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  return entries.length === 0
    ? '-'
    : entries
        .slice(0, limit)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ');
}

function recycledText(group: GroupSummary): string {
  const parts = RECYCLE_REASONS.filter((reason) => group.recycled[reason] > 0).map((reason) => `${reason} ${group.recycled[reason]}`);
  if (group.wouldRecycle > 0) parts.push(`would ${group.wouldRecycle}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

function hours(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 48 ? `${(value / 24).toFixed(1)}d` : `${value.toFixed(1)}h`;
}

function seconds(values: readonly number[]): string {
  if (values.length === 0) return '-';
  return `${Math.round(percentile(values, 0.5) / 60)}m / ${Math.round(percentile(values, 1) / 60)}m`;
}

/** The readable week: totals, the safety counters, then one row per group. */
export function formatSimulation(result: SimulationResult): string {
  const { summary } = result;
  const recycled = RECYCLE_REASONS.map((reason) => `${reason} ${summary.terminations[reason]}`).join(', ');
  const violations = Object.entries(summary.violations)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const totalViolations = Object.values(summary.violations).reduce((sum: number, count: number) => sum + count, 0);
  // Groups without phoenix:enabled are part of the fleet but never Phoenix's: say so, or they vanish from the table.
  const notOptedIn = summary.groups - result.groups.length;
  const maxAges = new Map(result.groupsAtEnd.map((group) => [group.name, group.tags[TAG.maxAge]]));
  const lines = [
    `Phoenix simulation: scenario ${summary.scenario}, seed ${summary.seed}, ${summary.days} days, ${summary.groups} groups, ${summary.instances} instances, ${summary.ticks} ticks`,
    `${result.groups.length} groups carry phoenix:enabled and are listed below${notOptedIn === 0 ? '' : `; ${notOptedIn} do not (not opted in) and are left alone`}`,
    '',
    `Recycled:      ${recycled}`,
    `Recoveries:    ${summary.recoveries.verified} verified, ${summary.recoveries.failed} failed; replacement time p50 ${Math.round(summary.recoveries.p50Seconds / 60)}m, p95 ${Math.round(summary.recoveries.p95Seconds / 60)}m, max ${Math.round(summary.recoveries.maxSeconds / 60)}m`,
    `Quarantined:   ${summary.quarantined.length === 0 ? 'none' : summary.quarantined.join(', ')}`,
    `Within max-age (+1 tick): ${summary.withinMaxAgePct}% of instance-hours; oldest instance of a live group now ${hours(summary.oldestInstanceHours)}`,
    `Age debt:      ${summary.ageDebtHours} instance-hours in service past max-age; ${summary.infeasibleGroups.length === 0 ? 'no group fell behind' : `fell behind: ${summary.infeasibleGroups.join(', ')}`}`,
    `Skips:         ${topSkips(summary.skips, 8)} (group-ticks: each group counts once per tick it was left alone)`,
    `Violations:    ${totalViolations === 0 ? 'none' : totalViolations} (${violations}); terminations after quarantine ${summary.terminationsAfterQuarantine}`,
    `Failures:      ${summary.failedActions} actions and ${summary.failedTicks} ticks failed (reported, retried next tick)`,
    '',
    table(
      ['group', 'mode', 'recycled', 'replacement p50 / max', 'max-age', 'oldest now', 'skips (top 2)'],
      result.groups.map((group) => [
        group.quarantined ? `${group.group} [QUARANTINED]` : group.group,
        group.mode,
        recycledText(group),
        seconds(group.recoverySeconds),
        maxAges.get(group.group) ?? '-',
        hours(group.oldestInstanceHours),
        topSkips(group.skips, 2),
      ]),
    ),
  ];
  return lines.join('\n');
}
