import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { FaultRates, SimGroupSpec } from './fleet.js';
import { OPERATOR_DESCRIBE_LAG } from './operator.js';
import type { Delivery, ScenarioScript, ScriptEvent, ScriptOptions } from './script.js';

/** Fixed-size groups beside the steady fleet: one in four of its size, at least two. */
const FIXED_SHARE = 0.25;
/** Every fourth fixed group did not opt in to max-surge: it stays skipped at max capacity, untouched. */
const WITHOUT_MAX_SURGE_EVERY = 4;
const MAX_AGES = [
  { text: '2d', ms: 2 * DAY },
  { text: '3d', ms: 3 * DAY },
] as const;
/** Fewer throttles than the throttle scenario, but every Auto Scaling call may be refused, UpdateAutoScalingGroup included. */
const FAULTS: FaultRates = { throttleRate: 0.05, serverErrorRate: 0.02 };

/**
 * The adversary, per day: about 6 ticks killed after 1 to 8 port calls (some right between the ledger
 * write and the max size call, or between the restore and the close), a verifier run killed now and
 * then, owners braking a group with a raised max (phoenix:enabled=false or dry-run for 10 to 90
 * minutes), removing phoenix:max-surge for an hour, or changing max size themselves (a stack update),
 * and the account switched off for a while.
 */
const PER_DAY = { killedTicks: 6, brakes: 8, optOuts: 2, ownerMax: 2, modeOff: 1 } as const;

function between(random: RandomSource, min: Millis, max: Millis): Millis {
  return Math.round((min + random() * (max - min)) / 1000) * 1000;
}

/** The fixed-size groups the scenario adds after the steady fleet: min = max = desired, instances spread over max-age. */
export function fixedSizeGroups(options: { readonly groups: number; readonly size: number; readonly seed: number; readonly start: Millis }): SimGroupSpec[] {
  const random = seededRandom(options.seed ^ 0xf1ed5);
  const count = Math.max(2, Math.round(options.groups * FIXED_SHARE));
  return Array.from({ length: count }, (_, index) => {
    const maxAge = MAX_AGES[index % MAX_AGES.length] as (typeof MAX_AGES)[number];
    const optedIn = (index + 1) % WITHOUT_MAX_SURGE_EVERY !== 0;
    const instances = Array.from({ length: options.size }, () => {
      const launchedAt = Math.floor((options.start - random() * 0.9 * maxAge.ms) / MINUTE) * MINUTE;
      return { age: options.start - launchedAt };
    });
    return {
      name: `fixed-${String(index + 1).padStart(3, '0')}`,
      desired: options.size,
      min: options.size,
      max: options.size,
      tags: {
        team: `team-${(index % 3) + 1}`,
        [TAG.enabled]: 'true',
        [TAG.maxAge]: maxAge.text,
        [TAG.budget]: '2/hour',
        ...(optedIn ? { [TAG.maxSurge]: '1' } : {}),
      },
      launchTemplate: { id: `lt-${(0x0f000 + index).toString(16).padStart(17, '0')}`, version: '1' },
      instances,
      ...(index % 3 === 0 ? { terminateHookWait: 5 * MINUTE } : {}),
    };
  });
}

/** Times over the run at a mean rate per day, right after a tick (30 s to 3 min) so a surge that tick started is in flight. */
function afterTicks(random: RandomSource, options: ScriptOptions, perDay: number, tick: Millis): Millis[] {
  const count = Math.round(perDay * options.days);
  return Array.from({ length: count }, () => {
    const at = options.start + Math.floor((random() * options.days * DAY) / tick) * tick;
    return at + between(random, 30_000, 3 * MINUTE);
  }).sort((a, b) => a - b);
}

/** What the fixed-size scenario does to the fleet: faults from the start, crashes, brakes and owners' changes aimed at raised max sizes. */
export function fixedSizeScript(options: ScriptOptions): ScenarioScript {
  const random = seededRandom(options.seed ^ 0x3a75e);
  const tick = options.tickInterval ?? 10 * MINUTE;
  const events: ScriptEvent[] = [{ at: options.start, kind: 'set-faults', faults: FAULTS }];
  for (const at of afterTicks(random, options, PER_DAY.brakes, tick)) {
    const value = random() < 0.5 ? 'false' : 'dry-run';
    events.push({ at, kind: 'set-tag', group: { raisedMax: random() }, key: TAG.enabled, value, lasts: between(random, 10 * MINUTE, 90 * MINUTE) });
  }
  for (const at of afterTicks(random, options, PER_DAY.optOuts, tick)) {
    events.push({ at, kind: 'set-tag', group: { raisedMax: random() }, key: TAG.maxSurge, value: undefined, lasts: HOUR });
  }
  for (const at of afterTicks(random, options, PER_DAY.ownerMax, tick)) {
    events.push({ at, kind: 'set-max', group: { raisedMax: random() }, by: 1 + Math.floor(random() * 3) });
  }
  for (const at of afterTicks(random, options, PER_DAY.modeOff, tick)) {
    events.push({ at, kind: 'set-mode', mode: 'off' }, { at: at + between(random, 10 * MINUTE, HOUR), kind: 'set-mode', mode: 'live' });
  }
  const deliveries = new Map<Millis, readonly Delivery[]>();
  for (const at of afterTicks(random, options, PER_DAY.killedTicks, tick)) {
    const scheduled = at - ((at - options.start) % tick);
    const killAfter = 1 + Math.floor(random() * 8);
    const verifier = random() < 0.3 ? [{ run: 'verify' as const, eventAhead: 0, killAfter: 1 + Math.floor(random() * 6) }] : [];
    deliveries.set(scheduled, [{ lateBy: 0, invocations: [{ run: 'tick', eventAhead: 0, killAfter }, ...verifier] }]);
  }
  return {
    events: events.sort((a, b) => a.at - b.at),
    invocationsPerTick: 1,
    deliveries,
    describeLag: OPERATOR_DESCRIBE_LAG,
  };
}
