import type { SimulationProgress } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulateFleet } from '../../sim/simulate.js';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../core/model.js';
import { DAY, HOUR, RECYCLE_REASONS } from '../core/model.js';
import { fleetSpecs } from './forecast-fleet.js';
import { SIMULATION_BOUNDS } from './simulate-command.js';

/** What every forecast assumes, said with it wherever it is shown. */
export const FORECAST_ASSUMES = 'assumes no failures (every launch succeeds, every replacement recovers) and no scaling: desired capacity stays as it is now';

/** Days a forecast may run: a month of a large fleet still takes seconds, and further ahead the fleet will have changed. */
export const FORECAST_DAYS = { default: 7, min: 1, max: 30 } as const;

/** Instances shown per group in the human output and the JSON. */
const FIRST_PER_GROUP = 3;

/** A fleet too large to copy for that many days: the simulator would run for minutes and hold gigabytes. */
export class ForecastTooLargeError extends Error {
  override readonly name = 'ForecastTooLargeError';
}

/** The simulator's own limit on instances times days, with the most days this fleet can be forecast for. */
export function checkForecastSize(instances: number, days: number): void {
  const most = SIMULATION_BOUNDS.instanceDays;
  if (instances * days <= most) return;
  const fits = Math.floor(most / Math.max(1, instances));
  const fix = fits >= FORECAST_DAYS.min ? `pass --days ${fits} or fewer` : `the fleet has more than ${most.toLocaleString('en')} instances: no forecast fits`;
  throw new ForecastTooLargeError(
    `--days ${days}: ${instances.toLocaleString('en')} instances for ${days} days is ${(instances * days).toLocaleString('en')} instance-days, too many to simulate: expected at most ${most.toLocaleString('en')}; ${fix}`,
  );
}

export interface ForecastRecycle {
  readonly at: string;
  readonly group: string;
  /** The real instance, or null for one the forecast itself launched as a replacement. */
  readonly instanceId: string | null;
  readonly reason: RecycleReason;
}

export interface Forecast {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly assumes: string;
  readonly groups: number;
  readonly instances: number;
  /** Replacements started by live groups; dry-run groups only say what they would do. */
  readonly replacements: number;
  readonly wouldRecycle: number;
  readonly perDay: readonly { readonly day: string; readonly recycled: Record<RecycleReason, number> }[];
  /** Per group that recycles, its first few, soonest first. */
  readonly firstPerGroup: Readonly<Record<string, readonly ForecastRecycle[]>>;
  /** Instance-hours of the surge instances, from raising desired to terminating the old instance. */
  readonly extraInstanceHours: number;
  readonly ageDebtHours: number;
  /** Groups that will keep an instance past max-age, with when the first one does. */
  readonly breaches: readonly { readonly group: string; readonly firstBreachAt: string }[];
}

export interface ForecastInput {
  readonly groups: readonly Group[];
  /** The ledger as the simulation starts with it: open replacements and the records budgets count. */
  readonly records: readonly ReplacementRecord[];
  readonly now: Millis;
  readonly days: number;
  readonly tickInterval: Millis;
  /** Told after each tick how much of the run is done, for runs long enough to show they are moving. */
  readonly progress?: SimulationProgress;
}

const iso = (at: Millis): string => new Date(at).toISOString();

function zeroes(): Record<RecycleReason, number> {
  return Object.fromEntries(RECYCLE_REASONS.map((reason) => [reason, 0])) as Record<RecycleReason, number>;
}

/** Runs the real recycler and verifier on a copy of the fleet from the next tick on; nothing outside this process is touched. */
export async function forecast(input: ForecastInput): Promise<Forecast> {
  // The schedule fires on whole multiples of its interval: the first tick of the copy is the next real one.
  const start = Math.ceil(input.now / input.tickInterval) * input.tickInterval;
  const end = start + input.days * DAY;
  const specs = fleetSpecs(input.groups, start);
  const realIds = new Set(specs.flatMap((spec) => spec.instances.map((instance) => instance.id)));
  checkForecastSize(realIds.size, input.days);
  const options = { ...DEFAULT_SIMULATION, groups: specs.length, days: input.days, tickInterval: input.tickInterval, start };
  const result = await simulateFleet(options, specs, { events: [], invocationsPerTick: 1, ledger: input.records }, input.progress);
  const seeded = new Set(input.records.map((record) => record.id));
  const started = result.records.filter((record) => !seeded.has(record.id)).sort((a, b) => a.startedAt - b.startedAt);
  const live = started.filter((record) => record.mode === 'live');
  const perDay = Array.from({ length: input.days }, (_, index) => ({ day: iso(start + index * DAY).slice(0, 10), recycled: zeroes() }));
  const firstPerGroup: Record<string, ForecastRecycle[]> = {};
  for (const record of live) {
    const day = perDay[Math.floor((record.startedAt - start) / DAY)];
    if (day !== undefined) day.recycled[record.reason] += 1;
    const shown = firstPerGroup[record.group] ?? [];
    firstPerGroup[record.group] = shown;
    if (shown.length < FIRST_PER_GROUP) {
      shown.push({
        at: iso(record.startedAt),
        group: record.group,
        instanceId: realIds.has(record.instanceId) ? record.instanceId : null,
        reason: record.reason,
      });
    }
  }
  const surgeMillis = live.reduce((sum, record) => (record.surge === undefined ? sum : sum + ((record.terminatedAt ?? end) - record.startedAt)), 0);
  return {
    from: iso(start),
    to: iso(end),
    days: input.days,
    assumes: FORECAST_ASSUMES,
    groups: specs.length,
    instances: realIds.size,
    replacements: live.length,
    wouldRecycle: started.length - live.length,
    perDay,
    firstPerGroup,
    extraInstanceHours: Math.round((surgeMillis / HOUR) * 10) / 10,
    ageDebtHours: result.summary.ageDebtHours,
    breaches: [...result.firstBreaches].sort((a, b) => a[1] - b[1]).map(([group, at]) => ({ group, firstBreachAt: iso(at) })),
  };
}
