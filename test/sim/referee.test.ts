import { describe, expect, it } from 'vitest';
import { InstanceGoneError } from '../../functions/core/errors.js';
import type { GlobalMode, Millis } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../../functions/core/model.js';
import type { SimFleet, SimGroupSpec, Violations } from '../../sim/fleet.js';
import { VIOLATION_KINDS } from '../../sim/fleet.js';
import { SIM_START_NOON } from '../support/clock.js';
import { OPTED_IN } from '../support/fleet.js';
import { fleetOf, group, SECOND, spec } from '../support/sim-fleet.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const SATURDAY: Millis = Date.UTC(2026, 10, 21, 12);
/** Default recovery-timeout 20 minutes plus two 10-minute ticks. */
const DEADLINE: Millis = SIM_START_NOON + 40 * MINUTE;
const AFTER_DEADLINE: Millis = DEADLINE + 1;
const MIN_HEALTHY_0 = { ...OPTED_IN, 'phoenix:min-healthy': '0' } as const;

interface Case {
  readonly case: string;
  readonly group?: Partial<SimGroupSpec> & { readonly size?: number };
  readonly start?: Millis;
  readonly describeLag?: Millis;
  readonly act: (fleet: SimFleet, ids: readonly string[]) => Promise<void>;
  readonly expected: Partial<Violations>;
}

const refused = async (call: Promise<void>): Promise<void> => {
  await expect(call).rejects.toMatchObject({ name: 'ValidationError' });
};

/** Launch before terminate, done right: raise desired, wait for the new instance, terminate the old one with decrement. */
const surgeThenTerminate = async (fleet: SimFleet, ids: readonly string[]): Promise<void> => {
  await fleet.setDesiredCapacity('web', 5);
  fleet.advanceTo(fleet.now() + 5 * MINUTE);
  await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true });
};

/** Raises desired by one and waits until its instance is InService; returns that instance's id. */
async function surged(fleet: SimFleet): Promise<string> {
  const before = new Set(fleet.view('web').instances.map((instance) => instance.id));
  await fleet.setDesiredCapacity('web', fleet.view('web').desired + 1);
  fleet.advanceTo(fleet.now() + 5 * MINUTE);
  const added = fleet.view('web').instances.find((instance) => !before.has(instance.id));
  if (added === undefined) throw new Error('the surge launched nothing');
  return added.id;
}

const raiseAndWait =
  (until: Millis) =>
  async (fleet: SimFleet): Promise<void> => {
    await fleet.setDesiredCapacity('web', 5);
    fleet.advanceTo(until);
  };

/** A brake the world puts on at SIM_START_NOON + 1 minute. */
interface Brake {
  readonly name: string;
  readonly apply: (fleet: SimFleet) => void;
  /** The group's own tags brake it: a termination is outside opt-in too. */
  readonly byTags: boolean;
  /** The group leaves opt-in: Phoenix may touch it no more, so an open surge is the owner's and even an undo is outside opt-in. */
  readonly leavesOptIn?: true;
}
const tag = (key: string, value: string | undefined) => (fleet: SimFleet) => fleet.setGroupTag('web', key, value);
const mode = (to: GlobalMode) => (fleet: SimFleet) => fleet.accountModeChanged(to);
const BRAKES: readonly Brake[] = [
  { name: 'phoenix:enabled=false', apply: tag('phoenix:enabled', 'false'), byTags: true },
  { name: 'phoenix:enabled=dry-run', apply: tag('phoenix:enabled', 'dry-run'), byTags: true },
  { name: 'phoenix:enabled="true " (padded)', apply: tag('phoenix:enabled', 'true '), byTags: true },
  { name: 'phoenix:enabled=ture (typo)', apply: tag('phoenix:enabled', 'ture'), byTags: true },
  { name: 'phoenix:enabled removed', apply: tag('phoenix:enabled', undefined), byTags: true, leavesOptIn: true },
  { name: 'a budget that does not parse', apply: tag('phoenix:budget', '2/fortnight'), byTags: true },
  { name: 'phoenix:quarantined', apply: tag('phoenix:quarantined', 'recovery failed'), byTags: true },
  { name: 'account mode off', apply: mode('off'), byTags: false },
  { name: 'account mode dry-run', apply: mode('dry-run'), byTags: false },
];

