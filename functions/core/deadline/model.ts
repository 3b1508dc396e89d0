import { budgetUse } from '../decide/budget.js';
import { isStale, replacementEstimate, replacementSlot } from '../decide/candidates.js';
import { healthyFloor, ineligibility } from '../decide/fleet-state.js';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../model.js';
import { DAY, HOUR, isOpen, WEEK } from '../model.js';
import type { Budget, GroupPolicy, TimeWindow } from '../policy/policy.js';
import { TAG } from '../policy/policy.js';
import { parseTaint } from '../taint/taint.js';
import type { OpenTime } from './open-time.js';
import { openTimeOf } from './open-time.js';

/** How far ahead age debt is summed and planned recycles are looked for. */
export const DEADLINE_HORIZON: Millis = 14 * DAY;
/** How many of the next recycles a prediction lists. */
const LISTED_RECYCLES = 5;

export interface DeadlineInput {
  readonly group: Group;
  readonly policy: GroupPolicy;
  readonly now: Millis;
  readonly tickInterval: Millis;
  /** The group's ledger records: recent terminations spend its budget, an open one occupies it. */
  readonly records: readonly ReplacementRecord[];
  /** Typical time from a replacement's start to its verification; the core's replacement estimate when unknown. */
  readonly replacementTime?: Millis;
}

export interface PlannedRecycle {
  readonly instanceId: string;
  /** The tick at which the recycler would start it, at the earliest. */
  readonly at: Millis;
  readonly rule: RecycleReason;
}

/** The rules' pace, in recycles a week: what the window, budget and replacement time allow against what max-age needs. */
export interface RecycleRate {
  readonly instances: number;
  /** Counted up to one more than max-age needs: enough to tell whether it keeps up. */
  readonly perWeek: number;
  readonly needPerWeek: number;
  /** Open time of the window in the week from now; a week without a window. */
  readonly openPerWeek: Millis;
}

/**
 * A prediction of whether a group's instances are retired before they pass max-age. It assumes no failed
 * replacement, no scaling, no chaos pick, no hand-made touch or deploy after now, and no account-wide
 * brake (mode, blackouts, alarms, the per-run limit): each of those only takes slots away.
 */
export interface Deadline {
  readonly feasible: boolean;
  /**
   * When the first instance that stays in service more than one tick past max-age reaches it, if one does
   * within the search (before now: already past).
   */
  readonly firstBreachAt: Millis | undefined;
  readonly breachInstanceId: string | undefined;
  /** Instance-hours past max-age within the next 14 days. */
  readonly ageDebtHours: number;
  readonly nextRecycles: readonly PlannedRecycle[];
  readonly rate: RecycleRate;
  /** Instances retired in time before the first breach, those reaching max-age by then, and whether the window is closed at it. */
  readonly beforeBreach: { readonly recycled: number; readonly reachingMaxAge: number; readonly windowClosed: boolean };
}

/** The policy fields a prediction reads; a suggested change alters one of them. */
export interface Rules {
  readonly maxAge: Millis;
  readonly budget: Budget;
  readonly window: TimeWindow | undefined;
}

interface Tracked {
  /** Undefined for an instance launched by a predicted replacement. */
  readonly id: string | undefined;
  readonly deadline: Millis;
  terminatedAt: Millis | undefined;
}

/** The group as the model reads it, rules aside: computed once, walked again for each suggested change. */
export interface Setup {
  readonly input: DeadlineInput;
  readonly replacementTime: Millis;
  readonly surge: boolean;
  /** Eligible instances by launch time, oldest first. */
  readonly launches: readonly { readonly id: string; readonly launchedAt: Millis }[];
  /** Stale or tainted instances, which their rules pick before max-age does: due from `dueAt`, in pick order. */
  readonly priority: readonly { readonly id: string; readonly dueAt: Millis; readonly rule: RecycleReason }[];
  /** Termination times that still spend budget, oldest first. */
  readonly terminations: readonly Millis[];
  /** The instance of the replacement in flight, and when it is done. */
  readonly open: { readonly instanceId: string; readonly until: Millis } | undefined;
}

