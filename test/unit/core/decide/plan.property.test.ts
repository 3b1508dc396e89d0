import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetUse } from '../../../../functions/core/decide/budget.js';
import { capacityOf, healthyFloor, ineligibility } from '../../../../functions/core/decide/fleet-state.js';
import { planTick } from '../../../../functions/core/decide/plan.js';
import { seededRandom } from '../../../../functions/core/decide/random.js';
import type { Group, Instance, LifecycleState, ReplacementRecord } from '../../../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../../../functions/core/model.js';
import { parseGroupPolicy } from '../../../../functions/core/policy/tags.js';
import { isWindowOpen } from '../../../../functions/core/policy/window.js';
import { NOW, OPTED_IN, planInput } from '../../../support/fleet.js';

const states: LifecycleState[] = ['InService', 'InService', 'InService', 'Pending', 'Standby', 'Terminating:Wait'];

const instanceArbitrary = (index: number): fc.Arbitrary<Instance> =>
  fc
    .record({
      lifecycleState: fc.constantFrom(...states),
      healthy: fc.boolean(),
      ageHours: fc.integer({ min: 0, max: 30 * 24 }),
      protectedFromScaleIn: fc.boolean(),
      exempt: fc.constantFrom(undefined, 'true', 'false', 'maybe'),
    })
    .map(({ lifecycleState, healthy, ageHours, protectedFromScaleIn, exempt }) => ({
      id: `i-${index}`,
      lifecycleState,
      healthy,
      launchedAt: NOW - ageHours * HOUR,
      protectedFromScaleIn,
      tags: exempt === undefined ? {} : { 'phoenix:exempt': exempt },
      launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    }));

const groupArbitrary: fc.Arbitrary<Group> = fc
  .record({
    size: fc.integer({ min: 0, max: 12 }),
    desiredDelta: fc.integer({ min: -1, max: 1 }),
    headroom: fc.integer({ min: 0, max: 2 }),
    maxAge: fc.constantFrom('1h', '1d', '3d', '7d'),
    budget: fc.constantFrom('1/hour', '2/hour', '3/day', '10/week'),
    minHealthy: fc.integer({ min: 0, max: 100 }),
    window: fc.constantFrom(undefined, 'Mon-Fri 09:00-17:00 Europe/Berlin', 'Sat-Sun 00:00-24:00 UTC', 'daily 11:00-13:00 UTC'),
    chaos: fc.constantFrom('off', '1h', '2d'),
    seed: fc.nat(),
  })
  .chain((shape) =>
    fc.tuple(...Array.from({ length: shape.size }, (_, index) => instanceArbitrary(index))).map((instances) => {
      const desired = Math.max(0, shape.size + shape.desiredDelta);
      const tags: Record<string, string> = {
        ...OPTED_IN,
        'phoenix:max-age': shape.maxAge,
        'phoenix:budget': shape.budget,
        'phoenix:min-healthy': String(shape.minHealthy),
        'phoenix:chaos': shape.chaos,
      };
      if (shape.window !== undefined) tags['phoenix:window'] = shape.window;
      return {
        name: 'g',
        desired,
        min: 0,
        max: desired + shape.headroom,
        tags,
        instances,
        suspendedProcesses: [],
        scalingActivityInProgress: false,
        instanceRefreshInProgress: false,
        launchSource: { kind: 'template', id: 'lt-1', version: '1' },
      } satisfies Group;
    }),
  );

const recordsArbitrary: fc.Arbitrary<ReplacementRecord[]> = fc.array(
  fc.integer({ min: 1, max: 8 * 24 * 60 }).map((minutesAgo) => ({
    id: `g#${minutesAgo}`,
    group: 'g',
    instanceId: 'i-old',
    reason: 'max-age' as const,
    mode: 'live' as const,
    instanceAgeSeconds: 0,
    startedAt: NOW - minutesAgo * MINUTE - 10 * MINUTE,
    terminatedAt: NOW - minutesAgo * MINUTE,
    phase: 'verified' as const,
  })),
  { maxLength: 12 },
);

describe('plan invariants over random fleets', () => {
  it('a start never breaks eligibility, window, budget or min-healthy', () => {
    fc.assert(
      fc.property(groupArbitrary, recordsArbitrary, fc.nat(), fc.integer({ min: 0, max: 7 * 24 }), (fleet, records, seed, hourShift) => {
        const now = NOW + hourShift * HOUR;
        const [decision] = planTick(planInput({ groups: [fleet], records, now, chaosDraws: () => seededRandom(seed) }));
        if (decision?.kind !== 'start') return;
        const parsed = parseGroupPolicy(fleet.tags);
        if (!parsed.ok) throw new Error('generated tags must parse');
        const victim = fleet.instances.find((instance) => instance.id === decision.instanceId);
        expect(victim).toBeDefined();
        expect(ineligibility(victim as Instance)).toBeUndefined();
        expect(isWindowOpen(parsed.policy.window, now)).toBe(true);
        const use = budgetUse({ records, budget: parsed.policy.budget, now, dryRun: false });
        expect(use.used).toBeLessThan(parsed.policy.budget.count);
        const healthy = capacityOf(fleet).inServiceHealthy;
        if (decision.method === 'terminate') expect(healthy - 1).toBeGreaterThanOrEqual(healthyFloor(fleet.desired, parsed.policy.minHealthyPercent));
        else expect(fleet.desired + 1).toBeLessThanOrEqual(fleet.max);
        expect(healthy).toBeGreaterThanOrEqual(fleet.desired);
      }),
      { numRuns: 400 },
    );
  });

  it('never more starts than the account limit', () => {
    fc.assert(
      fc.property(fc.array(groupArbitrary, { maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (fleets, limit) => {
        const groups = fleets.map((fleet, index) => ({ ...fleet, name: `g${index}` }));
        const decisions = planTick(planInput({ groups, now: NOW + 3 * DAY, chaosDraws: () => seededRandom(7), maxTerminationsPerRun: limit }));
        expect(decisions.filter((decision) => decision.kind === 'start').length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 200 },
    );
  });
});