const braked = (brake: Brake): Partial<Violations> => (brake.byTags ? { terminatedWhileBraked: 1, outsideOptIn: 1 } : { terminatedWhileBraked: 1 });

const cases: Case[] = [
  {
    case: 'belowMinHealthy: terminate without a surge at min-healthy 100',
    act: (fleet, ids) => fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false }),
    expected: { belowMinHealthy: 1 },
  },
  {
    case: 'belowMinHealthy: a surge is fine',
    act: surgeThenTerminate,
    expected: {},
  },
  {
    case: 'belowMinHealthy: terminate with decrement while the surge instance still launches',
    act: async (fleet, ids) => {
      await fleet.setDesiredCapacity('web', 5);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true });
    },
    expected: { belowMinHealthy: 1 },
  },
  {
    case: 'belowMinHealthy: min-healthy 90 of 20 allows one down',
    group: { size: 20, tags: { ...OPTED_IN, 'phoenix:min-healthy': '90' } },
    act: (fleet, ids) => fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false }),
    expected: {},
  },
  {
    case: 'budgetOverrun: a second termination within 1/hour',
    group: { tags: MIN_HEALTHY_0 },
    act: async (fleet, ids) => {
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      fleet.advanceTo(SIM_START_NOON + 59 * MINUTE);
      await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
    },
    expected: { budgetOverrun: 1 },
  },
  {
    case: 'budgetOverrun: a second termination after the hour',
    group: { tags: MIN_HEALTHY_0 },
    act: async (fleet, ids) => {
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      fleet.advanceTo(SIM_START_NOON + HOUR);
      await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
    },
    expected: {},
  },
  ...[
    { apart: '6 days', after: 6 * DAY, expected: { budgetOverrun: 1 } },
    { apart: '8 days', after: 8 * DAY, expected: {} },
  ].map(
    ({ apart, after, expected }): Case => ({
      case: `budgetOverrun: 1/week, two terminations ${apart} apart`,
      group: { tags: { ...MIN_HEALTHY_0, 'phoenix:budget': '1/week' } },
      act: async (fleet, ids) => {
        await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
        fleet.advanceTo(SIM_START_NOON + after);
        await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
      },
      expected,
    }),
  ),
  {
    case: 'budgetOverrun: the budget in force at the termination counts, 2/week lowered to 1/week in between',
    group: { tags: { ...MIN_HEALTHY_0, 'phoenix:budget': '2/week' } },
    act: async (fleet, ids) => {
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      fleet.advanceTo(SIM_START_NOON + 3 * DAY);
      fleet.setGroupTag('web', 'phoenix:budget', '1/week');
      await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
    },
    expected: { budgetOverrun: 1 },
  },
  {
    case: 'budgetOverrun: an undo spends no budget (1/hour: a termination, then an undone surge, then a termination after the hour)',
    group: { tags: MIN_HEALTHY_0 },
    act: async (fleet, ids) => {
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      fleet.advanceTo(SIM_START_NOON + 10 * MINUTE);
      await fleet.terminateInstance('web', await surged(fleet), { decrementDesired: true });
      fleet.advanceTo(SIM_START_NOON + HOUR);
      await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
    },
    expected: {},
  },
  ...[
    { when: 'within the Describe lag, is not held yet', after: MINUTE - SECOND, expected: {} },
    { when: 'is held once the Describe lag has passed', after: MINUTE, expected: { belowMinHealthy: 1 } },
  ].map(
    ({ when, after, expected }): Case => ({
      case: `belowMinHealthy: a floor raised from 90 to 100 just before a direct termination ${when}`,
      group: { size: 20, tags: { ...OPTED_IN, 'phoenix:min-healthy': '90' } },
      describeLag: MINUTE,
      act: async (fleet, ids) => {
        fleet.setGroupTag('web', 'phoenix:min-healthy', '100');
        fleet.advanceTo(SIM_START_NOON + after);
        await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      },
      expected,
    }),
  ),
  ...[
    { when: 'within the Describe lag, is not held yet', after: MINUTE - SECOND, expected: {} },
    { when: 'is held once the Describe lag has passed', after: MINUTE, expected: { budgetOverrun: 1 } },
  ].map(
    ({ when, after, expected }): Case => ({
      case: `budgetOverrun: 2/hour lowered to 1/hour just before a second termination ${when}`,
      group: { tags: { ...MIN_HEALTHY_0, 'phoenix:budget': '2/hour' } },
      describeLag: MINUTE,
      act: async (fleet, ids) => {
        await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
        fleet.advanceTo(SIM_START_NOON + 10 * MINUTE);
        fleet.setGroupTag('web', 'phoenix:budget', '1/hour');
        fleet.advanceTo(SIM_START_NOON + 10 * MINUTE + after);
        await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: false });
      },
      expected,
    }),
  ),
  {
    case: 'outsideOptIn: terminate in a dry-run group',
    group: { tags: { 'phoenix:enabled': 'dry-run' } },
    act: surgeThenTerminate,
    expected: { outsideOptIn: 2, terminatedWhileBraked: 1 },
  },
  {
    case: 'outsideOptIn: set desired in a disabled group',
    group: { tags: { 'phoenix:enabled': 'false' } },
    act: (fleet) => fleet.setDesiredCapacity('web', 5),
    expected: { outsideOptIn: 1 },
  },
  {
    case: 'outsideOptIn: a quarantined group',
    group: { tags: { ...OPTED_IN, 'phoenix:quarantined': '2026-11-16 recovery failed' } },
    act: (fleet) => fleet.setDesiredCapacity('web', 5),
    expected: { outsideOptIn: 1 },
  },
  {
    case: 'outsideOptIn: tags that do not parse',
    group: { tags: { ...OPTED_IN, 'phoenix:max-age': '7days' } },
    act: surgeThenTerminate,
    expected: { outsideOptIn: 2, terminatedWhileBraked: 1 },
  },
  {
    case: 'outsideOptIn: a group without the tag at all',
    group: { tags: { team: 'x' } },
    act: (fleet) => fleet.setDesiredCapacity('web', 5),
    expected: { outsideOptIn: 1 },
  },
  {
    case: 'outsideOptIn: giving back a surge in a group without the tag at all (IAM would refuse it)',
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.setGroupTag('web', 'phoenix:enabled', undefined);
      await fleet.setDesiredCapacity('web', 4);
    },
    expected: { outsideOptIn: 1 },
  },
  {
    case: 'outsideOptIn: a group switched to dry-run by its owner after Phoenix read it',
    act: async (fleet, ids) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.setGroupTag('web', 'phoenix:enabled', 'dry-run');
      fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true });
    },
    expected: { outsideOptIn: 1, terminatedWhileBraked: 1 },
  },
  {
    case: 'outsideOptIn: a quarantine lifted by the operator',
    group: { tags: { ...OPTED_IN, 'phoenix:quarantined': 'recovery failed' } },
    act: async (fleet, ids) => {
      fleet.setGroupTag('web', 'phoenix:quarantined', undefined);
      await surgeThenTerminate(fleet, ids);
    },
    expected: {},
  },
  {
    case: 'outsideWindow: Saturday, outside Mon-Fri',
    group: { tags: { ...OPTED_IN, 'phoenix:window': 'Mon-Fri 08:00-18:00 Europe/Berlin' } },
    start: SATURDAY,
    act: surgeThenTerminate,
    expected: { outsideWindow: 1 },
  },
  {
    case: 'outsideWindow: Saturday, undoing the surge is no termination the window holds back',
    group: { tags: { ...OPTED_IN, 'phoenix:window': 'Mon-Fri 08:00-18:00 Europe/Berlin' } },
    start: SATURDAY,
    act: async (fleet) => fleet.terminateInstance('web', await surged(fleet), { decrementDesired: true }),
    expected: {},
  },
  {
    case: 'outsideWindow: Monday noon, inside',
    group: { tags: { ...OPTED_IN, 'phoenix:window': 'Mon-Fri 08:00-18:00 Europe/Berlin' } },
    act: surgeThenTerminate,
    expected: {},
  },
  {
    case: 'protectedOrExempt: phoenix:exempt=true',
    group: { instances: [{ age: 9 * DAY, tags: { 'phoenix:exempt': 'true' } }, { age: DAY }, { age: DAY }, { age: DAY }] },
    act: surgeThenTerminate,
    expected: { protectedOrExempt: 1 },
  },
  {
    case: 'protectedOrExempt: protected from scale-in',
    group: { instances: [{ age: 9 * DAY, protectedFromScaleIn: true }, { age: DAY }, { age: DAY }, { age: DAY }] },
    act: surgeThenTerminate,
    expected: { protectedOrExempt: 1 },
  },
  {
    case: 'protectedOrExempt: phoenix:exempt=false is fair game',
    group: { instances: [{ age: 9 * DAY, tags: { 'phoenix:exempt': 'false' } }, { age: DAY }, { age: DAY }, { age: DAY }] },
    act: surgeThenTerminate,
    expected: {},
  },
  {
    case: 'doubleTermination: the same instance twice',
    act: async (fleet, ids) => {
      await surgeThenTerminate(fleet, ids);
      await refused(fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false }));
    },
    expected: { doubleTermination: 1 },
  },
  {
    case: 'doubleTermination: an instance that vanished after it was read',
    act: async (fleet, ids) => {
      fleet.removeInstanceSilently(ids[0] ?? '');
      await expect(fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true })).rejects.toBeInstanceOf(InstanceGoneError);
    },
    expected: { doubleTermination: 1 },
  },
  {
    case: 'doubleTermination: an instance still Pending',
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      const pending = (await group(fleet)).instances.find((instance) => instance.lifecycleState === 'Pending');
      await refused(fleet.terminateInstance('web', pending?.id ?? '', { decrementDesired: true }));
    },
    expected: { doubleTermination: 1 },
  },
  {
    case: 'doubleTermination: two different instances, one after the other',
    group: { tags: { ...OPTED_IN, 'phoenix:budget': '2/hour' } },
    act: async (fleet, ids) => {
      await surgeThenTerminate(fleet, ids);
      await fleet.setDesiredCapacity('web', 5);
      fleet.advanceTo(SIM_START_NOON + 15 * MINUTE);
      await fleet.terminateInstance('web', ids[1] ?? '', { decrementDesired: true });
    },
    expected: {},
  },
  {
    case: 'strandedSurge: desired raised and never lowered',
    act: raiseAndWait(AFTER_DEADLINE),
    expected: { strandedSurge: 1, desiredNotRestored: 1 },
  },
  {
    case: 'strandedSurge: still open exactly at recovery-timeout plus two ticks is not yet stranded',
    act: raiseAndWait(DEADLINE),
    expected: {},
  },
  {
    case: 'strandedSurge: counted once, however long it stays',
    act: raiseAndWait(SIM_START_NOON + 3 * DAY),
    expected: { strandedSurge: 1, desiredNotRestored: 1 },
  },
  {
    case: 'strandedSurge: the recovery-timeout as it stood at the raise (5m, lengthened to 2h after)',
    group: { tags: { ...OPTED_IN, 'phoenix:recovery-timeout': '5m' } },
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.setGroupTag('web', 'phoenix:recovery-timeout', '2h');
      fleet.advanceTo(SIM_START_NOON + 25 * MINUTE + 1);
    },
    expected: { strandedSurge: 1, desiredNotRestored: 1 },
  },
  {
    case: 'strandedSurge: finished in time',
    act: async (fleet, ids) => {
      await surgeThenTerminate(fleet, ids);
      fleet.advanceTo(SIM_START_NOON + DAY);
    },
    expected: {},
  },
  {
    case: 'strandedSurge: undone in time by setting desired back',
    act: async (fleet) => {
      await raiseAndWait(DEADLINE)(fleet);
      await fleet.setDesiredCapacity('web', 4);
      fleet.advanceTo(SIM_START_NOON + DAY);
    },
    expected: {},
  },
  {
    case: 'strandedSurge: undone in time by terminating the surge instance with decrement',
    act: async (fleet) => {
      await fleet.terminateInstance('web', await surged(fleet), { decrementDesired: true });
      fleet.advanceTo(SIM_START_NOON + DAY);
    },
    expected: {},
  },
  {
    case: 'strandedSurge: given back after its deadline (counted once in each counter)',
    act: async (fleet) => {
      await raiseAndWait(AFTER_DEADLINE)(fleet);
      await fleet.setDesiredCapacity('web', 4);
      fleet.advanceTo(SIM_START_NOON + DAY);
    },
    expected: { strandedSurge: 1, desiredNotRestored: 1 },
  },
  {
    case: 'strandedSurge: the owner sets desired during the surge, and the number is theirs',
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.advanceTo(SIM_START_NOON + MINUTE);
      fleet.setDesiredExternally('web', 6);
      fleet.advanceTo(SIM_START_NOON + DAY);
    },
    expected: {},
  },
  ...BRAKES.map(
    (brake): Case => ({
      case: `strandedSurge: ${brake.name} two ticks ago, the surge still open${brake.leavesOptIn === true ? ' (the owner has the group back)' : ''}`,
      act: async (fleet) => {
        await fleet.setDesiredCapacity('web', 5);
        fleet.advanceTo(SIM_START_NOON + MINUTE);
        brake.apply(fleet);
        fleet.advanceTo(SIM_START_NOON + 21 * MINUTE + 1);
      },
      expected: brake.leavesOptIn === true ? {} : { strandedSurge: 1, desiredNotRestored: 1 },
    }),
  ),
  {
    case: 'strandedSurge: a brake lifted within two ticks leaves the usual deadline',
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.advanceTo(SIM_START_NOON + MINUTE);
      fleet.setGroupTag('web', 'phoenix:enabled', 'false');
      fleet.advanceTo(SIM_START_NOON + 15 * MINUTE);
      fleet.setGroupTag('web', 'phoenix:enabled', 'true');
      fleet.advanceTo(DEADLINE);
    },
    expected: {},
  },
  {
    case: 'desiredNotRestored: undone to below the number before the raise',
    act: async (fleet) => {
      await fleet.setDesiredCapacity('web', 5);
      await fleet.setDesiredCapacity('web', 3);
    },
    expected: { desiredNotRestored: 1 },
  },
  {
    case: 'desiredNotRestored: a raise by two given back by one termination',
    act: async (fleet, ids) => {
      await fleet.setDesiredCapacity('web', 6);
      fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true });
    },
    expected: { desiredNotRestored: 1 },
  },
  ...BRAKES.map(
    (brake): Case => ({
      case: `terminatedWhileBraked: a termination after ${brake.name}`,
      group: { tags: MIN_HEALTHY_0 },
      act: async (fleet, ids) => {
        fleet.advanceTo(SIM_START_NOON + MINUTE);
        brake.apply(fleet);
        fleet.advanceTo(SIM_START_NOON + 2 * MINUTE);
        await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      },
      expected: braked(brake),
    }),
  ),
  ...BRAKES.map(
    (brake): Case => ({
      case: `terminatedWhileBraked: undoing the surge after ${brake.name}${brake.leavesOptIn === true ? ' is no longer Phoenix’s to do' : ' is the way out, not counted'}`,
      act: async (fleet) => {
        const added = await surged(fleet);
        brake.apply(fleet);
        fleet.advanceTo(fleet.now() + MINUTE);
        await fleet.terminateInstance('web', added, { decrementDesired: true });
        fleet.advanceTo(SIM_START_NOON + DAY);
      },
      expected: brake.leavesOptIn === true ? braked(brake) : {},
    }),
  ),
  {
    case: 'terminatedWhileBraked: finishing a surge after the brake (terminating the old instance)',
    act: async (fleet, ids) => {
      await fleet.setDesiredCapacity('web', 5);
      fleet.advanceTo(SIM_START_NOON + MINUTE);
      fleet.setGroupTag('web', 'phoenix:enabled', 'false');
      fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: true });
    },
    expected: { terminatedWhileBraked: 1, outsideOptIn: 1 },
  },
  {
    case: 'terminatedWhileBraked: a surge instance terminated without decrement is no undo',
    act: async (fleet) => {
      const added = await surged(fleet);
      fleet.setGroupTag('web', 'phoenix:enabled', 'false');
      fleet.advanceTo(fleet.now() + MINUTE);
      await fleet.terminateInstance('web', added, { decrementDesired: false });
      await fleet.setDesiredCapacity('web', 4);
    },
    expected: { terminatedWhileBraked: 1, outsideOptIn: 1, belowMinHealthy: 1 },
  },
  {
    case: 'terminatedWhileBraked: within the Describe lag of the brake, Phoenix may not have seen it yet',
    group: { tags: MIN_HEALTHY_0 },
    describeLag: MINUTE,
    act: async (fleet, ids) => {
      fleet.setGroupTag('web', 'phoenix:enabled', 'false');
      fleet.advanceTo(SIM_START_NOON + MINUTE - SECOND);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
    },
    expected: {},
  },
  {
    case: 'terminatedWhileBraked: once the Describe lag of the brake has passed',
    group: { tags: MIN_HEALTHY_0 },
    describeLag: MINUTE,
    act: async (fleet, ids) => {
      fleet.setGroupTag('web', 'phoenix:enabled', 'false');
      fleet.advanceTo(SIM_START_NOON + MINUTE);
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
    },
    expected: { terminatedWhileBraked: 1, outsideOptIn: 1 },
  },
  {
    case: 'terminatedWhileBraked: after the brake was lifted',
    group: { tags: MIN_HEALTHY_0 },
    act: async (fleet, ids) => {
      fleet.accountModeChanged('off');
      fleet.advanceTo(SIM_START_NOON + 5 * MINUTE);
      fleet.accountModeChanged('live');
      await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
    },
    expected: {},
  },
  {
    case: 'maxLeftRaised: a max size raised for a surge still raised after twice recovery-timeout and three ticks',
    group: { min: 4, max: 4, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:max-surge': '1' } },
    act: async (fleet) => {
      await fleet.setMaxSize('web', 5);
      fleet.advanceTo(SIM_START_NOON + 70 * MINUTE + 1);
    },
    expected: { maxLeftRaised: 1 },
  },
  {
    case: 'maxNotRestored: a raised max size lowered to another value than before the raise',
    group: { min: 3, max: 4, tags: { ...OPTED_IN, 'phoenix:max-age': '7d', 'phoenix:max-surge': '1' } },
    act: async (fleet) => {
      await fleet.setMaxSize('web', 5);
      await fleet.setMaxSize('web', 3);
    },
    expected: { maxNotRestored: 1 },
  },
  ...snoozeCases(),
];

