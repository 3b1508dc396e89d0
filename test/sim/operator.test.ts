import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, TRUSTED_CLOCK_SKEW } from '../../functions/core/model.js';
import { drawOperatorMoves, OPERATOR_DESCRIBE_LAG } from '../../sim/operator.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { NO_VIOLATIONS } from '../support/violations.js';

/**
 * A smaller fleet than the default keeps five fortnights within seconds; the adversary aims most of its
 * moves at surges in flight, so a fleet of twenty groups meets as many of them.
 */
const OPTIONS: SimulationOptions = { ...DEFAULT_SIMULATION, scenario: 'operator', groups: 20, size: 10, days: 14 };

describe('operator: people and AWS change the world while replacements are in flight', () => {
  it.each([1, 2, 3, 4, 5])('seed %i, 14 days: no safety rule broken', async (seed) => {
    const result = await simulate({ ...OPTIONS, seed });
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
    expect(result.summary.terminationsAfterQuarantine).toBe(0);
  });

  it('decides no replacement at a time further ahead of the clock than it may drift, whatever time its event carried', async () => {
    const result = await simulate({ ...OPTIONS, seed: 1, days: 2 });
    const tookEffect = new Map(result.calls.filter((call) => call.kind === 'terminate' && call.outcome === 'ok').map((call) => [call.instanceId, call.at]));
    const recorded = result.records.flatMap((record) => {
      const at = tookEffect.get(record.instanceId);
      return record.terminatedAt === undefined || at === undefined ? [] : [record.terminatedAt - at];
    });
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((ahead) => ahead > TRUSTED_CLOCK_SKEW)).toEqual([]);
  });
});

describe('the operator script', () => {
  const fleet = buildScenario('operator', { ...OPTIONS, seed: 1 });
  const moves = drawOperatorMoves(fleet, { ...OPTIONS, seed: 1 });
  const script = buildScript('operator', fleet, { ...OPTIONS, seed: 1 });

  it('plays on the steady fleet, with Describe lagging writes by up to a minute', () => {
    expect(fleet).toEqual(buildScenario('steady', { ...OPTIONS, seed: 1 }));
    expect(script.describeLag).toBe(OPERATOR_DESCRIBE_LAG);
  });

  it('is the same for the same seed and another for another', () => {
    expect(drawOperatorMoves(fleet, { ...OPTIONS, seed: 1 })).toEqual(moves);
    expect(drawOperatorMoves(fleet, { ...OPTIONS, seed: 2 })).not.toEqual(moves);
  });

  const count = <T>(items: readonly T[], test: (item: T) => boolean): number => items.filter(test).length;
  const aimed = (group: string | { readonly surging: number }): boolean => typeof group !== 'string';

  it.each([
    { case: 'account mode switches off or to dry-run', seen: count(moves.world, (move) => move.kind === 'mode'), min: 20 },
    {
      case: 'phoenix:enabled changes aimed at surges in flight',
      seen: count(moves.world, (move) => move.kind === 'tag' && move.key === 'phoenix:enabled' && aimed(move.group)),
      min: 200,
    },
    {
      case: 'phoenix:enabled near misses (padded or misspelt true)',
      seen: count(moves.world, (move) => move.kind === 'tag' && ['true ', 'ture', 'True'].includes(move.value)),
      min: 100,
    },
    { case: 'budget changes', seen: count(moves.world, (move) => move.kind === 'tag' && move.key === 'phoenix:budget'), min: 50 },
    { case: 'min-healthy changes', seen: count(moves.world, (move) => move.kind === 'tag' && move.key === 'phoenix:min-healthy'), min: 50 },
    { case: 'windows closing on surges', seen: count(moves.world, (move) => move.kind === 'close-window'), min: 100 },
    { case: 'quarantines lifted', seen: count(moves.world, (move) => move.kind === 'release'), min: 50 },
    { case: 'ticks delivered twice', seen: count(moves.ticks, (move) => move.twice), min: 40 },
    { case: 'ticks delivered late', seen: count(moves.ticks, (move) => move.lateBy > 0), min: 40 },
    { case: 'ticks with an event time days ahead', seen: count(moves.ticks, (move) => move.eventAhead > TRUSTED_CLOCK_SKEW), min: 10 },
    {
      case: 'ticks with an event time slightly ahead',
      seen: count(moves.ticks, (move) => move.eventAhead > 0 && move.eventAhead <= TRUSTED_CLOCK_SKEW),
      min: 10,
    },
    { case: 'ticks killed between two calls', seen: count(moves.ticks, (move) => move.killAfter !== undefined), min: 50 },
    { case: 'verifier runs overlapping a tick', seen: count(moves.ticks, (move) => move.verifier !== undefined), min: 100 },
  ])('makes $case over 14 days', ({ seen, min }) => {
    expect(seen).toBeGreaterThanOrEqual(min);
  });

  it('changes the deliveries of ticks on the recycler’s schedule, whatever its interval', () => {
    const every15 = drawOperatorMoves(fleet, { ...OPTIONS, seed: 1, tickInterval: 15 * MINUTE });
    expect(every15.ticks.length).toBeGreaterThan(0);
    expect(every15.ticks.every((move) => (move.at - OPTIONS.start) % (15 * MINUTE) === 0)).toBe(true);
  });

  it('keeps every move inside the run', () => {
    const end = OPTIONS.start + OPTIONS.days * DAY;
    expect([...moves.world, ...moves.ticks].every((move) => move.at >= OPTIONS.start && move.at < end)).toBe(true);
  });
});
