import type { Millis } from '../../functions/core/model.js';

/**
 * The instants the tests run at, named for what they are, so two files that mean the same moment share it
 * and a file that means another moment says which.
 */

/** A Monday, 12:00 UTC (2026-11-23): inside every weekday window the tests use. */
export const NOW: Millis = Date.UTC(2026, 10, 23, 12, 0);

/** Monday 2026-11-16, 00:00 UTC: the first instant of ISO week 2026-W47, where the simulations in the tests start. */
export const SIM_START: Millis = Date.UTC(2026, 10, 16);

/** Monday 2026-11-16 12:00 UTC: noon on the simulation's first day, inside a Mon-Fri 08:00-18:00 Europe/Berlin window. */
export const SIM_START_NOON: Millis = Date.UTC(2026, 10, 16, 12);

/** Wednesday 2026-11-18, 12:00 UTC: the ledger tests' instant, in the middle of week 2026-W47. */
export const WEDNESDAY_NOON: Millis = Date.UTC(2026, 10, 18, 12);

/** Monday 2026-11-23, 08:00 UTC: the weekly report's run for week 2026-W47, the week just ended. */
export const REPORT_TIME: Millis = Date.UTC(2026, 10, 23, 8);

/** Monday 2026-11-23, 09:20:45 UTC: when a person touched an instance, in the taint tests. */
export const TOUCHED_AT: Millis = Date.UTC(2026, 10, 23, 9, 20, 45);
