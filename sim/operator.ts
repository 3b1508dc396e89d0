import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import { pick } from './draws.js';
import type { SimGroupSpec } from './fleet.js';
import { livePolicy } from './live.js';
import type { Delivery, Invocation, ScenarioScript, ScriptEvent, ScriptOptions } from './script.js';

/** Something people do to the fleet while Phoenix runs; a timed change is undone after `lasts`. */
export type WorldMove =
  | { readonly at: Millis; readonly kind: 'mode'; readonly mode: 'off' | 'dry-run'; readonly lasts: Millis }
  /** The owner sets one tag of a group (named, or one with a surge in flight) and, after `lasts`, puts back the value it had at the start. */
  | {
      readonly at: Millis;
      readonly kind: 'tag';
      readonly group: string | { readonly surging: number };
      readonly key: string;
      readonly value: string;
      readonly lasts: Millis;
    }
  | { readonly at: Millis; readonly kind: 'close-window'; readonly pick: number; readonly closedFor: Millis }
  | { readonly at: Millis; readonly kind: 'release' };

/** How one scheduled tick reaches the recycler, when not once and on time. */
export interface TickMove {
  /** The tick's scheduled time. */
  readonly at: Millis;
  /** Delivered twice at once. */
  readonly twice: boolean;
  /** Delivered this long after its time, its event still carrying that time. */
  readonly lateBy: Millis;
  /** Its event carries a time this far ahead. */
  readonly eventAhead: Millis;
  /** The tick dies after this many port calls. */
  readonly killAfter: number | undefined;
  /** A verifier run started with it: for these groups, or every group with a replacement open (undefined). */
  readonly verifier: { readonly groups: readonly string[] | undefined } | undefined;
}

export interface OperatorMoves {
  readonly world: readonly WorldMove[];
  readonly ticks: readonly TickMove[];
}

/** DescribeAutoScalingGroups lags writes by up to a minute, as eventual consistency allows. */
export const OPERATOR_DESCRIBE_LAG: Millis = MINUTE;

interface TagRate {
  readonly meanGap: Millis;
  /** The share aimed at a group with a surge in flight, right after a tick; the rest hit any live group at any time. */
  readonly aimed: number;
  readonly lasts: { readonly min: Millis; readonly max: Millis };
}

/**
 * How often the adversary moves: a mean gap, each gap drawn uniformly from zero to twice it. Over 14
 * days that is about 42 account mode switches (off or dry-run for 10 to 90 minutes, right after a tick),
 * 500 `phoenix:enabled` changes (false, dry-run, or a near miss such as `true ` or `ture`, for 10 minutes
 * to 3 hours; three in four aimed at a surge in flight), 110 budget changes (1/week to 2/hour, for 2 hours
 * to 2 days) and 110 min-healthy changes (0 to 100, for 1 to 12 hours), half of each aimed at a surge,
 * 220 windows set to close two minutes after a tick started a surge (then closed 1 to 6 hours a day),
 * and an operator lifting every quarantine every 6 hours.
 */
const MEAN_GAP = { mode: 8 * HOUR, closeWindow: 90 * MINUTE } as const;
const RATE = {
  enabled: { meanGap: 40 * MINUTE, aimed: 0.75, lasts: { min: 10 * MINUTE, max: 3 * HOUR } },
  budget: { meanGap: 3 * HOUR, aimed: 0.5, lasts: { min: 2 * HOUR, max: 2 * DAY } },
  minHealthy: { meanGap: 3 * HOUR, aimed: 0.5, lasts: { min: HOUR, max: 12 * HOUR } },
} as const satisfies Record<string, TagRate>;
const RELEASE_EVERY: Millis = 6 * HOUR;
/**
 * Of the 2,016 ticks of 14 days, about: 4% delivered twice, 4% late by 1 to 9 minutes, 3% with an event
 * time ahead (half within a clock's drift, half 1 hour to 3 days), 5% killed after 1 to 8 port calls,
 * 8% with a verifier run started alongside (every group, or one).
 */
const TICK_SHARE = { twice: 0.04, late: 0.04, ahead: 0.03, killed: 0.05, verifier: 0.08 } as const;

const ENABLED_VALUES = ['false', 'dry-run', 'true ', 'ture', 'True'] as const;
const BUDGET_VALUES = ['1/week', '1/day', '3/day', '1/hour', '2/hour'] as const;
const MIN_HEALTHY_VALUES = ['0', '50', '90', '100'] as const;

function between(random: RandomSource, min: Millis, max: Millis): Millis {
  return Math.round((min + random() * (max - min)) / 1000) * 1000;
}

/**
 * Times from the start to the end, gaps drawn uniformly from zero to twice the mean. Aimed at surges, a
 * time moves to 30 seconds to 3 minutes after the tick before it: the surges that tick started are in flight.
 */
function times(random: RandomSource, options: ScriptOptions, meanGap: Millis, afterTick: Millis | undefined): Millis[] {
  const end = options.start + options.days * DAY;
  const result: Millis[] = [];
  for (let at = options.start + between(random, 0, 2 * meanGap); at < end; at += between(random, 0, 2 * meanGap)) {
    result.push(afterTick === undefined ? at : options.start + Math.floor((at - options.start) / afterTick) * afterTick + between(random, 30_000, 3 * MINUTE));
  }
  return result;
}

