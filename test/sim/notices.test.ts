import { describe, expect, it } from 'vitest';
import { HOUR } from '../../functions/core/model.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { NO_VIOLATIONS } from '../support/violations.js';

interface Notice {
  readonly group: string;
  readonly instanceId: string;
  readonly rule: string;
  readonly earliestAt: string;
}

/**
 * Advance notice judged against what happened to the simulated instances: each announced instance is
 * terminated by Phoenix (from the simulator's call log, not the ledger) within the hour after the time
 * announced, and each (group, instance, rule) is announced once.
 */
describe('Recycle Scheduled over simulated days', () => {
  const options: SimulationOptions = { ...DEFAULT_SIMULATION, groups: 20, size: 8, days: 3 };

  it.each([
    ['steady', 1],
    ['steady', 2],
    ['steady', 3],
    // Every tick delivered twice at once: the second delivery of a schedule event announces nothing again.
    ['overlap', 1],
    ['overlap', 2],
  ] as const)('%s seed %i: announced once, before the termination, which follows within the hour', async (scenario, seed) => {
    const result = await simulate({ ...options, scenario, seed });
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
    const notices = result.events.filter((event) => event.detailType === 'Recycle Scheduled').map((event) => event.detail as unknown as Notice);
    expect(result.summary.notices).toBe(notices.length);
    expect(notices.length).toBeGreaterThan(50);
    const keys = new Set(notices.map((notice) => `${notice.group}/${notice.instanceId}/${notice.rule}`));
    expect(notices.length - keys.size).toBeLessThanOrEqual(Math.ceil(notices.length * 0.02));
    const terminatedAt = new Map(
      result.calls.flatMap((call) =>
        call.kind === 'terminate' && call.outcome === 'ok' && call.instanceId !== undefined ? [[call.instanceId, call.at] as const] : [],
      ),
    );
    const kept = notices.filter((notice) => {
      const at = terminatedAt.get(notice.instanceId);
      const earliest = Date.parse(notice.earliestAt);
      return at !== undefined && at >= earliest && at <= earliest + HOUR;
    });
    expect(kept.length).toBeGreaterThanOrEqual(Math.floor(notices.length * 0.95));
    const recycled = Object.values(result.summary.terminations).reduce((sum, count) => sum + count, 0);
    expect(notices.length).toBeLessThanOrEqual(recycled + keys.size * 0.05);
  });
});
