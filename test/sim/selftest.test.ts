import { describe, expect, it } from 'vitest';
import { TAG } from '../../functions/core/policy/policy.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const OPTIONS: SimulationOptions = { ...DEFAULT_SIMULATION, scenario: 'selftest', groups: 20, size: 10, days: 7 };

/** The run's self-test group and decoy, as the scenario marked them in its fleet. */
function selftestGroups(seed: number) {
  const fleet = buildScenario('selftest', { ...OPTIONS, seed });
  const subject = fleet.find((spec) => spec.tags[TAG.selftest] === 'true' && spec.tags[TAG.enabled] !== undefined)?.name;
  const decoy = fleet.find((spec) => spec.tags[TAG.selftest] === 'true' && spec.tags[TAG.enabled] === undefined)?.name;
  return { fleet, subject, decoy };
}

describe('selftest: self-test recycles and taint probes pressed every tick, aimed at the self-test group and at every other', () => {
  it('plays on the steady fleet with one opted-in self-test group and one decoy', () => {
    const { fleet, subject, decoy } = selftestGroups(1);
    expect(subject).toBeDefined();
    expect(decoy).toBeDefined();
    expect(fleet.filter((spec) => spec.tags[TAG.selftest] !== undefined)).toHaveLength(2);
  });

  it.each([1, 2, 3])(
    'seed %i: no safety rule broken, every request for another group refused, the decoy never touched, no taint probe written',
    async (seed) => {
      const { fleet, subject, decoy } = selftestGroups(seed);
      const result = await simulate({ ...OPTIONS, seed });
      expect(result.summary.violations).toEqual(NO_VIOLATIONS);
      expect(result.summary.terminationsAfterQuarantine).toBe(0);
      const script = buildScript('selftest', fleet, { ...OPTIONS, seed });
      const invocations = [...(script.deliveries?.values() ?? [])].flat().flatMap((delivery) => delivery.invocations);
      const requests = invocations.flatMap((run) => (run.selftest === undefined ? [] : [run.selftest]));
      expect(result.selftest.runs).toBe(requests.length);
      expect(result.selftest.refused).toBe(requests.filter((request) => request.group !== subject).length);
      expect(result.selftest.failures).toEqual([]);
      expect(result.calls.filter((call) => call.group === decoy)).toEqual([]);
      // Every taint probe, aimed at instances of groups (the self-test's own among them, marked as the self-test's or not), refused: no taint landed.
      const probes = invocations.filter((run) => run.run === 'taint-probe');
      expect(probes.length).toBeGreaterThan(1000);
      expect(result.taintProbes.runs).toBe(probes.length);
      expect(result.taintProbes).toMatchObject({ refused: probes.length, failures: [], written: [] });
      // The self-test group was recycled through its first rule, the touch, again and again.
      expect(result.calls.filter((call) => call.group === subject && call.kind === 'terminate' && call.outcome === 'ok').length).toBeGreaterThan(20);
    },
  );
});
