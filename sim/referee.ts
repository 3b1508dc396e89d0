import type { GlobalMode, Millis } from '../functions/core/model.js';
import { MINUTE } from '../functions/core/model.js';
import type { GroupPolicy } from '../functions/core/policy/policy.js';
import { MAX_SURGE_ON, TAG } from '../functions/core/policy/policy.js';
import type { PolicyResult } from '../functions/core/policy/tags.js';
import { DEFAULT_MAX_SNOOZES_PER_WEEK, parseGroupPolicy } from '../functions/core/policy/tags.js';
import { isWindowOpen } from '../functions/core/policy/window.js';
import type { SnoozeFigures } from './snooze-watch.js';
import { SnoozeWatch } from './snooze-watch.js';

export const VIOLATION_KINDS = [
  'belowMinHealthy',
  'budgetOverrun',
  'outsideOptIn',
  'outsideWindow',
  'protectedOrExempt',
  'doubleTermination',
  'strandedSurge',
  'desiredNotRestored',
  'terminatedWhileBraked',
  'maxLeftRaised',
  'maxNotRestored',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];
export type Violations = Record<ViolationKind, number>;

export interface RefereeOptions {
  /** The simulator's clock: every judgement is made at the moment something happens. */
  readonly clock: { now(): Millis };
  /** The recycler's schedule: a replacement may take two more runs than its recovery-timeout to finish or be undone. */
  readonly tickInterval: Millis;
  /** The longest a Describe may lag a write: Phoenix cannot be held to a brake before it could have read it. */
  readonly describeLag: Millis;
}

/** What the fleet knows about a termination it accepted from Phoenix, from its own state just before it happens. */
export interface TerminationFacts {
  readonly group: string;
  /** The victim's place in the order the fleet launched instances: tells whether it came from a surge. */
  readonly victimLaunchOrdinal: number;
  readonly victimProtectedOrExempt: boolean;
  /** The victim carries `phoenix:tainted`: a snooze does not hold its replacement back. */
  readonly victimTainted: boolean;
  readonly decrementDesired: boolean;
  readonly desiredBefore: number;
  /** InService and Healthy instances of the group other than the victim. */
  readonly healthyOthers: number;
}

/** Phoenix raised desired capacity to launch before terminating; it stays open until the extra capacity is given back. */
interface Surge {
  readonly from: number;
  /** How many instances the fleet had launched before the raise: any later one came from the surge. */
  readonly launchedBefore: number;
  readonly deadline: Millis;
  /** Counted stranded (and so desired not restored) already. */
  stranded: boolean;
}

/** Phoenix raised the group's max size for a surge; open until it sets it back or the max becomes its owner's. */
interface MaxRaiseWatch {
  /** The max size before the raise: what must come back. */
  readonly from: number;
  readonly recoveryTimeout: Millis;
  deadline: Millis;
  /** Counted left raised already. */
  stranded: boolean;
}

interface Watch {
  tags: Readonly<Record<string, string>>;
  maxRaise: MaxRaiseWatch | undefined;
  parsed: PolicyResult;
  /**
   * The group's own budget, window, floor and timeout, read as if it were live (a disabled group's tags
   * still say them), each from when its tags said so, oldest first: the last is in force, and the ones
   * before it may still be what a lagging Describe shows.
   */
  readonly limits: { readonly since: Millis; readonly result: PolicyResult }[];
  /** Start of the current stretch in which the group's own tags brake it (disabled, dry-run, bad tag, quarantined). */
  tagBrakedSince: Millis | undefined;
  /** Start of the current stretch in which any brake holds: the group's tags or the account mode. */
  brakedSince: Millis | undefined;
  /** Open surges, oldest first. */
  readonly surges: Surge[];
  /** Phoenix's terminations that spend budget (every one but an undo), in time order. */
  readonly spent: Millis[];
}

/** What IAM lets Phoenix change max size on: an opted-in group tagged exactly `phoenix:max-surge=1`. */
function maySetMax(tags: Readonly<Record<string, string>>): boolean {
  return TAG.enabled in tags && tags[TAG.maxSurge] === MAX_SURGE_ON;
}

function limitsOf(tags: Readonly<Record<string, string>>): PolicyResult {
  return parseGroupPolicy({ ...tags, [TAG.enabled]: 'true' });
}

/** What a group without `phoenix:recovery-timeout` gets; for a raise in a group whose limits do not parse. */
const DEFAULT_RECOVERY_TIMEOUT: Millis = 20 * MINUTE;

function zero(): Violations {
  return Object.fromEntries(VIOLATION_KINDS.map((kind) => [kind, 0])) as Violations;
}