/** A snooze as an owner writes it, `ahead` of the simulator's clock. */
function snoozeUntil(fleet: SimFleet, ahead: Millis): string {
  return new Date(fleet.now() + ahead).toISOString();
}

/** Snoozes the group `ahead` of now, waits a minute, then terminates its first instance directly. */
function snoozeThenTerminate(ahead: Millis, before: (fleet: SimFleet, ids: readonly string[]) => void = () => undefined) {
  return async (fleet: SimFleet, ids: readonly string[]): Promise<void> => {
    before(fleet, ids);
    fleet.setGroupTag('web', 'phoenix:snooze-until', snoozeUntil(fleet, ahead));
    fleet.advanceTo(fleet.now() + MINUTE);
    await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
  };
}

function snoozeCases(): Case[] {
  const group = { tags: MIN_HEALTHY_0 };
  return [
    { case: 'terminatedWhileBraked: a termination while a snooze holds', group, act: snoozeThenTerminate(6 * HOUR), expected: { terminatedWhileBraked: 1 } },
    {
      case: 'terminatedWhileBraked: a snooze does not hold back a tainted instance',
      group,
      act: snoozeThenTerminate(6 * HOUR, (fleet, ids) =>
        fleet.setInstanceTag(ids[0] ?? '', 'phoenix:tainted', 'at=2026-11-23T10:00:00Z;by=alice;via=ssm-session'),
      ),
      expected: {},
    },
    {
      case: 'terminatedWhileBraked: a snooze over is no brake',
      group,
      act: async (fleet, ids) => {
        fleet.setGroupTag('web', 'phoenix:snooze-until', snoozeUntil(fleet, HOUR));
        fleet.advanceTo(fleet.now() + HOUR + MINUTE);
        await fleet.terminateInstance('web', ids[0] ?? '', { decrementDesired: false });
      },
      expected: {},
    },
    {
      case: 'terminatedWhileBraked: a snooze more than a day ahead is a bad tag that stops the group',
      group,
      act: snoozeThenTerminate(30 * HOUR),
      expected: { terminatedWhileBraked: 1 },
    },
    {
      case: 'terminatedWhileBraked: a fourth snooze within a week may be refused',
      group,
      act: async (fleet, ids) => {
        for (let count = 0; count < 3; count += 1) {
          fleet.setGroupTag('web', 'phoenix:snooze-until', snoozeUntil(fleet, HOUR));
          fleet.advanceTo(fleet.now() + 2 * HOUR);
          fleet.setGroupTag('web', 'phoenix:snooze-until', undefined);
        }
        await snoozeThenTerminate(6 * HOUR)(fleet, ids);
      },
      expected: {},
    },
  ];
}

