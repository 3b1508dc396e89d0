import { describe, expect, it } from 'vitest';
import { DAY } from '../../functions/core/model.js';
import type { SimGroupSpec } from '../../sim/fleet.js';
import { DEFAULT_SIMULATION, simulate, simulateFleet, VERIFIER_DELIVERY_DELAY } from '../../sim/simulate.js';
import type { SimulationResult } from '../../sim/summary.js';
import { OPTED_IN } from '../support/fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const SECOND = 1000;

describe('the verifier runs on Auto Scaling events, not only at recycler ticks', () => {
  it('steady week: recovery is measured from events, well under the old tick-bound 1200 s, safely', async () => {
    const { summary } = await simulate(DEFAULT_SIMULATION);
    // Seen with seed 1: p50 335 s, p95 505 s, max 520 s (every one was 1200 s when only ticks verified).
    expect(summary.recoveries.verified).toBeGreaterThan(1000);
    expect(summary.recoveries.failed).toBe(0);
    expect(summary.recoveries.p50Seconds).toBeLessThan(600);
    expect(summary.recoveries.maxSeconds).toBeLessThan(1200);
    expect(summary.violations).toEqual(NO_VIOLATIONS);
    expect(summary.terminationsAfterQuarantine).toBe(0);
    expect(summary.ticks).toBe(7 * 24 * 6);
    // One run per launch and per termination event, plus a sweep at each 5-minute mark between ticks.
    expect(summary.verifierRuns).toBeGreaterThan(2 * summary.recoveries.verified + summary.ticks - 1);
    expect(summary.failedVerifierRuns).toBe(0);
  });

  describe('one hand-built group whose oldest instance is past max-age at the start', async () => {
    const LAUNCH = 90 * SECOND;
    const TERMINATE_HOOK = 60 * SECOND;
    const web: SimGroupSpec = {
      name: 'web',
      desired: 3,
      min: 1,
      max: 5,
      tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
      launchTemplate: { id: 'lt-1', version: '3' },
      instances: [{ age: 8 * DAY }, { age: 2 * DAY }, { age: DAY }],
      launchDelay: { min: LAUNCH, max: LAUNCH },
      terminateHookWait: TERMINATE_HOOK,
    };
    const options = { ...DEFAULT_SIMULATION, groups: 1, size: 3, days: 1 };
    const result: SimulationResult = await simulateFleet(options, [web], { events: [], invocationsPerTick: 1 });
    const record = result.records.find((candidate) => candidate.surge !== undefined);
    const surgeAt = record?.startedAt ?? Number.NaN;
    const terminate = result.calls.find((call) => call.kind === 'terminate' && call.instanceId === record?.instanceId);
    const inService = result.lifecycleEvents.find((event) => event.detailType === 'EC2 Instance Launch Successful' && event.at > surgeAt);
    const gone = result.lifecycleEvents.find((event) => event.detailType === 'EC2 Instance Terminate Successful' && event.instanceId === record?.instanceId);

    it('surges at the first tick, and the extra instance is InService one launch delay later', () => {
      expect(surgeAt).toBe(options.start);
      expect(inService?.at).toBe(surgeAt + LAUNCH);
    });

    it('terminates the old instance within seconds of the launch event, not at the next tick', () => {
      expect(terminate?.outcome).toBe('ok');
      expect(terminate?.at).toBe((inService?.at ?? Number.NaN) + VERIFIER_DELIVERY_DELAY);
      expect(terminate?.at).toBeLessThan(options.start + options.tickInterval);
    });

    it('verifies the recovery within seconds of the old instance being gone', () => {
      expect(gone?.at).toBeGreaterThan(terminate?.at ?? Number.NaN);
      expect(record?.phase).toBe('verified');
      expect(record?.closedAt).toBe((gone?.at ?? Number.NaN) + VERIFIER_DELIVERY_DELAY);
      expect(result.summary.recoveries.verified).toBeGreaterThanOrEqual(1);
      expect(result.summary.recoveries.p50Seconds).toBeLessThan(300);
      expect(result.summary.violations).toEqual(NO_VIOLATIONS);
    });
  });

  it('launch-failure: the failing group still ends quarantined, with nothing terminated there afterwards', async () => {
    const result = await simulate({ ...DEFAULT_SIMULATION, scenario: 'launch-failure' });
    expect(result.summary.quarantined).toHaveLength(1);
    expect(result.summary.recoveries.failed).toBeGreaterThanOrEqual(1);
    expect(result.summary.terminationsAfterQuarantine).toBe(0);
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
    expect(result.lifecycleEvents.some((event) => event.detailType === 'EC2 Instance Launch Unsuccessful')).toBe(true);
  });
});
