import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import { accuracy, predictAndObserve } from '../../sim/deadline-check.js';
import { INFEASIBLE_KINDS } from '../../sim/infeasible.js';
import { DEFAULT_SIMULATION, simulateFleet } from '../../sim/simulate.js';
import { OPTED_IN } from '../support/fleet.js';
import { fleetOf, spec } from '../support/sim-fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const RUN = { ...DEFAULT_SIMULATION, scenario: 'infeasible' as const, groups: INFEASIBLE_KINDS.length, size: 10, days: 14 };

describe('age debt, as the simulator measures it from its instances', async () => {
  // One instance an hour short of max-age 7d; its window opens only on Saturdays, five days away.
  const late = spec({
    name: 'late',
    size: 1,
    instances: [{ age: 7 * DAY - HOUR }],
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:window': 'Sat 02:00-03:00 UTC' },
  });
  // As old, but in dry-run: Phoenix never acts there, so its age is not Phoenix's debt.
  const dryRun = spec({ name: 'watching', size: 1, instances: [{ age: 7 * DAY - HOUR }], tags: { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '7d' } });
  const result = await simulateFleet({ ...DEFAULT_SIMULATION, days: 1 }, [late, dryRun], { events: [], invocationsPerTick: 1 });

  it('counts the hours in service past max-age of live groups only: 23 of the day', () => {
    expect(result.summary.ageDebtHours).toBe(23);
    expect(result.summary.infeasibleGroups).toEqual(['late']);
  });

  it('dates the breach at the moment the instance passed max-age', () => {
    expect(result.firstBreaches.get('late')).toBe(DEFAULT_SIMULATION.start + HOUR);
  });
});

describe('a breach is an instance kept in service more than one tick past max-age', () => {
  // Five minutes short of max-age 7d at the start; nothing runs the recycler, so it stays.
  const fleet = fleetOf([spec({ size: 1, instances: [{ age: 7 * DAY - 5 * MINUTE }] })], { start: DEFAULT_SIMULATION.start });

  it('within the tick it is debt only', () => {
    fleet.advanceTo(DEFAULT_SIMULATION.start + 12 * MINUTE);
    const debt = fleet.ageDebt(DEFAULT_SIMULATION.start + 12 * MINUTE, 10 * MINUTE);
    expect(debt.hours * 60).toBeCloseTo(7);
    expect([...debt.firstBreaches]).toEqual([]);
  });

  it('past it, a breach dated when the instance reached max-age', () => {
    fleet.advanceTo(DEFAULT_SIMULATION.start + 20 * MINUTE);
    expect(fleet.ageDebt(DEFAULT_SIMULATION.start + 20 * MINUTE, 10 * MINUTE).firstBreaches.get('web')).toBe(DEFAULT_SIMULATION.start + 5 * MINUTE);
  });
});

describe('the infeasible scenario', async () => {
  const check = await predictAndObserve({ ...RUN, seed: 1 });
  const { summary } = check.result;

  it('breaks no safety rule while groups fall behind', () => {
    expect(summary.violations).toEqual(NO_VIOLATIONS);
  });

  it('has the groups whose window and budget cannot keep up breach, and the others not', () => {
    const kindsBreaching = new Set(summary.infeasibleGroups.map((name) => name.replace(/-\d+$/, '')));
    for (const kind of ['narrow-window', 'night-window', 'thin-budget', 'launched-together']) expect(kindsBreaching).toContain(kind);
    for (const kind of ['keeps-up', 'long-days']) expect(kindsBreaching).not.toContain(kind);
    expect(summary.ageDebtHours).toBeGreaterThan(0);
  });

  it('is predicted from the start within one tick and one replacement, given the typical replacement time', () => {
    const figures = accuracy(check.withTypical, RUN.tickInterval);
    expect(figures.predictedOnly + figures.observedOnly).toBe(0);
    expect(figures.withinTarget).toBe(figures.breaching);
    expect(figures.breaching).toBe(summary.infeasibleGroups.length);
  });

  it('without history, the three-tick estimate errs only towards breaching sooner or more', () => {
    const figures = accuracy(check.withEstimate, RUN.tickInterval);
    expect(figures.observedOnly).toBe(0);
    for (const pair of check.withEstimate) {
      if (pair.predicted !== undefined && pair.observed !== undefined) expect(pair.predicted).toBeLessThanOrEqual(pair.observed);
    }
  });
});
