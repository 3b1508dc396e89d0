import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../functions/core/model.js';
import { parseReportJson } from '../../functions/report/json.js';
import type { SimFleet } from '../../sim/fleet.js';
import { buildScenario } from '../../sim/scenarios.js';
import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { cli } from '../support/cli.js';
import { SIM_START_NOON } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';
import { fleetOf, spec } from '../support/sim-fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

/** A fixed-size group (min = max = desired = 4) that opted in to max-surge; default recovery-timeout 20m. */
const FIXED = spec({ min: 4, max: 4, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:max-surge': '1' } });
/** Twice recovery-timeout plus three ticks after the raise: the latest a raised max may still be raised. */
const MAX_DEADLINE = SIM_START_NOON + 2 * 20 * MINUTE + 3 * 10 * MINUTE;

describe('the referee judges max size from what happened to the group', () => {
  it.each<{ case: string; act: (fleet: SimFleet) => Promise<void>; expected: Partial<typeof NO_VIOLATIONS> }>([
    {
      case: 'raised and given back exactly once desired came back: nothing broken',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        await fleet.setDesiredCapacity('web', 5);
        fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
        await fleet.setDesiredCapacity('web', 4);
        await fleet.setMaxSize('web', 4);
        fleet.advanceTo(MAX_DEADLINE + 1);
      },
      expected: {},
    },
    {
      case: 'raised and never given back: maxLeftRaised once, at its deadline',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        fleet.advanceTo(MAX_DEADLINE);
        expect(fleet.violations().maxLeftRaised).toBe(0);
        fleet.advanceTo(MAX_DEADLINE + 1);
        fleet.advanceTo(MAX_DEADLINE + 60 * MINUTE);
      },
      expected: { maxLeftRaised: 1 },
    },
    {
      case: 'the surge given back but max left raised past recovery-timeout and two ticks from then',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        await fleet.setDesiredCapacity('web', 5);
        fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
        await fleet.setDesiredCapacity('web', 4);
        fleet.advanceTo(SIM_START_NOON + 5 * MINUTE + 40 * MINUTE + 1);
      },
      expected: { maxLeftRaised: 1 },
    },
    {
      case: 'given back to another size than before the raise: maxNotRestored',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        await fleet.setMaxSize('web', 6);
        await fleet.setMaxSize('web', 5);
      },
      expected: { maxNotRestored: 1 },
    },
    {
      case: 'lowered below desired capacity (Auto Scaling cuts desired with it): maxNotRestored',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        await fleet.setDesiredCapacity('web', 5);
        await fleet.setMaxSize('web', 4);
      },
      expected: { maxNotRestored: 1, desiredNotRestored: 0 },
    },
    {
      case: 'its owner set max meanwhile: the raise is theirs, and Phoenix lowering it is maxNotRestored',
      act: async (fleet) => {
        await fleet.setMaxSize('web', 5);
        fleet.setMaxExternally('web', 7);
        fleet.advanceTo(MAX_DEADLINE + 1);
        expect(fleet.violations().maxLeftRaised).toBe(0);
        await fleet.setMaxSize('web', 4);
      },
      expected: { maxNotRestored: 1 },
    },
    {
      case: 'a max size call on a group without phoenix:max-surge=1 is outside opt-in (IAM refuses it)',
      act: async (fleet) => {
        fleet.setGroupTag('web', 'phoenix:max-surge', undefined);
        await fleet.setMaxSize('web', 5);
      },
      expected: { outsideOptIn: 1 },
    },
  ])('$case', async ({ act, expected }) => {
    const fleet = fleetOf([FIXED]);
    await act(fleet);
    expect(fleet.violations()).toEqual({ ...NO_VIOLATIONS, ...expected });
  });

  it('Auto Scaling refuses a max size below min size, and a desired capacity above max size', async () => {
    const fleet = fleetOf([FIXED]);
    await expect(fleet.setMaxSize('web', 3)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(fleet.setDesiredCapacity('web', 5)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(fleet.view('web')).toMatchObject({ max: 4, desired: 4 });
  });
});

describe('fixed-size: groups at their max size beside the steady fleet, with crashes, faults, brakes and owners aimed at raised max sizes', () => {
  const options: SimulationOptions = { ...DEFAULT_SIMULATION, scenario: 'fixed-size', groups: 20, size: 8, days: 4 };

  it('adds fixed-size groups to the steady fleet, one in four of them without max-surge', () => {
    const fleet = buildScenario('fixed-size', options);
    const fixed = fleet.filter((group) => group.name.startsWith('fixed-'));
    expect(fleet.slice(0, fleet.length - fixed.length)).toEqual(buildScenario('steady', options));
    expect(fixed).toHaveLength(5);
    for (const group of fixed) expect(group).toMatchObject({ min: 8, max: 8, desired: 8 });
    expect(fixed.filter((group) => group.tags['phoenix:max-surge'] === undefined).map((group) => group.name)).toEqual(['fixed-004']);
  });

  it.each([1, 2, 3])('seed %i: every violation 0, max sizes raised and given back, the group without max-surge never touched', async (seed) => {
    const result = await simulate({ ...options, seed });
    expect(result.summary.violations).toEqual(NO_VIOLATIONS);
    expect(result.summary.maxSize.raised).toBeGreaterThan(10);
    expect(result.summary.maxSize.restored).toBeGreaterThan(result.summary.maxSize.raised / 2);
    expect(result.summary.failedTicks).toBeGreaterThan(0);
    expect(result.summary.notices).toBeGreaterThan(0);
    const maxCalls = result.calls.filter((call) => call.kind === 'set-max');
    expect(maxCalls.every((call) => call.group.startsWith('fixed-') && call.group !== 'fixed-004')).toBe(true);
    expect(result.groups.find((group) => group.group === 'fixed-004')?.skips['at-max-capacity']).toBeGreaterThan(0);
    const fixedRecycled = result.groups.filter((group) => group.group.startsWith('fixed-')).reduce((sum, group) => sum + group.recycled['max-age'], 0);
    expect(fixedRecycled).toBeGreaterThan(0);
  });
});

describe('fixed-size: the weekly report names the max sizes left to their owners', () => {
  it.each([1, 2, 3])('seed %i: each group listed had a raise the fleet never saw given back, and some are listed', async (seed) => {
    const args = ['--scenario', 'fixed-size', '--groups', '20', '--size', '8', '--days', '7', '--seed', String(seed)];
    const [printed, result] = await Promise.all([
      cli(['simulate', ...args, '--report', 'json']),
      simulate({ ...DEFAULT_SIMULATION, scenario: 'fixed-size', groups: 20, size: 8, days: 7, seed }),
    ]);
    const listed = parseReportJson(printed.stdout)
      .needsAttention.filter((finding) => finding.kind === 'max-left-raised')
      .map((finding) => finding.group);
    // From the fleet's own call log: a raise by Phoenix that the group's next max size call by Phoenix did not lower.
    const open = new Set<string>();
    const leftWith = new Set<string>();
    for (const call of result.calls) {
      if (call.kind !== 'set-max' || call.outcome !== 'ok' || call.maxSize === undefined || call.fromMax === undefined) continue;
      const raise = call.maxSize > call.fromMax;
      if (open.has(call.group) && raise) leftWith.add(call.group);
      if (raise) open.add(call.group);
      else open.delete(call.group);
    }
    for (const group of open) leftWith.add(group);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((group) => !leftWith.has(group))).toEqual([]);
  });
});
