import { describe, expect, it } from 'vitest';
import { DAY } from '../../functions/core/model.js';
import { parseGroupPolicy } from '../../functions/core/policy/tags.js';
import type { PhoenixCall } from '../../sim/fleet.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, SCENARIOS, simulate } from '../../sim/simulate.js';
import type { SimulationResult } from '../../sim/summary.js';
import { terminationsAfterQuarantine } from '../../sim/summary.js';
import { NO_VIOLATIONS } from '../support/violations.js';

function totalTerminations(result: SimulationResult): number {
  return Object.values(result.summary.terminations).reduce((sum, count) => sum + count, 0);
}

/** Terminations the simulator saw take effect: the recycler must have reported every one of them. */
function terminationsTakingEffect(result: SimulationResult): number {
  return result.calls.filter((call) => call.kind === 'terminate' && call.outcome === 'ok').length;
}

function expectSafe(result: SimulationResult): void {
  expect(result.summary.violations).toEqual(NO_VIOLATIONS);
  expect(result.summary.terminationsAfterQuarantine).toBe(0);
  expect(totalTerminations(result) + result.summary.extraInstancesTakenBack).toBe(terminationsTakingEffect(result));
}

function run(options: Partial<SimulationOptions>): Promise<SimulationResult> {
  return simulate({ ...DEFAULT_SIMULATION, ...options });
}

describe('the scenario list', () => {
  it('offers every fault scenario, and the operator', () => {
    expect([...SCENARIOS].sort()).toEqual([
      'bad-launch',
      'bad-tags',
      'bad-version',
      'fixed-size',
      'infeasible',
      'launch-failure',
      'operator',
      'overlap',
      'scale-churn',
      'selftest',
      'snooze',
      'steady',
      'taint',
      'throttle',
    ]);
  });
});

describe('terminationsAfterQuarantine', () => {
  const call = (at: number, kind: PhoenixCall['kind'], group: string, extra: Partial<PhoenixCall> = {}): PhoenixCall => ({
    at,
    kind,
    group,
    outcome: 'ok',
    violations: [],
    ...extra,
  });

  it('counts terminations that took effect between the quarantine tag and its removal, in that group only', () => {
    const calls = [
      call(1, 'terminate', 'a'),
      call(2, 'tag', 'a'),
      call(2, 'terminate', 'a'),
      call(3, 'terminate', 'b'),
      call(4, 'terminate', 'a', { outcome: 'rejected' }),
      call(5, 'untag', 'a'),
      call(6, 'terminate', 'a'),
    ];
    expect(terminationsAfterQuarantine(calls)).toBe(1);
  });

  it('ignores a quarantine tag write that did not take effect', () => {
    expect(terminationsAfterQuarantine([call(1, 'tag', 'a', { outcome: 'fault' }), call(2, 'terminate', 'a')])).toBe(0);
  });
});

describe('launch-failure: one group stops launching on day 2', async () => {
  const options = { ...DEFAULT_SIMULATION, scenario: 'launch-failure' as const, days: 7 };
  const [failing] = buildScript('launch-failure', buildScenario('launch-failure', options), options).events;
  const result = await simulate(options);

  it('picks a live max-age group with min-healthy 100 and starts failing it at the start of day 2', () => {
    expect(failing).toMatchObject({ kind: 'fail-launches', at: options.start + DAY });
    const spec = buildScenario('launch-failure', options).find((group) => group.name === (failing?.kind === 'fail-launches' ? failing.group : ''));
    const parsed = parseGroupPolicy(spec?.tags ?? {});
    expect(parsed.ok && parsed.policy.mode === 'live' && parsed.policy.maxAge !== undefined && parsed.policy.minHealthyPercent === 100).toBe(true);
  });

  it('records Recovery Failed and quarantines exactly that group, with the tag written on the group', () => {
    const group = failing?.kind === 'fail-launches' ? failing.group : '';
    expect(result.summary.recoveries.failed).toBeGreaterThanOrEqual(1);
    expect(result.summary.quarantined).toEqual([group]);
    const tagged = result.calls.filter((call) => call.kind === 'tag' && call.outcome === 'ok');
    expect(tagged.map((call) => call.group)).toEqual([group]);
    expect(tagged[0]?.at).toBeGreaterThan(options.start + DAY);
    expect(result.summary.skips.quarantined).toBeGreaterThan(0);
    const last = result.ticks.at(-1)?.decisions.find((decision) => decision.group === group);
    expect(last).toMatchObject({ kind: 'skip', reason: 'quarantined' });
  });

  it('terminates nothing more in the quarantined group, and breaks no safety rule elsewhere', () => {
    expectSafe(result);
    expect(totalTerminations(result)).toBeGreaterThan(0);
  });
});

