import type { SkipReason } from '../decide/decision.js';
import { SKIP_REASONS } from '../decide/decision.js';
import type { RecycleReason, ReplacementRecord } from '../model.js';
import { withinMaxAge, zeroHistogram } from './ages.js';
import type { WeekContext } from './group.js';
import { orderedSkips } from './group.js';
import { sum } from './numbers.js';
import type { DryRunAges, FleetReport, GroupReport, LeftOut, OldestInstance, ReasonCounts, WithinMaxAge } from './schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from './schema.js';
import { change, dailyFigures, recoveryStats, taintedResponse, tallyPeriod, weekFigures, zeroReasons } from './tally.js';

function addReasons(into: Record<RecycleReason, number>, counts: ReasonCounts): void {
  for (const reason of REPORT_REASONS) into[reason] += counts[reason];
}

function older(a: OldestInstance | null, b: OldestInstance | null): OldestInstance | null {
  return b !== null && (a === null || b.ageSeconds > a.ageSeconds) ? b : a;
}

/** The groups' shares added up by hours, never averaged; measured only if every part was. */
function combinedWithin(groups: readonly GroupReport[]): WithinMaxAge {
  const counted = groups.filter((group) => group.withinMaxAge.totalHours > 0);
  return withinMaxAge(
    sum(counted.map((group) => group.withinMaxAge.withinHours)),
    sum(counted.map((group) => group.withinMaxAge.totalHours)),
    counted.length > 0 && counted.every((group) => group.withinMaxAge.measured),
    sum(groups.map((group) => group.withinMaxAge.groupsWithMaxAge)),
  );
}

function dryRunAges(groups: readonly GroupReport[]): DryRunAges {
  const dryRun = groups.filter((group) => group.status === 'dry-run');
  return {
    groups: dryRun.length,
    instances: sum(dryRun.map((group) => group.instances)),
    withinMaxAge: combinedWithin(dryRun),
    oldest: dryRun.reduce<OldestInstance | null>((oldest, group) => older(oldest, group.oldest), null),
  };
}

/**
 * Fleet figures add the groups' up; percentiles are recomputed from every sample, never averaged. The ages (within
 * max-age, histogram, oldest) are the live groups': what Phoenix answers for; the dry-run groups' are given apart.
 */
export function fleetReport(groups: readonly GroupReport[], records: readonly ReplacementRecord[], context: WeekContext, leftOut: LeftOut): FleetReport {
  const reported = new Set(groups.map((group) => group.group));
  const own = records.filter((record) => reported.has(record.group));
  const current = tallyPeriod(own, context.weekStart, context.weekEnd);
  const thisWeek = weekFigures(current);
  const previousWeek = weekFigures(tallyPeriod(own, context.previousStart, context.weekStart));

  const recycled = zeroReasons();
  const wouldRecycle = zeroReasons();
  const histogram = zeroHistogram();
  const skips = new Map<SkipReason, number>();
  let oldest: OldestInstance | null = null;
  for (const group of groups) {
    addReasons(recycled, group.recycled);
    addReasons(wouldRecycle, group.wouldRecycle);
    for (const reason of SKIP_REASONS) skips.set(reason, (skips.get(reason) ?? 0) + (group.skips[reason] ?? 0));
    if (group.status !== 'live') continue;
    for (const bucket of AGE_BUCKETS) histogram[bucket] += group.ageHistogram[bucket];
    oldest = older(oldest, group.oldest);
  }
  return {
    groups: groups.length,
    instances: sum(groups.map((group) => group.instances)),
    quarantines: groups.flatMap((group) => (group.quarantine === null ? [] : [{ group: group.group, reason: group.quarantine }])),
    leftOut,
    dryRun: dryRunAges(groups),
    recycled,
    recycledTotal: sum(Object.values(recycled)),
    wouldRecycle,
    wouldRecycleTotal: sum(Object.values(wouldRecycle)),
    recovery: recoveryStats(current.recoverySeconds),
    failures: thisWeek.failures,
    skips: orderedSkips(skips),
    withinMaxAge: combinedWithin(groups.filter((group) => group.status === 'live')),
    ageHistogram: histogram,
    oldest,
    previousWeek,
    change: change(thisWeek, previousWeek),
    daily: dailyFigures(own, context.days),
    taintedResponse: taintedResponse(current.taintedSeconds),
  };
}
