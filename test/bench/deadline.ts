// The deadline model's figures for `npm run bench`: its CPU cost at plan scale, and how far its predicted
// first breach falls from the one the simulator then sees.

import { explainDeadline } from '../../functions/core/deadline/explain.js';
import { predictDeadline } from '../../functions/core/deadline/model.js';
import type { Group } from '../../functions/core/model.js';
import { MINUTE } from '../../functions/core/model.js';
import type { GroupPolicy } from '../../functions/core/policy/policy.js';
import { parseGroupPolicy } from '../../functions/core/policy/tags.js';
import type { BreachAccuracy, BreachPair } from '../../sim/deadline-check.js';
import { accuracy, predictAndObserve } from '../../sim/deadline-check.js';
import { DEFAULT_SIMULATION } from '../../sim/simulate.js';
import { percentile } from '../../sim/summary.js';
import { NOW } from '../support/clock.js';
import { median, syntheticFleet } from './fleet.js';

const TICK = 10 * MINUTE;

/** The plan bench's fleet, each group with its parsed policy. */
function fleet(groups: number, size: number): { group: Group; policy: GroupPolicy }[] {
  return syntheticFleet(groups, size).map((group) => {
    const parsed = parseGroupPolicy(group.tags);
    if (!parsed.ok) throw new Error('bench fleet tags must parse');
    return { group, policy: parsed.policy };
  });
}

export interface DeadlineCost {
  readonly groups: number;
  readonly instances: number;
  readonly medianMs: number;
  readonly infeasible: number;
  /** As phoenix plan asks: with the why and the fixes of each group that will breach, median of 3. */
  readonly withFixesMs: number;
}

/** CPU milliseconds to predict every group's deadline over 14 days, median of repeated runs after a warm-up. */
export function deadlineCost(groups: number, size: number): DeadlineCost {
  const subjects = fleet(groups, size);
  let infeasible = 0;
  const runOnce = (offset: number): number => {
    const start = process.cpuUsage();
    infeasible = 0;
    for (const { group, policy } of subjects) {
      const deadline = predictDeadline({ group, policy, now: NOW + offset * MINUTE, tickInterval: TICK, records: [] });
      if (deadline?.feasible === false) infeasible += 1;
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (let offset = 0; offset < 3; offset += 1) runOnce(offset);
  const medianMs = median(Array.from({ length: 15 }, (_, offset) => runOnce(offset + 3)));
  const withFixes = (offset: number): number => {
    const start = process.cpuUsage();
    for (const { group, policy } of subjects)
      explainDeadline({ group, policy, now: NOW + offset * MINUTE, tickInterval: TICK, records: [] }, { suggest: true });
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const withFixesMs = median(Array.from({ length: 3 }, (_, offset) => withFixes(offset)));
  return { groups, instances: groups * size, medianMs, infeasible, withFixesMs };
}

/** Seeds of the infeasible scenario the prediction is checked over, and the shape of each run. */
const SEEDS = 20;
const CHECK = { ...DEFAULT_SIMULATION, scenario: 'infeasible' as const, groups: 14, size: 10, days: 14 };

export interface PredictionFigures {
  readonly seeds: number;
  readonly run: string;
  readonly withEstimate: BreachAccuracy;
  readonly withTypical: BreachAccuracy;
  readonly typicalReplacementSeconds: { readonly min: number; readonly max: number };
  readonly simulated: {
    readonly ageDebtHours: { readonly p50: number; readonly max: number };
    readonly infeasibleGroups: { readonly p50: number; readonly max: number };
  };
  readonly violations: number;
}

/** The model's first breach, predicted at the start of each run, against the one each run then shows. */
export async function predictionFigures(): Promise<PredictionFigures> {
  const withEstimate: BreachPair[] = [];
  const withTypical: BreachPair[] = [];
  const typical: number[] = [];
  const debts: number[] = [];
  const infeasible: number[] = [];
  let violations = 0;
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const check = await predictAndObserve({ ...CHECK, seed });
    withEstimate.push(...check.withEstimate);
    withTypical.push(...check.withTypical);
    if (check.typicalReplacement !== undefined) typical.push(check.typicalReplacement / 1000);
    debts.push(check.result.summary.ageDebtHours);
    infeasible.push(check.result.summary.infeasibleGroups.length);
    violations += Object.values(check.result.summary.violations).reduce((sum, count) => sum + count, 0);
  }
  return {
    seeds: SEEDS,
    run: `${CHECK.groups} groups x ${CHECK.size}, ${CHECK.days} days`,
    withEstimate: accuracy(withEstimate, CHECK.tickInterval),
    withTypical: accuracy(withTypical, CHECK.tickInterval),
    typicalReplacementSeconds: { min: Math.round(Math.min(...typical)), max: Math.round(Math.max(...typical)) },
    simulated: {
      ageDebtHours: { p50: percentile(debts, 0.5), max: percentile(debts, 1) },
      infeasibleGroups: { p50: percentile(infeasible, 0.5), max: percentile(infeasible, 1) },
    },
    violations,
  };
}

function accuracyLine(label: string, figures: BreachAccuracy): string {
  const { breaching, errorMinutes, targetMinutes, withinTarget, keptUp, predictedOnly, observedOnly, groups } = figures;
  return (
    `  ${label}: ${groups} group runs; both breach ${breaching} (error p50 ${errorMinutes.p50} min, p95 ${errorMinutes.p95}, max ${errorMinutes.max}; ` +
    `${withinTarget} within ${targetMinutes} min), neither ${keptUp}, predicted only ${predictedOnly}, seen only ${observedOnly}`
  );
}

export function deadlineLines(cost: readonly DeadlineCost[], prediction: PredictionFigures): string[] {
  return [
    'deadline model (pure, CPU ms, median of 15)   target < 100 ms for 10k groups / 100k instances',
    ...cost.map(
      (row) =>
        `  ${String(row.groups).padStart(6)} groups / ${String(row.instances).padStart(7)} instances: ${row.medianMs.toFixed(1)} ms (${row.infeasible} infeasible: ages up to 8d against max-age 7d); ` +
        `with why and fixes, as phoenix plan asks: ${row.withFixesMs.toFixed(0)} ms`,
    ),
    `first breach predicted at the start vs seen, scenario infeasible, seeds 1-${prediction.seeds} (${prediction.run})`,
    accuracyLine('no history (replacement estimate 3 ticks)', prediction.withEstimate),
    accuracyLine(
      `ledger's typical replacement (${prediction.typicalReplacementSeconds.min}-${prediction.typicalReplacementSeconds.max} s)`,
      prediction.withTypical,
    ),
    `  simulated: age debt p50 ${prediction.simulated.ageDebtHours.p50} h, max ${prediction.simulated.ageDebtHours.max} h; groups breaching p50 ${prediction.simulated.infeasibleGroups.p50}, max ${prediction.simulated.infeasibleGroups.max}; violations ${prediction.violations}`,
  ];
}
