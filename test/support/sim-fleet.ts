import { seededRandom } from '../../functions/core/decide/random.js';
import type { Group, Instance, Millis } from '../../functions/core/model.js';
import { DAY } from '../../functions/core/model.js';
import type { FaultRates, SimGroupSpec } from '../../sim/fleet.js';
import { SimFleet } from '../../sim/fleet.js';
import { SIM_START_NOON } from './clock.js';
import { OPTED_IN } from './fleet.js';

export const SECOND: Millis = 1000;

/** An opted-in group of `size` InService instances aged size..1 days (the first is the oldest). */
export function spec(overrides: Partial<SimGroupSpec> & { readonly size?: number } = {}): SimGroupSpec {
  const { size = 4, ...rest } = overrides;
  return {
    name: 'web',
    desired: size,
    min: 1,
    max: size + 2,
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
    launchTemplate: { id: 'lt-1', version: '3' },
    instances: Array.from({ length: size }, (_, index) => ({ age: (size - index) * DAY })),
    launchDelay: { min: 90 * SECOND, max: 90 * SECOND },
    ...rest,
  };
}

export interface FleetOptions {
  readonly start?: Millis;
  readonly faults?: FaultRates;
  readonly seed?: number;
  readonly describeLag?: Millis;
}

export function fleetOf(groups: readonly SimGroupSpec[], options: FleetOptions = {}): SimFleet {
  const { start = SIM_START_NOON, seed = 7, ...rest } = options;
  return new SimFleet({ start, random: seededRandom(seed), groups, ...rest });
}

/** The group as Phoenix reads it (Describe lag included). */
export async function group(fleet: SimFleet, name = 'web'): Promise<Group> {
  const found = (await fleet.describeGroups([name])).get(name);
  if (found === undefined) throw new Error(`no group ${name}`);
  return found;
}

export function first(found: Group): Instance {
  const instance = found.instances[0];
  if (instance === undefined) throw new Error(`${found.name} has no instances`);
  return instance;
}
