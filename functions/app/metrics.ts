import type { Group, Millis, RecycleReason } from '../core/model.js';
import { HOUR } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import { parseGroupPolicy } from '../core/policy/tags.js';
import type { MetricPoint } from '../core/ports.js';
import { agedInstances } from '../core/report/ages.js';
import type { MetricDimensions } from './account-settings.js';
import type { TickResult } from './tick.js';

/** Every metric Phoenix publishes, with what it means; docs/operations.md lists these. */
export const METRICS = {
  Recycled: 'instances terminated for a replacement, by reason (requested, tainted, stale-config, max-age, chaos)',
  RecoverySeconds: 'from the start of a replacement to its group back at desired capacity, healthy; one sample per verified replacement',
  FailedRecoveries: 'replacements that missed their recovery timeout in a run (each group is quarantined and named in its Recovery Failed event)',
  QuarantinedGroups: 'groups carrying phoenix:quarantined after the tick',
  BlockedVersions: 'launch template versions and AMIs the breaker blocks after the tick (each named in its Version Blocked event)',
  OldestInstanceAgeHours: 'age of the oldest instance Phoenix could recycle, in hours',
  InstancesOverMaxAge: "instances older than their group's phoenix:max-age",
  MaxAgeOverrunHours: "how far the instance furthest past its group's max-age is past it, in hours (0: none); the over-max-age alarm reads it",
  Skipped: 'groups a recycler tick did not start a replacement in, by reason (the skip vocabulary of the logs)',
  TickDurationMs: 'how long one run took, by function (recycler, verifier)',
  ApiCalls: 'AWS API calls one run made (retries not counted), by function',
} as const;

export type MetricName = keyof typeof METRICS;

/** What the handler measured around a run: its role, how long it took and how many calls it made. */
export interface RunFigures {
  readonly role: 'recycler' | 'verifier';
  readonly durationMs: number;
  readonly apiCalls: number;
  readonly dimensions: MetricDimensions;
}

const point = (name: MetricName, unit: MetricPoint['unit'], value: number, extra: Pick<MetricPoint, 'dimensions' | 'group'> = {}): MetricPoint => ({
  name,
  unit,
  value,
  ...extra,
});

const hours = (millis: Millis): number => Math.round((millis / HOUR) * 100) / 100;

function countBy<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** One group's ages: its oldest instance, and the instances past its max-age and by how much the furthest is. */
interface GroupAges {
  readonly group: string;
  readonly oldest: Millis | undefined;
  readonly overMaxAge: number;
  readonly overrun: Millis;
}

function groupAges(group: Group, now: Millis): GroupAges | undefined {
  const parsed = parseGroupPolicy(group.tags);
  if (parsed.ok && parsed.policy.mode === 'disabled') return undefined;
  const ages = agedInstances(group).map((instance) => Math.max(0, now - (instance.launchedAt ?? now)));
  const maxAge = parsed.ok ? parsed.policy.maxAge : undefined;
  const overruns = maxAge === undefined ? [] : ages.filter((age) => age > maxAge).map((age) => age - maxAge);
  return {
    group: group.name,
    oldest: ages.length === 0 ? undefined : Math.max(...ages),
    overMaxAge: overruns.length,
    overrun: Math.max(0, ...overruns),
  };
}

/**
 * The fleet as a recycler tick saw it: account-wide figures, each naming the group it comes from; with
 * per-group metrics, each group's own as well. A disabled group is out of Phoenix's hands and not counted.
 */
