import { ineligibility } from '../decide/fleet-state.js';
import type { Group, Instance, Millis } from '../model.js';
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

export function ageHistogram(group: string, aged: readonly Instance[], now: Millis): { histogram: AgeHistogram; oldest: OldestInstance | null } {
  const histogram = zeroHistogram();
  let oldest: OldestInstance | null = null;
  for (const instance of aged) {
    const age = Math.max(0, now - (instance.launchedAt ?? now));
    histogram[bucketOf(age)] += 1;
    if (oldest === null || age / 1000 > oldest.ageSeconds) oldest = { group, instanceId: instance.id, ageSeconds: Math.round(age / 1000) };
  }
  return { histogram, oldest };
}

export function withinMaxAge(withinHours: number, totalHours: number, measured: boolean): WithinMaxAge {
  return {
    pct: totalHours > 0 ? round((withinHours / totalHours) * 100, 3) : null,
    withinHours: round(withinHours, 2),
    totalHours: round(totalHours, 2),
    measured,
  };
}

/**
 * Without a measurement, the hours this week of the instances alive now, split at each one's max-age.
 * Instances replaced during the week are missing, so this leans towards the fleet as it is now.
 */
function estimateHours(instances: readonly Instance[], maxAge: Millis, weekStart: Millis, until: Millis): { within: number; total: number } {
  let within = 0;
  let total = 0;
  for (const instance of instances) {
    const from = Math.max(instance.launchedAt ?? until, weekStart);
    if (until <= from) continue;
    const limit = (instance.launchedAt ?? until) + maxAge;
    total += (until - from) / HOUR;
    within += Math.max(0, Math.min(until, limit) - from) / HOUR;
  }
  return { within, total };
}

/** The caller's measurement when there is one; an estimate needs a max-age to split the hours at. */
export function shareWithinMaxAge(
  hours: InstanceHours | undefined,
  maxAge: Millis | undefined,
  aged: readonly Instance[],
  weekStart: Millis,
  until: Millis,
): WithinMaxAge {
  if (hours !== undefined) return withinMaxAge(hours.withinMaxAgeHours, hours.totalHours, true);
  if (maxAge === undefined) return withinMaxAge(0, 0, false);
  const estimate = estimateHours(aged, maxAge, weekStart, until);
  return withinMaxAge(estimate.within, estimate.total, false);
}