describe('overlap: every tick runs twice at once', async () => {
  const result = await run({ scenario: 'overlap', days: 2 });

  it('ran both invocations of every tick, and they really raced for groups', () => {
    expect(result.ticks).toHaveLength(2 * result.summary.ticks);
    const lost = result.ticks.flatMap((tick) => tick.outcomes).filter((outcome) => outcome.kind === 'not-acted');
    expect(lost.length).toBeGreaterThan(0);
  });

  it('never terminates twice or overruns a budget, and still recycles', () => {
    expectSafe(result);
    expect(totalTerminations(result)).toBeGreaterThan(0);
    expect(result.summary.recoveries.failed).toBe(0);
  });
});

describe('scale-churn: a scaling policy moves desired capacity every hour', async () => {
  const options = { ...DEFAULT_SIMULATION, scenario: 'scale-churn' as const, days: 3 };
  const script = buildScript('scale-churn', buildScenario('scale-churn', options), options);
  const result = await simulate(options);

  it('moves a few groups by 1 or 2 every hour, within min and max', () => {
    const specs = new Map(buildScenario('scale-churn', options).map((spec) => [spec.name, spec] as const));
    const hours = new Set(script.events.map((event) => event.at));
    expect(hours.size).toBe(3 * 24 - 1);
    for (const event of script.events) {
      if (event.kind !== 'set-desired') throw new Error(`unexpected ${event.kind}`);
      const spec = specs.get(event.group);
      expect(event.desired).toBeGreaterThanOrEqual(spec?.min ?? Infinity);
      expect(event.desired).toBeLessThanOrEqual(spec?.max ?? -Infinity);
    }
  });

  it('keeps recycling without breaking a safety rule or blaming a group for the policy', () => {
    expectSafe(result);
    expect(result.summary.terminations['max-age']).toBeGreaterThan(0);
    expect(result.summary.recoveries.verified).toBeGreaterThan(0);
    expect(result.summary.recoveries.failed).toBe(0);
    expect(result.summary.quarantined).toEqual([]);
  });
});

describe('throttle: a tenth of fleet calls throttled, 2% 5xx', async () => {
  const options = { ...DEFAULT_SIMULATION, scenario: 'throttle' as const, days: 3 };
  const result = await simulate(options);

  it('completes, counting the ticks and actions that failed instead of crashing', () => {
    expect(result.summary.failedTicks).toBeGreaterThan(0);
    expect(result.summary.failedActions).toBeGreaterThan(0);
    expect(result.tickFailures).toHaveLength(result.summary.failedTicks);
    expect(result.ticks.length + result.summary.failedTicks).toBe(result.summary.ticks);
    expect(result.tickFailures.every((failure) => /^(ThrottlingException|ServiceUnavailable): /.test(failure.error))).toBe(true);
  });

  it('still recycles, reports every termination that took effect, and breaks no safety rule', () => {
    expectSafe(result);
    expect(result.summary.terminations['max-age']).toBeGreaterThan(0);
    expect(result.calls.some((call) => call.outcome === 'fault')).toBe(true);
  });

  it('is the same run for the same seed, faults included, and another for another seed', async () => {
    expect((await simulate(options)).summary).toEqual(result.summary);
    expect((await simulate({ ...options, seed: 2 })).summary).not.toEqual(result.summary);
  });
});

describe('fixed-size: groups at their max size recycled beside the steady fleet, with faults and killed runs', async () => {
  const result = await run({ scenario: 'fixed-size', days: 2 });

  it('raises and gives back max sizes, reports every termination that took effect, and breaks no safety rule', () => {
    expectSafe(result);
    expect(result.summary.maxSize.raised).toBeGreaterThan(0);
    expect(result.summary.maxSize.restored).toBeGreaterThan(0);
    expect(result.summary.failedTicks).toBeGreaterThan(0);
  });
});