function fleetPoints(result: TickResult, perGroup: boolean): MetricPoint[] {
  const ages = result.groups.flatMap((group) => groupAges(group, result.at) ?? []);
  const quarantined = new Set([
    ...result.groups.filter((group) => group.tags[TAG.quarantined] !== undefined).map((group) => group.name),
    ...result.outcomes.filter((outcome) => outcome.kind === 'quarantined').map((outcome) => outcome.group),
  ]);
  const oldest = ages.reduce<GroupAges | undefined>((best, entry) => ((entry.oldest ?? -1) > (best?.oldest ?? -1) ? entry : best), undefined);
  const furthest = ages.reduce<GroupAges | undefined>((best, entry) => (entry.overrun > (best?.overrun ?? 0) ? entry : best), undefined);
  const points = [
    point('QuarantinedGroups', 'Count', quarantined.size),
    point('BlockedVersions', 'Count', result.blockedVersions),
    point(
      'InstancesOverMaxAge',
      'Count',
      ages.reduce((sum, entry) => sum + entry.overMaxAge, 0),
    ),
    point('MaxAgeOverrunHours', 'None', hours(furthest?.overrun ?? 0), furthest === undefined ? {} : { group: furthest.group }),
  ];
  if (oldest?.oldest !== undefined) points.push(point('OldestInstanceAgeHours', 'None', hours(oldest.oldest), { group: oldest.group }));
  if (!perGroup) return points;
  for (const entry of ages) {
    const dimensions = { group: entry.group };
    points.push(
      point('InstancesOverMaxAge', 'Count', entry.overMaxAge, { dimensions }),
      point('MaxAgeOverrunHours', 'None', hours(entry.overrun), { dimensions }),
    );
    if (entry.oldest !== undefined) points.push(point('OldestInstanceAgeHours', 'None', hours(entry.oldest), { dimensions }));
  }
  return points;
}

/** What the run did to replacements: terminations by reason, recoveries and failures, each naming its group. */
function replacementPoints(result: TickResult, perGroup: boolean): MetricPoint[] {
  const points: MetricPoint[] = [];
  const recycled: { group: string; reason: RecycleReason }[] = [];
  const failed: string[] = [];
  for (const outcome of result.outcomes) {
    if (outcome.kind === 'terminated') recycled.push({ group: outcome.group, reason: outcome.record.reason });
    if (outcome.kind !== 'closed') continue;
    const { record } = outcome;
    if (record.phase === 'verified' && record.closedAt !== undefined) {
      const seconds = Math.round((record.closedAt - record.startedAt) / 1000);
      points.push(point('RecoverySeconds', 'Seconds', seconds, { group: record.group }));
      if (perGroup) points.push(point('RecoverySeconds', 'Seconds', seconds, { dimensions: { group: record.group } }));
    }
    if (record.phase === 'failed') {
      failed.push(record.group);
      if (perGroup) points.push(point('FailedRecoveries', 'Count', 1, { dimensions: { group: record.group } }));
    }
  }
  // One sample every run, 0 included, so the series has no gaps; the groups are in the Recovery Failed events.
  points.push(point('FailedRecoveries', 'Count', failed.length));
  for (const entry of recycled) points.push(point('Recycled', 'Count', 1, { dimensions: { reason: entry.reason }, group: entry.group }));
  if (perGroup) {
    for (const [group, count] of countBy(recycled.map((entry) => entry.group))) points.push(point('Recycled', 'Count', count, { dimensions: { group } }));
  }
  return points;
}

/**
 * A run's metrics, from what it decided and did and what the handler measured around it. The fleet's
 * figures and the skips come from the recycler's tick alone: the verifier reads only the groups with a
 * replacement open, so its view of the fleet is partial.
 */
export function runMetrics(result: TickResult, run: RunFigures): MetricPoint[] {
  const perGroup = run.dimensions === 'group';
  const byFunction = { dimensions: { function: run.role } };
  const points = [point('TickDurationMs', 'Milliseconds', run.durationMs, byFunction), point('ApiCalls', 'Count', run.apiCalls, byFunction)];
  points.push(...replacementPoints(result, perGroup));
  if (run.role !== 'recycler') return points;
  const skips = countBy(result.decisions.flatMap((decision) => (decision.kind === 'skip' ? [decision.reason] : [])));
  for (const [reason, count] of skips) points.push(point('Skipped', 'Count', count, { dimensions: { reason } }));
  points.push(...fleetPoints(result, perGroup));
  return points;
}
