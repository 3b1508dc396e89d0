import type { Violations } from '../../sim/fleet.js';

/** What every simulated run must end with: the simulator measured no broken safety rule. */
export const NO_VIOLATIONS: Violations = {
  belowMinHealthy: 0,
  budgetOverrun: 0,
  outsideOptIn: 0,
  outsideWindow: 0,
  protectedOrExempt: 0,
  doubleTermination: 0,
  strandedSurge: 0,
  desiredNotRestored: 0,
  terminatedWhileBraked: 0,
  maxLeftRaised: 0,
  maxNotRestored: 0,
};