/**
 * Judges what Phoenix's calls did to the simulated fleet, from the fleet's own state and the world's
 * changes, never from Phoenix's ledger or decisions. The fleet tells it every call it accepted and every
 * change the world made; it keeps the counts.
 *
 * A surge is Phoenix raising desired capacity. It is given back (resolved) when Phoenix terminates an
 * instance with decrementDesired or sets desired back down; when the group's owner changes desired, the
 * number is theirs and the surge is over without a verdict (so it is when the group leaves opt-in). Judged:
 * - strandedSurge: a surge still open later than its group's recovery-timeout (as it stood at the raise)
 *   plus two ticks after the raise, or two ticks after a brake that has held since.
 * - desiredNotRestored: a surge Phoenix gave back with desired not ending where it was before the raise,
 *   or a stranded one (desired still raised at its deadline).
 * - terminatedWhileBraked: a termination other than an undo while a brake holds and has held for longer
 *   than a Describe may lag. Brakes: account mode off or dry-run, `phoenix:enabled` not exactly `true`,
 *   a group tag that does not parse, `phoenix:quarantined` present, and a snooze (SnoozeWatch judges
 *   it from the tag's writes; a tainted victim's termination does not break it).
 * An undo is the first termination with decrementDesired of an instance launched after the open surge's
 * raise: it gives back what Phoenix added, so no budget, window or brake holds it back. With Describe
 * lag, a brake or a tightened budget, window or floor is held against Phoenix only once the longest lag
 * has passed since the change: before that, every read may still show the group as it was.
 * - maxLeftRaised: a max size Phoenix raised still raised past its deadline (see phoenixSetMax).
 * - maxNotRestored: Phoenix lowering max size to anything but the value before its own open raise, or
 *   below desired capacity (which cuts desired with it).
 */
export class Referee {
  private readonly counts = zero();
  private readonly watches = new Map<string, Watch>();
  private readonly surging = new Set<Watch>();
  private readonly raisingMax = new Set<Watch>();
  private modeBraked = false;
  private readonly snoozes: SnoozeWatch;

  constructor(private readonly options: RefereeOptions) {
    // Phoenix first sees a written snooze at a tick after a Describe shows it; a tick lost on the way makes it two.
    const seenWithin = 2 * options.tickInterval + options.describeLag;
    this.snoozes = new SnoozeWatch({ clock: options.clock, seenWithin, maxPerWeek: DEFAULT_MAX_SNOOZES_PER_WEEK });
  }

  snoozeFigures(): SnoozeFigures {
    return this.snoozes.figures();
  }

  violations(): Violations {
    return { ...this.counts };
  }

  /** Groups with a surge open now, in the order they were added. */
  surgingGroups(): string[] {
    return [...this.watches.entries()].flatMap(([name, watch]) => (watch.surges.length > 0 ? [name] : []));
  }

  /** Groups with a raised max size open now, in the order they were added. */
  raisedMaxGroups(): string[] {
    return [...this.watches.entries()].flatMap(([name, watch]) => (watch.maxRaise === undefined ? [] : [name]));
  }

  addGroup(name: string, tags: Readonly<Record<string, string>>): void {
    const watch: Watch = {
      tags,
      parsed: parseGroupPolicy(tags),
      limits: [{ since: this.options.clock.now(), result: limitsOf(tags) }],
      tagBrakedSince: undefined,
      brakedSince: undefined,
      surges: [],
      spent: [],
      maxRaise: undefined,
    };
    this.watches.set(name, watch);
    this.refreshBrakes(watch);
    this.snoozes.tagsChanged(name, tags);
  }

  /** The clock moved: surges past their deadline are stranded. */
  advance(): void {
    this.expire();
  }

  /**
   * Any write of the group's tags, by Phoenix or by the world. Without `phoenix:enabled` the group has left
   * opt-in and Phoenix may no longer touch it (IAM refuses), so its open surges are over unjudged.
   */
  tagsChanged(name: string, tags: Readonly<Record<string, string>>): void {
    this.expire();
    const watch = this.watch(name);
    watch.tags = tags;
    watch.parsed = parseGroupPolicy(tags);
    watch.limits.push({ since: this.options.clock.now(), result: limitsOf(tags) });
    this.forgetUnseenLimits(watch);
    this.refreshBrakes(watch);
    this.snoozes.tagsChanged(name, tags);
    if (!(TAG.enabled in tags)) this.close(watch, 0);
    // Without phoenix:max-surge=1 IAM refuses Phoenix any change of max size: a raise still open is its owner's now.
    if (!maySetMax(tags)) this.closeMaxRaise(watch);
  }

  /** Someone outside Phoenix set max size: their number stands, and a raise of Phoenix's still open is over unjudged. */
  ownerSetMax(name: string): void {
    this.expire();
    this.closeMaxRaise(this.watch(name));
  }