describe('the referee', () => {
  // Named through %s: a $case name is cut at 40 characters, and these differ further on.
  it.each(cases.map((entry) => [entry.case, entry] as const))('%s', async (_, { group: overrides, start, describeLag, act, expected }) => {
    const fleet = fleetOf([spec(overrides)], { ...(start === undefined ? {} : { start }), ...(describeLag === undefined ? {} : { describeLag }) });
    const ids = fleet.view('web').instances.map((instance) => instance.id);
    await act(fleet, ids);
    expect(fleet.violations()).toEqual({ ...NO_VIOLATIONS, ...expected });
  });

  it('has a case that provokes every counter', () => {
    const provoked = new Set(cases.flatMap((entry) => Object.keys(entry.expected)));
    expect([...provoked].sort()).toEqual([...VIOLATION_KINDS].sort());
  });

  it('logs every mutating call with its outcome and the violations it caused', async () => {
    const fleet = fleetOf([spec()]);
    const [victim] = (await group(fleet)).instances;
    await fleet.terminateInstance('web', victim?.id ?? '', { decrementDesired: false });
    await refused(fleet.setDesiredCapacity('web', 99));
    await fleet.tagGroup('web', { 'phoenix:quarantined': 'x' });
    await fleet.setDesiredCapacity('web', 5);
    await fleet.setDesiredCapacity('web', 3);
    expect(fleet.calls()).toEqual([
      { at: SIM_START_NOON, kind: 'terminate', group: 'web', instanceId: victim?.id, decrementDesired: false, outcome: 'ok', violations: ['belowMinHealthy'] },
      { at: SIM_START_NOON, kind: 'set-desired', group: 'web', desired: 99, outcome: 'rejected', violations: [] },
      { at: SIM_START_NOON, kind: 'tag', group: 'web', outcome: 'ok', violations: [] },
      { at: SIM_START_NOON, kind: 'set-desired', group: 'web', desired: 5, outcome: 'ok', violations: ['outsideOptIn'] },
      { at: SIM_START_NOON, kind: 'set-desired', group: 'web', desired: 3, outcome: 'ok', violations: ['desiredNotRestored'] },
    ]);
  });

  it('names the groups with a surge open', async () => {
    const fleet = fleetOf([spec(), spec({ name: 'api' })]);
    await fleet.setDesiredCapacity('api', 5);
    expect(fleet.surgingGroups()).toEqual(['api']);
    await fleet.setDesiredCapacity('api', 4);
    expect(fleet.surgingGroups()).toEqual([]);
  });
});
