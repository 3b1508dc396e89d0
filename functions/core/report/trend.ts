import type { Group, Millis, ReplacementRecord } from '../model.js';
import { HOUR } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { agedInstances, withinMaxAge } from './ages.js';
import { round, sum } from './numbers.js';
import type { TrendInput, TrendWeek, WithinMaxAge } from './schema.js';
import { isoTime, tallyPeriod } from './tally.js';

/** How many weeks the trend shows, the report's own the last. */
export const TREND_WEEKS = 8;

interface Lifetime {
  readonly launchedAt: Millis;
  readonly until: Millis;
}

/** A live group's instances as the records let them be seen again: those alive now, and those Phoenix replaced. */
interface Seen {
  readonly maxAge: Millis;
  readonly lifetimes: readonly Lifetime[];
}

function seenGroups(groups: readonly Group[], records: readonly ReplacementRecord[], now: Millis): Seen[] {
  return groups.flatMap((group) => {
    const parsed = parseGroupPolicy(group.tags);
    if (!parsed.ok || parsed.policy.mode !== 'live' || parsed.policy.maxAge === undefined) return [];
    const aged = agedInstances(group);
    const alive = new Set(aged.map((instance) => instance.id));
    const lifetimes: Lifetime[] = aged.flatMap((instance) => (instance.launchedAt === undefined ? [] : [{ launchedAt: instance.launchedAt, until: now }]));
    for (const record of records) {
      const { terminatedAt, instanceAgeSeconds } = record;
      if (record.group !== group.name || record.mode !== 'live' || terminatedAt === undefined || instanceAgeSeconds === undefined) continue;
      if (alive.has(record.instanceId)) continue;
      lifetimes.push({ launchedAt: record.startedAt - instanceAgeSeconds * 1000, until: terminatedAt });
    }
    return [{ maxAge: parsed.policy.maxAge, lifetimes }];
  });
}

/**
 * A past week's share, estimated: the hours in the week of the live groups' instances alive now and of those Phoenix
 * replaced, split at today's max-age. Instances that went otherwise (scale-in, a person) are missing from it.
 */
function estimatedWithin(seen: readonly Seen[], from: Millis, to: Millis): WithinMaxAge {
  let within = 0;
  let total = 0;
  for (const { maxAge, lifetimes } of seen) {
    for (const { launchedAt, until } of lifetimes) {
      const start = Math.max(launchedAt, from);
      const end = Math.min(until, to);
      if (end <= start) continue;
      total += (end - start) / HOUR;
      within += Math.max(0, Math.min(end, launchedAt + maxAge) - start) / HOUR;
    }
  }
  return withinMaxAge(within, total, false, seen.length);
}

/**
 * The report's weeks side by side, from the ledger's records and tick summaries and the fleet now. The report's own
 * week takes its own share within max-age (`current`); the weeks before are estimated as `estimatedWithin` says.
 * Age debt is the week's instance-hours past max-age, from the same share.
 */
export function weeklyTrend(options: {
  readonly trend: TrendInput;
  readonly records: readonly ReplacementRecord[];
  readonly groups: readonly Group[];
  readonly current: WithinMaxAge;
  readonly now: Millis;
}): TrendWeek[] {
  const { trend, records, now } = options;
  const seen = seenGroups(options.groups, records, now);
  const last = trend.weeks.length - 1;
  return trend.weeks.map((bounds, index) => {
    const until = Math.min(bounds.end, now);
    const tally = tallyPeriod(records, bounds.start, until);
    const share = index === last ? options.current : estimatedWithin(seen, bounds.start, until);
    return {
      week: bounds.week,
      weekStart: isoTime(bounds.start),
      partial: now < bounds.end,
      ticks: trend.ticks.filter((tick) => tick.at >= bounds.start && tick.at < until).length,
      recycled: tally.recycled,
      recycledTotal: sum(Object.values(tally.recycled)),
      failures: tally.failed.length,
      withinMaxAge: share,
      ageDebtHours: round(Math.max(0, share.totalHours - share.withinHours), 1),
    };
  });
}