/** The adversary's moves for a run, the same for the same fleet and options. */
export function drawOperatorMoves(fleet: readonly SimGroupSpec[], options: ScriptOptions): OperatorMoves {
  const random = seededRandom(options.seed ^ 0x0be2a7);
  const live = fleet.filter((spec) => livePolicy(spec.tags) !== undefined).map((spec) => spec.name);
  const tick = options.tickInterval ?? 10 * MINUTE;
  const world: WorldMove[] = [];
  if (live.length > 0) {
    for (const at of times(random, options, MEAN_GAP.mode, tick))
      world.push({ at, kind: 'mode', mode: random() < 0.5 ? 'off' : 'dry-run', lasts: between(random, 10 * MINUTE, 90 * MINUTE) });
    const tagMoves = (key: string, values: readonly string[], rate: TagRate): void => {
      for (const aimed of [true, false]) {
        for (const at of times(random, options, rate.meanGap / (aimed ? rate.aimed : 1 - rate.aimed), aimed ? tick : undefined)) {
          const group = aimed ? { surging: random() } : pick(random, live);
          world.push({ at, kind: 'tag', group, key, value: pick(random, values), lasts: between(random, rate.lasts.min, rate.lasts.max) });
        }
      }
    };
    tagMoves(TAG.enabled, ENABLED_VALUES, RATE.enabled);
    tagMoves(TAG.budget, BUDGET_VALUES, RATE.budget);
    tagMoves(TAG.minHealthy, MIN_HEALTHY_VALUES, RATE.minHealthy);
    for (const at of times(random, options, MEAN_GAP.closeWindow, tick))
      world.push({ at, kind: 'close-window', pick: random(), closedFor: between(random, HOUR, 6 * HOUR) });
    for (let at = options.start + RELEASE_EVERY; at < options.start + options.days * DAY; at += RELEASE_EVERY) world.push({ at, kind: 'release' });
  }
  const ticks: TickMove[] = [];
  for (let at = options.start; at < options.start + options.days * DAY; at += tick) {
    const twice = random() < TICK_SHARE.twice;
    const lateBy = random() < TICK_SHARE.late ? between(random, MINUTE, 9 * MINUTE) : 0;
    const ahead = random() < TICK_SHARE.ahead ? (random() < 0.5 ? between(random, 30_000, 2 * MINUTE) : between(random, HOUR, 3 * DAY)) : 0;
    const killAfter = random() < TICK_SHARE.killed ? 1 + Math.floor(random() * 8) : undefined;
    const verifier = random() < TICK_SHARE.verifier ? { groups: random() < 0.5 || live.length === 0 ? undefined : [pick(random, live)] } : undefined;
    if (twice || lateBy > 0 || ahead > 0 || killAfter !== undefined || verifier !== undefined)
      ticks.push({ at, twice, lateBy, eventAhead: ahead, killAfter, verifier });
  }
  return { world, ticks };
}

/** World moves as script events, in time order; a mode switch comes with its switch back. */
function worldEvents(moves: readonly WorldMove[]): ScriptEvent[] {
  const events: ScriptEvent[] = [];
  for (const move of moves) {
    switch (move.kind) {
      case 'mode':
        events.push({ at: move.at, kind: 'set-mode', mode: move.mode }, { at: move.at + move.lasts, kind: 'set-mode', mode: 'live' });
        break;
      case 'tag':
        events.push({ at: move.at, kind: 'set-tag', group: move.group, key: move.key, value: move.value, lasts: move.lasts });
        break;
      case 'close-window':
        events.push({ at: move.at, kind: 'close-window', pick: move.pick, closedFor: move.closedFor });
        break;
      case 'release':
        events.push({ at: move.at, kind: 'release-quarantines' });
        break;
    }
  }
  // Stable: events at the same instant keep the order they were made in.
  return events.sort((a, b) => a.at - b.at);
}

function deliveries(moves: readonly TickMove[]): Map<Millis, readonly Delivery[]> {
  const result = new Map<Millis, readonly Delivery[]>();
  for (const move of moves) {
    const tick: Invocation =
      move.killAfter === undefined ? { run: 'tick', eventAhead: move.eventAhead } : { run: 'tick', eventAhead: move.eventAhead, killAfter: move.killAfter };
    const invocations: Invocation[] = [tick];
    if (move.twice) invocations.push({ run: 'tick', eventAhead: move.eventAhead });
    if (move.verifier !== undefined)
      invocations.push({ run: 'verify', eventAhead: 0, ...(move.verifier.groups === undefined ? {} : { groups: move.verifier.groups }) });
    result.set(move.at, [{ lateBy: move.lateBy, invocations }]);
  }
  return result;
}

/** The operator scenario's script from its moves, with Describe lag on. */
export function operatorScript(moves: OperatorMoves): ScenarioScript {
  return { events: worldEvents(moves.world), invocationsPerTick: 1, deliveries: deliveries(moves.ticks), describeLag: OPERATOR_DESCRIBE_LAG };
}
