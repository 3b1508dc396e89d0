import type { Deadline } from '../functions/core/deadline/model.js';
import { predictDeadline, typicalReplacementTime } from '../functions/core/deadline/model.js';
import { replacementEstimate } from '../functions/core/decide/candidates.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Group, Millis } from '../functions/core/model.js';
import { DAY } from '../functions/core/model.js';
import type { GroupPolicy } from '../functions/core/policy/policy.js';
import { SimFleet } from './fleet.js';
import { livePolicy } from './live.js';
import { buildScenario } from './scenarios.js';
import type { SimulationOptions } from './simulate.js';
import { simulate } from './simulate.js';
import type { SimulationResult } from './summary.js';
import { percentile } from './summary.js';

/** One live group with max-age: the first breach the model predicted at the start, and the one the simulator saw. */
export interface BreachPair {
  readonly group: string;
  /** Within the run; undefined when the model predicts none before it ends. */
  readonly predicted: Millis | undefined;
  readonly observed: Millis | undefined;
}

/** Predictions made at the start two ways, beside what happened. */
export interface BreachCheck {
  /** With no history: the core's replacement estimate (three ticks). */
  readonly withEstimate: readonly BreachPair[];
  /** With the typical replacement time the run's ledger shows, as a plan reads it once replacements have happened. */
  readonly withTypical: readonly BreachPair[];
  readonly typicalReplacement: Millis | undefined;
  readonly result: SimulationResult;
}

/**
 * Predicts every live group's first breach from the fleet as it stands at the start, then runs the
 * simulation and reads, from what happened to the instances, when each group's first one passed max-age.
 */
export async function predictAndObserve(options: SimulationOptions): Promise<BreachCheck> {
  const specs = buildScenario(options.scenario, { groups: options.groups, size: options.size, seed: options.seed, start: options.start });
  // A fleet of its own, only looked at: the run builds its own from the same specs and seed.
  const view = new SimFleet({ start: options.start, random: seededRandom(options.seed), groups: specs, tickInterval: options.tickInterval });
  const subjects = specs.flatMap((spec): { group: Group; policy: GroupPolicy }[] => {
    const policy = livePolicy(spec.tags);
    return policy?.maxAge === undefined ? [] : [{ group: view.view(spec.name), policy }];
  });
  const result = await simulate(options);
  const end = options.start + options.days * DAY;
  const typicalReplacement = typicalReplacementTime(result.records);
  const pairs = (replacementTime: Millis | undefined): BreachPair[] =>
    subjects.map(({ group, policy }) => {
      const deadline: Deadline | undefined = predictDeadline({
        group,
        policy,
        now: options.start,
        tickInterval: options.tickInterval,
        records: [],
        ...(replacementTime === undefined ? {} : { replacementTime }),
      });
      const at = deadline?.firstBreachAt;
      return { group: group.name, predicted: at !== undefined && at < end ? at : undefined, observed: result.firstBreaches.get(group.name) };
    });
  return { withEstimate: pairs(undefined), withTypical: pairs(typicalReplacement), typicalReplacement, result };
}

/** How far predictions fall from what happened, over many groups and runs. */
export interface BreachAccuracy {
  readonly groups: number;
  /** Groups with a breach both predicted and seen; the error is the absolute difference. */
  readonly breaching: number;
  readonly errorMinutes: { readonly p50: number; readonly p95: number; readonly max: number };
  /** The target: one tick plus one replacement (the core's estimate). */
  readonly targetMinutes: number;
  readonly withinTarget: number;
  /** Neither predicted nor seen. */
  readonly keptUp: number;
  readonly predictedOnly: number;
  readonly observedOnly: number;
}

export function accuracy(pairs: readonly BreachPair[], tickInterval: Millis): BreachAccuracy {
  const target = tickInterval + replacementEstimate(tickInterval);
  const errors: number[] = [];
  let keptUp = 0;
  let predictedOnly = 0;
  let observedOnly = 0;
  for (const { predicted, observed } of pairs) {
    if (predicted !== undefined && observed !== undefined) errors.push(Math.abs(predicted - observed));
    else if (predicted === undefined && observed === undefined) keptUp += 1;
    else if (predicted !== undefined) predictedOnly += 1;
    else observedOnly += 1;
  }
  const minutes = (value: number): number => Math.round(value / 60_000);
  return {
    groups: pairs.length,
    breaching: errors.length,
    errorMinutes: { p50: minutes(percentile(errors, 0.5)), p95: minutes(percentile(errors, 0.95)), max: minutes(percentile(errors, 1)) },
    targetMinutes: minutes(target),
    withinTarget: errors.filter((error) => error <= target).length,
    keptUp,
    predictedOnly,
    observedOnly,
  };
}
