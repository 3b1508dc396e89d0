import type { SkipReason } from '../decide/decision.js';
import { SKIP_REASONS } from '../decide/decision.js';
import type { RecycleReason, ReplacementRecord } from '../model.js';
import { withinMaxAge, zeroHistogram } from './ages.js';
import type { WeekContext } from './group.js';
import { orderedSkips } from './group.js';
import { sum } from './numbers.js';
import type { FleetReport, GroupReport, OldestInstance, ReasonCounts } from './schema.js';
import { AGE_BUCKETS, REPORT_REASONS } from './schema.js';
import { change, dailyFigures, recoveryStats, taintedResponse, tallyPeriod, weekFigures, zeroReasons } from './tally.js';

function addReasons(into: Record<RecycleReason, number>, counts: ReasonCounts): void {
  for (const reason of REPORT_REASONS) into[reason] += counts[reason];
}

/** Fleet figures add the groups' up; percentiles are recomputed from every sample, never averaged. */
export function fleetReport(groups: readonly GroupReport[], records: readonly ReplacementRecord[], context: WeekContext): FleetReport {
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
  let withinHours = 0;
  let totalHours = 0;
  let measured = groups.length > 0;
  for (const group of groups) {
    addReasons(recycled, group.recycled);
    addReasons(wouldRecycle, group.wouldRecycle);
    for (const bucket of AGE_BUCKETS) histogram[bucket] += group.ageHistogram[bucket];
    for (const reason of SKIP_REASONS) skips.set(reason, (skips.get(reason) ?? 0) + (group.skips[reason] ?? 0));
    if (group.oldest !== null && (oldest === null || group.oldest.ageSeconds > oldest.ageSeconds)) oldest = group.oldest;
    // Dry-run groups are never recycled: their ages are in their own rows, not in what Phoenix answers for.
    if (group.status === 'live' && group.withinMaxAge.totalHours > 0) {
      withinHours += group.withinMaxAge.withinHours;
      totalHours += group.withinMaxAge.totalHours;
      measured &&= group.withinMaxAge.measured;
    }
  }
  return {
    groups: groups.length,
    instances: sum(groups.map((group) => group.instances)),
    quarantines: groups.flatMap((group) => (group.quarantine === null ? [] : [{ group: group.group, reason: group.quarantine }])),
    recycled,
    recycledTotal: sum(Object.values(recycled)),
    wouldRecycle,
    wouldRecycleTotal: sum(Object.values(wouldRecycle)),
    recovery: recoveryStats(current.recoverySeconds),
    failures: thisWeek.failures,
    skips: orderedSkips(skips),
    withinMaxAge: withinMaxAge(withinHours, totalHours, measured && totalHours > 0),
    ageHistogram: histogram,
    oldest,
    previousWeek,
    change: change(thisWeek, previousWeek),
    daily: dailyFigures(own, context.days),
    taintedResponse: taintedResponse(current.taintedSeconds),
  };
}