export function setupOf(input: DeadlineInput): Setup {
  const { group, policy, now, records } = input;
  const replacementTime = input.replacementTime ?? replacementEstimate(input.tickInterval);
  // As the plan decides: a group that cannot spare one healthy instance launches before it terminates.
  const surge = group.desired - 1 < healthyFloor(group.desired, policy.minHealthyPercent);
  const live = records.filter((record) => record.mode === 'live');
  const openRecord = live.find(isOpen);
  const eligible = group.instances.filter((instance) => {
    const never = ineligibility(instance);
    // Pending, unhealthy or out-of-service instances are assumed to settle: no failures.
    return never !== 'exempt' && never !== 'protected' && instance.launchedAt !== undefined && instance.id !== openRecord?.instanceId;
  });
  const launches = eligible.map((instance) => ({ id: instance.id, launchedAt: instance.launchedAt as Millis })).sort((a, b) => a.launchedAt - b.launchedAt);
  const tainted = eligible.flatMap((instance) => {
    const tag = instance.tags[TAG.tainted];
    const taint = tag === undefined ? undefined : parseTaint(tag);
    return taint === undefined ? [] : [{ id: instance.id, dueAt: Math.min(taint.at, now) + policy.taintGrace, rule: 'tainted' as const }];
  });
  const taintedIds = new Set(tainted.map((item) => item.id));
  const stale = eligible
    .filter((instance) => !taintedIds.has(instance.id) && isStale(instance, group))
    .sort((a, b) => (a.launchedAt ?? 0) - (b.launchedAt ?? 0))
    .map((instance) => ({ id: instance.id, dueAt: now, rule: 'stale-config' as const }));
  const counted = live
    .filter((record) => !isOpen(record) && budgetUse({ records: [record], budget: policy.budget, now, dryRun: false }).used > 0)
    .map((record) => record.terminatedAt ?? record.startedAt);
  const open = openRecord === undefined ? undefined : { instanceId: openRecord.instanceId, until: Math.max(now, openRecord.startedAt + replacementTime) };
  if (open !== undefined) counted.push(openRecord?.terminatedAt ?? (surge ? open.until : now));
  return {
    input,
    replacementTime,
    surge,
    launches,
    priority: [...tainted.sort((a, b) => a.dueAt - b.dueAt), ...stale],
    terminations: counted.sort((a, b) => a - b),
    open,
  };
}

/** The next tick at or after `at`: ticks fall every tick interval from now. */
function tickAtOrAfter(at: Millis, now: Millis, tick: Millis): Millis {
  return at <= now ? now : now + Math.ceil((at - now) / tick) * tick;
}

/** The first tick at or after `at` at which the window gate passes: open now and when the replacement would end. */
function firstWindowTick(open: OpenTime, at: Millis, now: Millis, tick: Millis, end: Millis): Millis {
  const estimate = replacementEstimate(tick);
  let t = tickAtOrAfter(at, now, tick);
  while (t < end) {
    if (!open.isOpen(t)) {
      const next = open.nextOpen(t);
      if (next === undefined) return Infinity;
      t = tickAtOrAfter(next, now, tick);
    } else if (!open.isOpen(t + estimate)) {
      const next = open.nextOpen(t + estimate);
      if (next === undefined) return Infinity;
      t = tickAtOrAfter(next - estimate, now, tick);
    } else {
      return t;
    }
  }
  return Infinity;
}

/**
 * When the oldest instance becomes due by the recycler's spreading rule: at max-age, or earlier once the
 * window time left before the k-th oldest reaches max-age is at most k replacement slots.
 */
function maxAgeDue(queue: readonly Tracked[], head: number, open: OpenTime, slot: Millis, end: Millis): Millis {
  const count = queue.length - head;
  let best = Infinity;
  for (let k = 1; k <= count; k += 1) {
    const before = open.openBefore((queue[head + k - 1] as Tracked).deadline);
    // No later k can be due before this bound: their deadlines are later and their slots at most count.
    const bound = open.reaching(before - count * slot);
    if (bound >= Math.min(best, end)) break;
    best = Math.min(best, open.reaching(before - k * slot));
  }
  return best;
}

/** The recycles a week of the rules allows when something is always due, counted up to `enough`. */
function weeklyPace(setup: Setup, rules: Rules, open: OpenTime, enough: number): number {
  const { now, tickInterval } = setup.input;
  const end = now + WEEK;
  const terminations: Millis[] = [];
  let next = now;
  let count = 0;
  while (count < enough) {
    const spent = terminations.length >= rules.budget.count ? (terminations[terminations.length - rules.budget.count] as Millis) + rules.budget.period : now;
    const t = firstWindowTick(open, Math.max(next, spent), now, tickInterval, end);
    if (t >= end) break;
    count += 1;
    terminations.push(setup.surge ? t + setup.replacementTime : t);
    next = Math.max(t + tickInterval, t + setup.replacementTime);
  }
  return count;
}

