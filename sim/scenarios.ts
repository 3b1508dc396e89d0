import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { BadLaunch } from './auto-scaling-state.js';
import { pick, shuffle } from './draws.js';
import { fixedSizeGroups, fixedSizeScript } from './fixed-size.js';
import type { FaultRates, SimGroupSpec, SimInstanceSpec } from './fleet.js';
import { infeasibleFleet } from './infeasible.js';
import { livePolicy } from './live.js';
import { drawOperatorMoves, operatorScript } from './operator.js';
import type { ScenarioScript, ScriptEvent, ScriptOptions } from './script.js';
import { selftestFleet, selftestScript } from './selftest-scenario.js';
import { snoozeScript } from './snoozes.js';
import { DEPLOY_AT, taintScript } from './taint-scenario.js';

export const SCENARIO_NAMES = [
  'steady',
  'launch-failure',
  'taint',
  'throttle',
  'overlap',
  'scale-churn',
  'bad-tags',
  'operator',
  'infeasible',
  'bad-version',
  'bad-launch',
  'selftest',
  'fixed-size',
  'snooze',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioOptions {
  readonly groups: number;
  /** Instances per group. */
  readonly size: number;
  readonly seed: number;
  /** The virtual clock's start: initial launch times fall on whole minutes of the wall clock. */
  readonly start: Millis;
}

type GroupKind = 'live' | 'chaos' | 'windowed' | 'dry-run' | 'disabled' | 'untagged' | 'together';

/**
 * Twenty groups' worth of kinds, the variety first so that even a small fleet gets some of each:
 * about 10% dry-run, 10% not opted in, 10% chaos, 10% windowed, the rest plain max-age.
 */
const PATTERN: readonly GroupKind[] = [
  'live',
  'dry-run',
  'chaos',
  'untagged',
  'windowed',
  'live',
  'disabled',
  'live',
  'chaos',
  'live',
  'windowed',
  'dry-run',
  'live',
  'live',
  'live',
  'live',
  'live',
  'live',
  'live',
  'live',
];
/** Fleets launched all at once: every instance the same age, to show that recycling spreads out. */
const TOGETHER_GROUPS = 2;
const TOGETHER_AGE_SHARE = 0.6;
const INITIAL_AGE_SHARE = 0.9;

const ROLES = ['web', 'api', 'worker', 'cache', 'queue', 'batch', 'auth', 'search'] as const;
const MAX_AGES: readonly { readonly text: string; readonly ms: Millis }[] = [
  { text: '3d', ms: 3 * DAY },
  { text: '5d', ms: 5 * DAY },
  { text: '7d', ms: 7 * DAY },
];
const WINDOWS: readonly { readonly text: string; readonly openShare: number }[] = [
  { text: 'Mon-Fri 08:00-18:00 Europe/Berlin', openShare: 50 / 168 },
  { text: 'daily 00:00-24:00 UTC', openShare: 1 },
];
interface BudgetChoice {
  readonly text: string;
  readonly perHour: number;
}
const MOST_GENEROUS: BudgetChoice = { text: '2/hour', perHour: 2 };
const BUDGETS: readonly BudgetChoice[] = [{ text: '1/hour', perHour: 1 }, MOST_GENEROUS, { text: '6/day', perHour: 6 / 24 }];
/** A budget must allow half again the replacements max-age alone needs, so chaos kills and late starts still leave room. */
const BUDGET_HEADROOM = 1.5;

/** One malformed tag each, as a person might write it; `remove` drops the correct key the typo stands in for. */
const MALFORMED: readonly { readonly set: Readonly<Record<string, string>>; readonly remove?: string }[] = [
  { set: { [TAG.maxAge]: '7days' } },
  { set: { [TAG.budget]: '2/fortnight' } },
  { set: { [TAG.window]: 'Mon-Fri 9-5' } },
  { set: { [TAG.minHealthy]: '110' } },
  { set: { [TAG.chaos]: 'sometimes' } },
  { set: { 'phoenix:maxage': '7d' }, remove: TAG.maxAge },
];
const BAD_TAG_SHARE = 0.25;

function groupName(index: number): string {
  return `svc-${String(index + 1).padStart(3, '0')}-${ROLES[index % ROLES.length] ?? 'svc'}`;
}

function kinds(count: number, random: RandomSource): GroupKind[] {
  const list: GroupKind[] = [];
  for (let index = 0; index < count; index += 1) {
    list.push(index < TOGETHER_GROUPS ? 'together' : (PATTERN[(index - TOGETHER_GROUPS) % PATTERN.length] as GroupKind));
  }
  return shuffle(random, list);
}

interface GroupDraft {
  readonly index: number;
  readonly kind: GroupKind;
  readonly size: number;
  readonly random: RandomSource;
  /** Counts plain live groups so far, to spread exempt and protected instances over them. */
  readonly liveOrdinal: number;
  readonly windowOrdinal: number;
  readonly start: Millis;
}

/**
 * A budget that keeps up with the group's instances reaching max-age, stretched by the window's closed
 * hours: spread over the last 90% of max-age for a spread fleet, over what is left of it for a fleet
 * launched together.
 */
function budgetFor(context: GroupDraft, maxAge: Millis, openShare: number): string {
  const agingSpan = context.kind === 'together' ? (1 - TOGETHER_AGE_SHARE) * maxAge : INITIAL_AGE_SHARE * maxAge;
  const needPerHour = context.size / (agingSpan / HOUR) / openShare;
  const fitting = BUDGETS.filter((budget) => budget.perHour >= BUDGET_HEADROOM * needPerHour);
  return pick(context.random, fitting.length > 0 ? fitting : [MOST_GENEROUS]).text;
}

function phoenixTags(context: GroupDraft, maxAge: { text: string; ms: Millis }): Record<string, string> {
  const { kind, random } = context;
  if (kind === 'untagged') return {};
  const enabled = kind === 'dry-run' ? 'dry-run' : kind === 'disabled' ? 'false' : 'true';
  const tags: Record<string, string> = { [TAG.enabled]: enabled, [TAG.maxAge]: maxAge.text };
  const window = kind === 'windowed' ? WINDOWS[context.windowOrdinal % WINDOWS.length] : undefined;
  if (window !== undefined) tags[TAG.window] = window.text;
  if (kind === 'chaos') tags[TAG.chaos] = '2d';
  const budget = budgetFor(context, maxAge.ms, window?.openShare ?? 1);
  // Half of the 1/hour groups rely on the default instead of spelling it out.
  if (budget !== '1/hour' || random() < 0.5) tags[TAG.budget] = budget;
  const minHealthy = random();
  if (minHealthy < 0.15) tags[TAG.minHealthy] = '90';
  else if (minHealthy < 0.3) tags[TAG.minHealthy] = '80';
  return tags;
}

function initialInstances(context: GroupDraft, maxAge: Millis): SimInstanceSpec[] {
  const { kind, size, random } = context;
  return Array.from({ length: size }, (_, position) => {
    const share = kind === 'together' ? TOGETHER_AGE_SHARE : random() * INITIAL_AGE_SHARE;
    const launchedAt = Math.floor((context.start - share * maxAge) / MINUTE) * MINUTE;
    const age = context.start - launchedAt;
    if (kind === 'live' && position === 0 && context.liveOrdinal % 8 === 0) return { age, tags: { [TAG.exempt]: 'true' } };
    if (kind === 'live' && position === 0 && context.liveOrdinal % 8 === 4) return { age, protectedFromScaleIn: true };
    return { age };
  });
}

function groupSpec(context: GroupDraft): SimGroupSpec {
  const { index, kind, size, random } = context;
  // Windowed and launched-together groups get 7d so their catch-up stays within what a window and budget allow.
  const maxAge = kind === 'windowed' || kind === 'together' ? (MAX_AGES[2] as (typeof MAX_AGES)[number]) : pick(random, MAX_AGES);
  const tags = { team: `team-${(index % 7) + 1}`, ...phoenixTags(context, maxAge) };
  const spec: SimGroupSpec = {
    name: groupName(index),
    desired: size,
    min: Math.max(Math.min(1, size), Math.floor(size / 2)),
    max: size + Math.max(2, Math.ceil(size / 5)),
    tags,
    launchTemplate: { id: `lt-${(0x0a000 + index).toString(16).padStart(17, '0')}`, version: String(1 + Math.floor(random() * 9)) },
    instances: initialInstances(context, maxAge.ms),
  };
  const hooks = random();
  if (hooks < 0.2) return { ...spec, launchHookWait: 2 * MINUTE };
  if (hooks < 0.5) return { ...spec, terminateHookWait: 5 * MINUTE };
  return spec;
}

function steady(options: ScenarioOptions): SimGroupSpec[] {
  const random = seededRandom(options.seed);
  let liveOrdinal = 0;
  let windowOrdinal = 0;
  return kinds(options.groups, random).map((kind, index) => {
    const context: GroupDraft = { index, kind, size: options.size, random, liveOrdinal, windowOrdinal, start: options.start };
    if (kind === 'live') liveOrdinal += 1;
    if (kind === 'windowed') windowOrdinal += 1;
    return groupSpec(context);
  });
}

/** The steady fleet with about one opted-in group in four carrying one malformed tag value. */
function badTags(options: ScenarioOptions): SimGroupSpec[] {
  const fleet = steady(options);
  // A stream of its own, so the fleet underneath is exactly the steady one for the same seed.
  const random = seededRandom(options.seed ^ 0x0bad7a65);
  const optedIn = fleet.flatMap((spec, index) => (TAG.enabled in spec.tags && spec.tags[TAG.enabled] !== 'false' ? [index] : []));
  const chosen = shuffle(random, optedIn).slice(0, Math.max(1, Math.round(fleet.length * BAD_TAG_SHARE)));
  const malformedAt = new Map(chosen.map((index, order) => [index, MALFORMED[order % MALFORMED.length]] as const));
  return fleet.map((spec, index) => {
    const malformed = malformedAt.get(index);
    if (malformed === undefined) return spec;
    const tags: Record<string, string> = { ...spec.tags, ...malformed.set };
    if (malformed.remove !== undefined) delete tags[malformed.remove];
    return { ...spec, tags };
  });
}

/**
 * A fleet for the simulator, the same for the same options; bad-tags and selftest change the steady fleet,
 * infeasible is a fleet of its own, fixed-size adds groups at their max size to it, the others (operator
 * too) script what happens to the steady one.
 */
export function buildScenario(name: ScenarioName, options: ScenarioOptions): SimGroupSpec[] {
  if (!(Number.isInteger(options.groups) && options.groups >= 0 && Number.isInteger(options.size) && options.size >= 0)) {
    throw new RangeError(`scenario needs whole numbers of groups and instances per group, got ${options.groups} and ${options.size}`);
  }
  if (name === 'infeasible') return infeasibleFleet(options);
  if (name === 'selftest') return selftestFleet(steady(options));
  if (name === 'fixed-size') return [...steady(options), ...fixedSizeGroups(options)];
  return name === 'bad-tags' ? badTags(options) : steady(options);
}

export const THROTTLE_FAULTS: FaultRates = { throttleRate: 0.1, serverErrorRate: 0.02 };
/** Share of the live groups whose desired capacity a scaling policy moves each hour. */
const CHURN_SHARE = 0.1;

/**
 * The group whose launches start failing on day 2: live, with max-age, min-healthy 100 (so it surges,
 * and a failed launch shows as a missed recovery) and no window (so nothing delays the attempt). Of those,
 * the one with the most instances reaching max-age on day 2, so a replacement surely starts then.
 */
function launchFailureGroup(fleet: readonly SimGroupSpec[], options: ScriptOptions): string {
  const dayTwo = options.start + DAY;
  let chosen: { readonly name: string; readonly due: number } | undefined;
  for (const spec of fleet) {
    const policy = livePolicy(spec.tags);
    if (policy === undefined || policy.maxAge === undefined || policy.minHealthyPercent !== 100 || policy.window !== undefined) continue;
    const maxAge = policy.maxAge;
    const due = spec.instances.filter((instance) => {
      if (instance.protectedFromScaleIn === true || instance.tags?.[TAG.exempt] !== undefined) return false;
      const dueAt = options.start - instance.age + maxAge;
      return dueAt >= dayTwo && dueAt < dayTwo + DAY;
    }).length;
    if (chosen === undefined || due > chosen.due) chosen = { name: spec.name, due };
  }
  if (chosen === undefined) throw new RangeError('launch-failure needs a live group with max-age, min-healthy 100 and no window; try more groups');
  return chosen.name;
}

/** Every hour a few live groups get a new desired capacity, a step of 1 or 2 from the policy's last one, within min and max. */
function scaleChurn(fleet: readonly SimGroupSpec[], options: ScriptOptions): ScriptEvent[] {
  const random = seededRandom(options.seed ^ 0x5ca1e);
  const live = fleet.filter((spec) => livePolicy(spec.tags) !== undefined);
  const levels = new Map(live.map((spec) => [spec.name, spec.desired] as const));
  const perHour = Math.max(1, Math.round(live.length * CHURN_SHARE));
  const events: ScriptEvent[] = [];
  for (let hour = 1; hour < options.days * 24; hour += 1) {
    for (const spec of shuffle(random, live).slice(0, perHour)) {
      const level = levels.get(spec.name) ?? spec.desired;
      const step = (1 + Math.floor(random() * 2)) * (random() < 0.5 ? -1 : 1);
      // At a bound the step turns around instead of pinning the group there.
      const target = level + step >= spec.min && level + step <= spec.max ? level + step : level - step;
      const desired = Math.min(spec.max, Math.max(spec.min, target));
      levels.set(spec.name, desired);
      events.push({ at: options.start + hour * HOUR, kind: 'set-desired', group: spec.name, desired });
    }
  }
  return events;
}

/** A third of the live groups get the bad release: the first half through one shared template, the rest only share its AMI. */
const BAD_RELEASE_SHARE = 1 / 3;
const SHARED_TEMPLATE = 'lt-0bad000000000c0de';
const BAD_IMAGE = 'ami-0bad0000000000bad';

/**
 * Wednesday noon, a release whose instances never pass health checks (`unhealthy`) or never launch
 * (`no-launch`) reaches a third of the live groups: some share one launch template, some only its AMI.
 */
function badRelease(fleet: readonly SimGroupSpec[], options: ScriptOptions, bad: BadLaunch): ScriptEvent[] {
  const random = seededRandom(options.seed ^ 0xbadc0de);
  const live = fleet.filter((spec) => livePolicy(spec.tags) !== undefined);
  const reached = shuffle(random, live).slice(0, Math.max(2, Math.round(live.length * BAD_RELEASE_SHARE)));
  const shared = Math.ceil(reached.length / 2);
  return reached.map((spec, index) => ({
    at: options.start + DEPLOY_AT,
    kind: 'deploy',
    group: spec.name,
    ...(index < shared
      ? { version: '2', release: { templateId: SHARED_TEMPLATE, imageId: BAD_IMAGE, bad } }
      : { version: String(Number(spec.launchTemplate.version) + 1), release: { imageId: BAD_IMAGE, bad } }),
  }));
}

/** What happens to the fleet during a run of the scenario, the same for the same options. */
export function buildScript(name: ScenarioName, fleet: readonly SimGroupSpec[], options: ScriptOptions): ScenarioScript {
  switch (name) {
    case 'steady':
    case 'bad-tags':
    case 'infeasible':
      return { events: [], invocationsPerTick: 1 };
    case 'launch-failure':
      return { events: [{ at: options.start + DAY, kind: 'fail-launches', group: launchFailureGroup(fleet, options) }], invocationsPerTick: 1 };
    case 'taint':
      return { events: taintScript(fleet, options), invocationsPerTick: 1 };
    case 'throttle':
      return { events: [{ at: options.start, kind: 'set-faults', faults: THROTTLE_FAULTS }], invocationsPerTick: 1 };
    case 'overlap':
      return { events: [], invocationsPerTick: 2 };
    case 'scale-churn':
      return { events: scaleChurn(fleet, options), invocationsPerTick: 1 };
    case 'operator':
      return operatorScript(drawOperatorMoves(fleet, options));
    case 'bad-version':
      return { events: badRelease(fleet, options, 'unhealthy'), invocationsPerTick: 1 };
    case 'bad-launch':
      return { events: badRelease(fleet, options, 'no-launch'), invocationsPerTick: 1 };
    case 'selftest':
      return selftestScript(fleet, options);
    case 'fixed-size':
      return fixedSizeScript(options);
    case 'snooze':
      return { events: snoozeScript(fleet, options), invocationsPerTick: 1 };
  }
}