  /**
   * An accepted UpdateAutoScalingGroup MaxSize from Phoenix; returns what it broke. A raise opens a watch
   * that must be given back exactly (to the max before it) by a deadline: the replacement's recovery-timeout
   * twice (waiting for the extra instance, then for recovery) plus three ticks, or, once the surge's desired
   * capacity came back, recovery-timeout plus two ticks from then. Lowering max below desired capacity makes
   * Auto Scaling lower desired with it: never a correct restore.
   */
  phoenixSetMax(name: string, change: { readonly from: number; readonly to: number; readonly desired: number }): ViolationKind[] {
    this.expire();
    const watch = this.watch(name);
    const { from, to, desired } = change;
    const found: ViolationKind[] = [];
    if (!maySetMax(watch.tags) || (to > from && this.brakeVisible(watch.tagBrakedSince))) found.push('outsideOptIn');
    if (to > from) {
      if (watch.maxRaise === undefined) {
        const limits = watch.limits.at(-1)?.result;
        const recoveryTimeout = limits?.ok === true ? limits.policy.recoveryTimeout : DEFAULT_RECOVERY_TIMEOUT;
        watch.maxRaise = { from, recoveryTimeout, deadline: this.options.clock.now() + 2 * recoveryTimeout + 3 * this.options.tickInterval, stranded: false };
        this.raisingMax.add(watch);
      }
    } else if (to < from) {
      const raise = watch.maxRaise;
      if (raise === undefined || to !== raise.from || desired > to) {
        if (raise?.stranded !== true) found.push('maxNotRestored');
      }
      this.closeMaxRaise(watch);
    }
    return this.count(found);
  }

  accountModeChanged(mode: GlobalMode): void {
    this.expire();
    this.modeBraked = mode !== 'live';
    for (const watch of this.watches.values()) this.refreshBrakes(watch);
  }

  /** Someone outside Phoenix set desired capacity: their number stands, and any open surge is over unjudged. */
  ownerSetDesired(name: string): void {
    this.expire();
    this.close(this.watch(name), 0);
  }

  /** A terminate AWS refused because the instance was no longer in service: Phoenix aimed at it twice. */
  terminateRefused(): void {
    this.counts.doubleTermination += 1;
  }

  /**
   * An accepted SetDesiredCapacity from Phoenix; returns what it broke. Open surges are stacked with rising
   * `from` (only Phoenix moves desired while one is open), so lowering desired to `to` gives back exactly
   * those raised from `to` or above, and must land on the lowest one's `from`.
   */
  phoenixSetDesired(name: string, change: { readonly from: number; readonly to: number; readonly launched: number }): ViolationKind[] {
    this.expire();
    const watch = this.watch(name);
    const { from, to } = change;
    const givenBack = to < from ? watch.surges.findIndex((surge) => surge.from >= to) : -1;
    const found: ViolationKind[] = [];
    if (this.outsideOptIn(watch, givenBack >= 0)) found.push('outsideOptIn');
    if (to > from) this.open(watch, from, change.launched);
    const lowest = watch.surges[givenBack];
    if (lowest !== undefined) {
      this.maxDueSoon(watch);
      this.close(watch, givenBack);
      if (to !== lowest.from && !lowest.stranded) found.push('desiredNotRestored');
    }
    return this.count(found);
  }

  /** An accepted TerminateInstanceInAutoScalingGroup from Phoenix; returns what it broke. */
  phoenixTerminate(facts: TerminationFacts): ViolationKind[] {
    this.expire();
    const now = this.options.clock.now();
    const watch = this.watch(facts.group);
    const top = watch.surges.at(-1);
    const undo = facts.decrementDesired && top !== undefined && facts.victimLaunchOrdinal > top.launchedBefore;
    const found: ViolationKind[] = [];
    if (facts.victimProtectedOrExempt) found.push('protectedOrExempt');
    if (this.outsideOptIn(watch, undo)) found.push('outsideOptIn');
    const snoozeBroken = !undo && this.snoozes.breaks(facts.group, facts.victimTainted, (since) => this.brakeVisible(since));
    if (!undo && (this.brakeVisible(watch.brakedSince) || snoozeBroken)) found.push('terminatedWhileBraked');
    if (facts.decrementDesired && top !== undefined) {
      this.maxDueSoon(watch);
      this.close(watch, watch.surges.length - 1);
      if (facts.desiredBefore - 1 !== top.from && !top.stranded) found.push('desiredNotRestored');
    }
    if (!undo) watch.spent.push(now);
    // Without limits that parse there is no budget, window or floor to hold the call against; the brake already counted it.
    const policies = this.visibleLimits(watch);
    if (policies.length === 0) return this.count(found);
    const desiredAfter = facts.decrementDesired ? facts.desiredBefore - 1 : facts.desiredBefore;
    if (policies.every((policy) => facts.healthyOthers < Math.ceil((desiredAfter * policy.minHealthyPercent) / 100))) found.push('belowMinHealthy');
    if (!undo) {
      // Checked at every termination, the rolling period ending now covers every period with too many in it.
      if (policies.every((policy) => watch.spent.filter((at) => at > now - policy.budget.period).length > policy.budget.count)) found.push('budgetOverrun');
      if (policies.every((policy) => !isWindowOpen(policy.window, now))) found.push('outsideWindow');
    }
    return this.count(found);
  }