/** Walks the recycler's rules tick by tick (jumping between the ticks where something can change) for one set of rules. */
export function walk(setup: Setup, rules: Rules, until?: Millis): Deadline {
  const { now, tickInterval } = setup.input;
  const { maxAge, budget } = rules;
  // A caller that needs only the starts before `until` (advance notice) stops the walk there: the starts
  // before it come out the same, the rest of the verdict does not count.
  const searchEnd = until ?? now + Math.max(DEADLINE_HORIZON, 2 * maxAge);
  const open = openTimeOf(rules.window, now - DAY, searchEnd + maxAge + 2 * DAY);
  const slot = replacementSlot({ ...setup.input.policy, budget }, tickInterval);
  const tracked: Tracked[] = setup.launches.map((launch) => ({ id: launch.id, deadline: launch.launchedAt + maxAge, terminatedAt: undefined }));
  const queue = [...tracked];
  let head = 0;
  const priority = [...setup.priority];
  const terminations = [...setup.terminations];
  if (setup.open !== undefined) {
    const replacement: Tracked = { id: undefined, deadline: setup.open.until + maxAge, terminatedAt: undefined };
    tracked.push(replacement);
    queue.push(replacement);
  }
  const listed: PlannedRecycle[] = [];
  let next = setup.open?.until ?? now;
  for (;;) {
    const spent = terminations.length >= budget.count ? (terminations[terminations.length - budget.count] as Millis) + budget.period : now;
    const due = Math.min(priority[0] === undefined ? Infinity : Math.min(...priority.map((item) => item.dueAt)), maxAgeDue(queue, head, open, slot, searchEnd));
    const earliest = Math.max(next, spent, due);
    if (earliest >= searchEnd) break;
    const t = firstWindowTick(open, earliest, now, tickInterval, searchEnd);
    if (t >= searchEnd) break;
    const chosen = priority.findIndex((item) => item.dueAt <= t);
    let picked: Tracked;
    let rule: RecycleReason = 'max-age';
    if (chosen >= 0) {
      const item = priority.splice(chosen, 1)[0] as (typeof priority)[number];
      rule = item.rule;
      const at = queue.findIndex((entry, index) => index >= head && entry.id === item.id);
      picked = queue.splice(at, 1)[0] as Tracked;
    } else {
      picked = queue[head] as Tracked;
      head += 1;
      // The oldest may also be stale or tainted: once max-age took it, no other rule can.
      const also = priority.findIndex((item) => item.id === picked.id);
      if (also >= 0) priority.splice(also, 1);
    }
    const terminatedAt = setup.surge ? t + setup.replacementTime : t;
    picked.terminatedAt = terminatedAt;
    if (picked.id !== undefined && listed.length < LISTED_RECYCLES) listed.push({ instanceId: picked.id, at: t, rule });
    terminations.push(terminatedAt);
    const replacement: Tracked = { id: undefined, deadline: t + maxAge, terminatedAt: undefined };
    tracked.push(replacement);
    queue.push(replacement);
    next = Math.max(t + tickInterval, t + setup.replacementTime);
  }
  return summarise(setup, rules, open, tracked, listed, searchEnd);
}

function summarise(setup: Setup, rules: Rules, open: OpenTime, tracked: readonly Tracked[], listed: PlannedRecycle[], searchEnd: Millis): Deadline {
  const { now } = setup.input;
  const debtEnd = now + DEADLINE_HORIZON;
  let debt = 0;
  let breach: Tracked | undefined;
  for (const item of tracked) {
    const end = item.terminatedAt ?? Infinity;
    if (end <= item.deadline || item.deadline >= searchEnd) continue;
    debt += Math.max(0, Math.min(end, debtEnd) - Math.max(item.deadline, now));
    // Minutes past max-age that a tick's rounding explains are debt, not a breach: the recycler's own
    // target is max-age plus one tick, and the simulator judges a breach the same way.
    if (end <= item.deadline + setup.input.tickInterval) continue;
    if (breach === undefined || item.deadline < breach.deadline) breach = item;
  }
  const instances = setup.launches.length + (setup.open === undefined ? 0 : 1);
  const needPerWeek = (instances * WEEK) / rules.maxAge;
  const perWeek = weeklyPace(setup, rules, open, Math.ceil(needPerWeek) + 1);
  const rate: RecycleRate = { instances, perWeek, needPerWeek, openPerWeek: open.openBefore(now + WEEK) - open.openBefore(now) };
  const breachAt = breach?.deadline;
  const beforeBreach =
    breachAt === undefined
      ? { recycled: 0, reachingMaxAge: 0, windowClosed: false }
      : {
          recycled: tracked.filter((item) => item.deadline <= breachAt && item.terminatedAt !== undefined && item.terminatedAt <= breachAt).length,
          reachingMaxAge: tracked.filter((item) => item.deadline <= breachAt).length,
          windowClosed: !open.isOpen(breachAt),
        };
  return {
    feasible: breach === undefined && perWeek >= needPerWeek,
    firstBreachAt: breachAt,
    breachInstanceId: breach?.id,
    ageDebtHours: Math.round((debt / HOUR) * 10) / 10,
    nextRecycles: listed,
    rate,
    beforeBreach,
  };
}

/**
 * The typical time from a replacement's start to its verification, as the ledger shows it: the median
 * over verified live records; undefined without any, when the core's estimate stands in.
 */
export function typicalReplacementTime(records: readonly ReplacementRecord[]): Millis | undefined {
  const times = records.flatMap((record) =>
    record.mode === 'live' && record.phase === 'verified' && record.closedAt !== undefined ? [record.closedAt - record.startedAt] : [],
  );
  if (times.length === 0) return undefined;
  times.sort((a, b) => a - b);
  return times[Math.floor((times.length - 1) / 2)];
}

/** The group's deadline under its own rules; undefined for a group without max-age, which has none. */
export function predictDeadline(input: DeadlineInput): Deadline | undefined {
  const { maxAge, budget, window } = input.policy;
  if (maxAge === undefined) return undefined;
  return walk(setupOf(input), { maxAge, budget, window });
}
