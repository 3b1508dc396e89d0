// The synthetic fleet the bench measures the planner and the deadline model on, and its median.

import { seededRandom } from '../../functions/core/decide/random.js';
import type { Group, Instance } from '../../functions/core/model.js';
import { DAY } from '../../functions/core/model.js';
import { NOW } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The plan bench's fleet: a third each without a window, weekdays in Berlin, daily UTC; ages up to 8 days against max-age 7d; chaos in every fifth group. */
export function syntheticFleet(groups: number, size: number): Group[] {
  const random = seededRandom(42);
  const windows = [undefined, 'Mon-Fri 08:00-18:00 Europe/Berlin', 'daily 00:00-24:00 UTC'];
  return Array.from({ length: groups }, (_, g) => {
    const instances: Instance[] = Array.from({ length: size }, (_, n) => ({
      id: `i-${g}-${n}`,
      lifecycleState: 'InService',
      healthy: true,
      launchedAt: NOW - Math.floor(random() * 8 * DAY),
      protectedFromScaleIn: false,
      tags: {},
      launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    }));
    const window = windows[g % windows.length];
    return {
      name: `g-${g}`,
      desired: size,
      min: 1,
      max: size + 1,
      tags: {
        ...OPTED_IN,
        'phoenix:max-age': '7d',
        'phoenix:chaos': g % 5 === 0 ? '3d' : 'off',
        ...(window === undefined ? {} : { 'phoenix:window': window }),
      },
      instances,
      suspendedProcesses: [],
      scalingActivityInProgress: false,
      instanceRefreshInProgress: false,
      launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    };
  });
}
