import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../functions/core/model.js';
import type { SimGroupSpec } from '../../sim/fleet.js';
import type { Delivery, Invocation } from '../../sim/script.js';
import { DEFAULT_SIMULATION, simulate, simulateFleet } from '../../sim/simulate.js';
import type { SimulationResult } from '../../sim/summary.js';
import { OPTED_IN } from '../support/fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

describe('a simulated week of the steady scenario', async () => {
  const week = await simulate(DEFAULT_SIMULATION);

  it('recycles instances and verifies every replacement', () => {
    const { terminations, recoveries } = week.summary;
    expect(terminations['max-age']).toBeGreaterThan(0);
    expect(terminations.chaos).toBeGreaterThan(0);
    expect(recoveries.verified).toBeGreaterThan(0);
    expect(recoveries.failed).toBe(0);
    expect(week.summary.quarantined).toEqual([]);
  });

  it('breaks no safety rule, as the simulator measured it', () => {
    expect(week.summary.violations).toEqual(NO_VIOLATIONS);
  });

  it('keeps at least 99.9% of instance-hours within max-age plus one tick', () => {
    expect(week.summary.withinMaxAgePct).toBeGreaterThanOrEqual(99.9);
  });

  it('never acts in dry-run or disabled groups, but says what a dry-run group would do', () => {
    const dryRun = week.groups.filter((group) => group.mode === 'dry-run');
    const disabled = week.groups.filter((group) => group.mode === 'disabled');
    expect(dryRun.length).toBeGreaterThan(0);
    expect(disabled.length).toBeGreaterThan(0);
    for (const group of [...dryRun, ...disabled]) expect(Object.values(group.recycled).every((count) => count === 0)).toBe(true);
    expect(dryRun.some((group) => group.wouldRecycle > 0)).toBe(true);
  });

  it('is the same week on every run with the same seed, and another week with another seed', async () => {
    expect((await simulate(DEFAULT_SIMULATION)).summary).toEqual(week.summary);
    expect((await simulate({ ...DEFAULT_SIMULATION, seed: 2 })).summary).not.toEqual(week.summary);
  });
});

describe('the bad-tags scenario', async () => {
  const week = await simulate({ ...DEFAULT_SIMULATION, scenario: 'bad-tags', days: 1 });

  it('skips each group with a malformed tag, naming the tag and the value', () => {
    expect(week.summary.skips['bad-tags']).toBeGreaterThan(0);
    const reasons = new Set(week.ticks[0]?.decisions.flatMap((decision) => (decision.kind === 'skip' && decision.reason === 'bad-tags' ? [decision.why] : [])));
    expect([...reasons].some((why) => why.includes('phoenix:max-age="7days"'))).toBe(true);
    expect([...reasons].some((why) => why.includes('phoenix:budget="2/fortnight"'))).toBe(true);
  });

  it('still recycles in the groups whose tags parse, safely', () => {
    expect(Object.values(week.summary.terminations).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    expect(Object.values(week.summary.violations).every((count) => count === 0)).toBe(true);
  });
});

describe('ticks delivered as EventBridge and Lambda may deliver them', () => {
  const SECOND = 1000;
  /** One group whose oldest instance is past max-age: the first tick that runs surges, at the time it decides. */
  const web: SimGroupSpec = {
    name: 'web',
    desired: 3,
    min: 1,
    max: 5,
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
    launchTemplate: { id: 'lt-1', version: '3' },
    instances: [{ age: 8 * DAY }, { age: 2 * DAY }, { age: DAY }],
    launchDelay: { min: 90 * SECOND, max: 90 * SECOND },
  };
  const options = { ...DEFAULT_SIMULATION, groups: 1, size: 3, days: 1 / 24 };
  const START = options.start;
  const tick: Invocation = { run: 'tick', eventAhead: 0 };
  const deliver = (...deliveries: Delivery[]) =>
    simulateFleet(options, [web], { events: [], invocationsPerTick: 1, deliveries: new Map([[START, deliveries]]) });
  const raises = (result: SimulationResult) => result.calls.filter((call) => call.kind === 'set-desired' && call.desired === 4);

  it.each([
    { case: 'on time', delivery: { lateBy: 0, invocations: [tick] }, decidesAt: START, runsAt: START },
    {
      case: '4 minutes late (its event keeps the scheduled time)',
      delivery: { lateBy: 4 * MINUTE, invocations: [tick] },
      decidesAt: START + 4 * MINUTE,
      runsAt: START + 4 * MINUTE,
    },
    {
      case: 'with an event time 90 seconds ahead, within a clock’s drift',
      delivery: { lateBy: 0, invocations: [{ ...tick, eventAhead: 90 * SECOND }] },
      decidesAt: START + 90 * SECOND,
      runsAt: START,
    },
    {
      case: 'with an event time 3 days ahead, beyond any drift',
      delivery: { lateBy: 0, invocations: [{ ...tick, eventAhead: 3 * DAY }] },
      decidesAt: START,
      runsAt: START,
    },
  ])('$case: decides when the deployed handler would', async ({ delivery, decidesAt, runsAt }) => {
    const result = await deliver(delivery);
    expect(result.records[0]?.startedAt).toBe(decidesAt);
    expect(raises(result)[0]?.at).toBe(runsAt);
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
  });

  it('twice at once: both run, one surge', async () => {
    const result = await deliver({ lateBy: 0, invocations: [tick, tick] });
    expect(result.ticks.filter((run) => run.at === START)).toHaveLength(2);
    expect(raises(result)).toHaveLength(1);
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
  });

  it('with a verifier run started alongside: both run, counted as one tick and one verifier run', async () => {
    const alone = await deliver({ lateBy: 0, invocations: [tick] });
    const together = await deliver({ lateBy: 0, invocations: [tick, { run: 'verify', eventAhead: 0 }] });
    expect(together.summary.verifierRuns).toBe(alone.summary.verifierRuns + 1);
    expect(together.ticks.filter((run) => run.at === START)).toHaveLength(1);
  });

  it.each([
    {
      case: 'after its first call: nothing it would do later happens, the next tick surges',
      killAfter: 1,
      failed: true,
      firstRaise: START + options.tickInterval,
    },
    { case: 'after more calls than it makes: it was never killed', killAfter: 100, failed: false, firstRaise: START },
  ])('killed $case', async ({ killAfter, failed, firstRaise }) => {
    const result = await deliver({ lateBy: 0, invocations: [{ ...tick, killAfter }] });
    expect(result.tickFailures.filter((failure) => failure.at === START)).toEqual(
      failed ? [{ at: START, error: 'RunKilled: killed after 1 port call, before list' }] : [],
    );
    expect(raises(result)[0]?.at).toBe(firstRaise);
  });
});
