import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
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
    const reasons = new Set(
      week.ticks[0]?.decisions.flatMap((decision) => (decision.kind === 'skip' && decision.reason === 'bad-tags' ? [decision.why] : [])),
    );
    expect([...reasons].some((why) => why.includes('phoenix:max-age="7days"'))).toBe(true);
    expect([...reasons].some((why) => why.includes('phoenix:budget="2/fortnight"'))).toBe(true);
  });

  it('still recycles in the groups whose tags parse, safely', () => {
    expect(Object.values(week.summary.terminations).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    expect(Object.values(week.summary.violations).every((count) => count === 0)).toBe(true);
  });
});
