import { describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER } from '../../functions/core/decide/versions.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { ScriptEvent } from '../../sim/script.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulate, simulateFleet } from '../../sim/simulate.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const BAD_IMAGE = 'ami-0bad0000000000bad';

describe.each(['bad-version', 'bad-launch'] as const)('%s: a bad release reaches a third of the groups', (scenario) => {
  const options: SimulationOptions = { ...DEFAULT_SIMULATION, scenario };

  it('is stopped by one failed recovery, its canary, and nothing is launched onto it after the block', async () => {
    const { summary } = await simulate(options);
    expect(summary.versions.groupsOnBadVersion).toBeGreaterThanOrEqual(10);
    expect(summary.recoveries.failed).toBeLessThanOrEqual(DEFAULT_BREAKER.failuresToBlock);
    expect(summary.quarantined.length).toBeLessThanOrEqual(DEFAULT_BREAKER.failuresToBlock);
    expect(summary.versions.replacementsOntoBadVersion).toBeLessThanOrEqual(DEFAULT_BREAKER.failuresToBlock);
    expect(summary.versions.replacementsOntoBlockedVersion).toBe(0);
    expect(summary.versions.blockedVersions).toContain(BAD_IMAGE);
    expect(summary.skips['version-blocked']).toBeGreaterThan(0);
    expect(summary.violations).toEqual(NO_VIOLATIONS);
  });

  it('groups on good versions keep recycling as they would have had the release been good', async () => {
    const specs = buildScenario(scenario, options);
    const script = buildScript(scenario, specs, options);
    const good = {
      ...script,
      events: script.events.map((event): ScriptEvent => {
        if (event.kind !== 'deploy') return event;
        const { bad: _bad, ...goodRelease } = event.release ?? {};
        return { ...event, release: goodRelease };
      }),
    };
    const [withBad, withGood] = await Promise.all([simulateFleet(options, specs, script), simulateFleet(options, specs, good)]);
    expect(withGood.summary.versions.replacementsOntoBadVersion).toBe(0);
    expect(Math.abs(withBad.summary.versions.withinMaxAgePctElsewhere - withGood.summary.versions.withinMaxAgePctElsewhere)).toBeLessThanOrEqual(0.1);
  });
});