  private watch(name: string): Watch {
    const watch = this.watches.get(name);
    if (watch === undefined) throw new Error(`the referee watches no group named ${name}`);
    return watch;
  }

  private count(found: ViolationKind[]): ViolationKind[] {
    for (const kind of found) this.counts[kind] += 1;
    return found;
  }

  /** True from the moment a brake took effect plus the longest Describe lag: from then on Phoenix has read it. */
  private brakeVisible(since: Millis | undefined): boolean {
    return since !== undefined && this.options.clock.now() >= since + this.options.describeLag;
  }

  /**
   * A call on a group without `phoenix:enabled` is outside opt-in whatever it does (IAM refuses it). In an
   * opted-in group whose own tags brake it, so is every call but one giving back Phoenix's own surge.
   */
  private outsideOptIn(watch: Watch, givesBack: boolean): boolean {
    if (!(TAG.enabled in watch.tags)) return true;
    return !givesBack && this.brakeVisible(watch.tagBrakedSince);
  }

  /**
   * The limits that parse among those in force within the longest Describe lag: a termination breaks a
   * limit only if it breaks every one Phoenix may have read, so a limit tightened moments ago is held
   * against it only once any read shows it. Older limits are dropped on the way.
   */
  private visibleLimits(watch: Watch): GroupPolicy[] {
    this.forgetUnseenLimits(watch);
    return watch.limits.flatMap((entry) => (entry.result.ok ? [entry.result.policy] : []));
  }

  /** Each entry holds until the next; the last one from before the longest lag is the oldest a read may still show. */
  private forgetUnseenLimits(watch: Watch): void {
    const seenFrom = this.options.clock.now() - this.options.describeLag;
    while ((watch.limits[1]?.since ?? Infinity) <= seenFrom) watch.limits.shift();
  }

  private refreshBrakes(watch: Watch): void {
    const now = this.options.clock.now();
    const tagBraked = watch.tags[TAG.enabled] !== 'true' || TAG.quarantined in watch.tags || !watch.parsed.ok;
    watch.tagBrakedSince = tagBraked ? (watch.tagBrakedSince ?? now) : undefined;
    watch.brakedSince = tagBraked || this.modeBraked ? (watch.brakedSince ?? now) : undefined;
  }

  private open(watch: Watch, from: number, launched: number): void {
    const now = this.options.clock.now();
    const limits = watch.limits.at(-1)?.result;
    const recoveryTimeout = limits?.ok === true ? limits.policy.recoveryTimeout : DEFAULT_RECOVERY_TIMEOUT;
    watch.surges.push({ from, launchedBefore: launched, deadline: now + recoveryTimeout + 2 * this.options.tickInterval, stranded: false });
    this.surging.add(watch);
  }

  /** The surge's desired capacity came back: its replacement closes within recovery-timeout, and its raised max with it. */
  private maxDueSoon(watch: Watch): void {
    const raise = watch.maxRaise;
    if (raise !== undefined) raise.deadline = Math.min(raise.deadline, this.options.clock.now() + raise.recoveryTimeout + 2 * this.options.tickInterval);
  }

  private closeMaxRaise(watch: Watch): void {
    watch.maxRaise = undefined;
    this.raisingMax.delete(watch);
  }

  /** Ends the surges from `index` up. */
  private close(watch: Watch, index: number): void {
    watch.surges.splice(index);
    if (watch.surges.length === 0) this.surging.delete(watch);
  }

  private expire(): void {
    const now = this.options.clock.now();
    const twoTicks = 2 * this.options.tickInterval;
    for (const watch of this.surging) {
      const brakeDeadline = watch.brakedSince === undefined ? Infinity : watch.brakedSince + twoTicks;
      for (const surge of watch.surges) {
        if (surge.stranded || now <= Math.min(surge.deadline, brakeDeadline)) continue;
        surge.stranded = true;
        // Nobody lowered desired while the surge was open, so it is still raised at its deadline.
        this.count(['strandedSurge', 'desiredNotRestored']);
      }
    }
    for (const watch of this.raisingMax) {
      const raise = watch.maxRaise;
      if (raise === undefined || raise.stranded || now <= raise.deadline) continue;
      raise.stranded = true;
      this.count(['maxLeftRaised']);
    }
  }
}
