import { ineligibility } from '../decide/fleet-state.js';
import type { Group, Instance, Millis, ReplacementRecord } from '../model.js';
import { DAY, HOUR } from '../model.js';
import { round } from './numbers.js';
import type { AgeBucket, AgeHistogram, InstanceHours, OldestInstance, WithinMaxAge } from './schema.js';
import { AGE_BUCKETS } from './schema.js';

const BUCKET_UPPER_BOUNDS: readonly Millis[] = [DAY, 3 * DAY, 7 * DAY, 14 * DAY];

export function zeroHistogram(): Record<AgeBucket, number> {
  return { '<1d': 0, '1-3d': 0, '3-7d': 0, '7-14d': 0, '>=14d': 0 };
}

/** Instances Phoenix could recycle: exempt and protected ones are out of its hands, terminating ones already going. */
export function agedInstances(group: Group): Instance[] {
  return group.instances.filter((instance) => {
    const why = ineligibility(instance);
    return instance.launchedAt !== undefined && why !== 'exempt' && why !== 'protected' && !instance.lifecycleState.startsWith('Terminating');
  });
}

function bucketOf(age: Millis): AgeBucket {
  const index = BUCKET_UPPER_BOUNDS.findIndex((bound) => age < bound);
  return AGE_BUCKETS[index === -1 ? AGE_BUCKETS.length - 1 : index] ?? '>=14d';
}

export function ageHistogram(
  group: string,
  aged: readonly Instance[],
  now: Millis,
  instanceUrl: ((id: string) => string) | undefined,
): { histogram: AgeHistogram; oldest: OldestInstance | null } {
  const histogram = zeroHistogram();
  let oldest: Instance | undefined;
  let oldestAge = 0;
  for (const instance of aged) {
    const age = Math.max(0, now - (instance.launchedAt ?? now));
    histogram[bucketOf(age)] += 1;
    if (oldest === undefined || age > oldestAge) [oldest, oldestAge] = [instance, age];
  }
  const url = oldest === undefined ? null : (instanceUrl?.(oldest.id) ?? null);
  return { histogram, oldest: oldest === undefined ? null : { group, instanceId: oldest.id, ageSeconds: Math.round(oldestAge / 1000), url } };
}

export function withinMaxAge(withinHours: number, totalHours: number, measured: boolean, groupsWithMaxAge: number): WithinMaxAge {
  return {
    pct: totalHours > 0 ? round((withinHours / totalHours) * 100, 3) : null,
    withinHours: round(withinHours, 2),
    totalHours: round(totalHours, 2),
    measured,
    groupsWithMaxAge,
  };
}

/** An instance's life as the estimate sees it: launched, and in service until it went (or until the report). */
interface Lifetime {
  readonly launchedAt: Millis;
  readonly until: Millis;
}

/**
 * The instances Phoenix replaced in the week, from its records: launched the record's instance age before
 * the replacement started, gone at termination. Without them an estimate sees only the survivors, which a
 * working recycler keeps younger than max-age, and reads 100% whatever happened.
 */
function replacedLifetimes(records: readonly ReplacementRecord[], alive: ReadonlySet<string>, weekStart: Millis, until: Millis): Lifetime[] {
  return records.flatMap((record) => {
    const { terminatedAt, instanceAgeSeconds } = record;
    if (record.mode !== 'live' || terminatedAt === undefined || instanceAgeSeconds === undefined || alive.has(record.instanceId)) return [];
    if (terminatedAt <= weekStart || terminatedAt > until) return [];
    return [{ launchedAt: record.startedAt - instanceAgeSeconds * 1000, until: terminatedAt }];
  });
}

/** The hours of each lifetime inside [weekStart, its end), split at its max-age. */
function estimateHours(lifetimes: readonly Lifetime[], maxAge: Millis, weekStart: Millis): { within: number; total: number } {
  let within = 0;
  let total = 0;
  for (const { launchedAt, until } of lifetimes) {
    const from = Math.max(launchedAt, weekStart);
    if (until <= from) continue;
    total += (until - from) / HOUR;
    within += Math.max(0, Math.min(until, launchedAt + maxAge) - from) / HOUR;
  }
  return { within, total };
}

export interface ShareInputs {
  readonly hours: InstanceHours | undefined;
  readonly maxAge: Millis | undefined;
  readonly aged: readonly Instance[];
  readonly records: readonly ReplacementRecord[];
  readonly weekStart: Millis;
  readonly until: Millis;
}

/**
 * The caller's measurement when there is one; else an estimate from the instances alive now and those Phoenix
 * replaced this week. Instances that went otherwise (scale-in, a person) are still missing from it.
 */
export function shareWithinMaxAge(inputs: ShareInputs): WithinMaxAge {
  const { hours, maxAge, aged, weekStart, until } = inputs;
  const groups = maxAge === undefined ? 0 : 1;
  if (hours !== undefined) return withinMaxAge(hours.withinMaxAgeHours, hours.totalHours, true, groups);
  if (maxAge === undefined) return withinMaxAge(0, 0, false, 0);
  const alive = aged.flatMap((instance) => (instance.launchedAt === undefined ? [] : [{ launchedAt: instance.launchedAt, until }]));
  const replaced = replacedLifetimes(inputs.records, new Set(aged.map((instance) => instance.id)), weekStart, until);
  const estimate = estimateHours([...alive, ...replaced], maxAge, weekStart);
  return withinMaxAge(estimate.within, estimate.total, false, 1);
}
