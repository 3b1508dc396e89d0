import { formatDuration } from '../policy/duration.js';
import type { Ineligibility } from './fleet-state.js';
import { ineligibility } from './fleet-state.js';
import type { Group, Instance, LaunchSource, Millis, RecycleReason } from '../model.js';
import { TRUSTED_CLOCK_SKEW } from '../model.js';
import type { GroupPolicy } from '../policy/policy.js';
import { TAG } from '../policy/policy.js';
import type { RandomSource } from './random.js';
import type { Taint } from '../taint/taint.js';
import { parseTaint } from '../taint/taint.js';
import { openTimeBetween } from '../policy/window.js';

export interface Candidate {
  readonly instance: Instance;
  readonly reason: RecycleReason;
  readonly why: string;
  /** Age over max-age for a max-age pick, else 0: the most overdue go first when the account limit bites. */
  readonly overdue: number;
  /** The last touch of a tainted pick. */
  readonly touchedAt?: Millis;
}

export interface CandidateContext {
  readonly now: Millis;
  readonly tickInterval: Millis;
  readonly random: RandomSource;
}

function sameSource(a: LaunchSource, b: LaunchSource): boolean {
  if (a.kind === 'template' && b.kind === 'template') return a.id === b.id && a.version === b.version;
  if (a.kind === 'configuration' && b.kind === 'configuration') return a.name === b.name;
  return false;
}

function describeSource(source: LaunchSource): string {
  return source.kind === 'template' ? `${source.id} v${source.version}` : `launch configuration ${source.name}`;
}

export function isStale(instance: Instance, group: Group): boolean {
  return (
    group.launchSource !== undefined &&
    instance.launchSource !== undefined &&
    !sameSource(instance.launchSource, group.launchSource)
  );
}

/** A replacement takes about three ticks: surge, terminate, verify. */
export function replacementEstimate(tickInterval: Millis): Millis {
  return 3 * tickInterval;
}

/**
 * How much window time one replacement takes: the budget's spacing or the replacement itself,
 * whichever is longer.
 */
function replacementSlot(policy: GroupPolicy, tickInterval: Millis): Millis {
  return Math.max(policy.budget.period / policy.budget.count, replacementEstimate(tickInterval));
}

/**
 * The instance's taint, its time clamped to now. A time further ahead than a clock may drift is not a
 * fact (a hand-written or mistyped tag): it must neither protect the instance for years nor order it
 * behind real touches, so it reads as a touch made now whose grace is already over.
 */
function taintOf(instance: Instance, now: Millis): (Taint & { readonly future: boolean }) | undefined {
  const tag = instance.tags[TAG.tainted];
  const taint = tag === undefined ? undefined : parseTaint(tag);
  if (taint === undefined) return undefined;
  return taint.at > now + TRUSTED_CLOCK_SKEW ? { ...taint, at: now, future: true } : { ...taint, at: Math.min(taint.at, now), future: false };
}

/** A person touched the instance recently enough that they may still be at work on it: no rule picks it. */
export function inTaintGrace(instance: Instance, policy: GroupPolicy, now: Millis): boolean {
  const taint = taintOf(instance, now);
  return taint !== undefined && !taint.future && now - taint.at < policy.taintGrace;
}

/** Among instances whose grace is over (pickCandidate leaves out the others). */
function tainted(eligible: readonly Instance[], policy: GroupPolicy, now: Millis): Candidate | undefined {
  let best: { instance: Instance; at: Millis; by: string; via: string; future: boolean } | undefined;
  for (const instance of eligible) {
    const taint = taintOf(instance, now);
    if (taint === undefined) continue;
    if (best === undefined || taint.at < best.at) best = { instance, ...taint };
  }
  if (best === undefined) return undefined;
  const when = best.future ? 'with a taint time in the future (not trusted, no grace)' : `${formatDuration(now - best.at)} ago (grace ${formatDuration(policy.taintGrace)})`;
  return {
    instance: best.instance,
    reason: 'tainted',
    why: `touched by ${best.by} via ${best.via} ${when}`,
    overdue: 0,
    touchedAt: best.at,
  };
}

function staleConfig(eligible: readonly Instance[], group: Group): Candidate | undefined {
  let oldest: Instance | undefined;
  for (const instance of eligible) {
    if (!isStale(instance, group)) continue;
    if (oldest === undefined || (instance.launchedAt ?? Infinity) < (oldest.launchedAt ?? Infinity)) oldest = instance;
  }
  if (oldest === undefined || oldest.launchSource === undefined || group.launchSource === undefined) return undefined;
  return {
    instance: oldest,
    reason: 'stale-config',
    why: `launched from ${describeSource(oldest.launchSource)}, group launches ${describeSource(group.launchSource)}`,
    overdue: 0,
  };
}

/**
 * The oldest instance, once it is due. It is due at max-age, or earlier when the window time left
 * before the k-th oldest reaches max-age is less than k replacement slots: a fleet launched together
 * is then recycled one slot apart ahead of time instead of all at once and late, and deadlines that
 * fall on a closed weekend are met on the Friday before.
 */
function pastMaxAge(
  eligible: readonly Instance[],
  policy: GroupPolicy,
  context: CandidateContext,
): Candidate | undefined {
  const maxAge = policy.maxAge;
  if (maxAge === undefined) return undefined;
  const launchTimes: number[] = [];
  for (const instance of eligible) if (instance.launchedAt !== undefined) launchTimes.push(instance.launchedAt);
  if (launchTimes.length === 0) return undefined;
  launchTimes.sort((a, b) => a - b);
  const slot = replacementSlot(policy, context.tickInterval);
  const horizon = launchTimes.length * slot;
  let openBefore = 0;
  let previous = context.now;
  let queued = 0;
  for (const [index, launchedAt] of launchTimes.entries()) {
    const deadline = launchedAt + maxAge;
    openBefore += openTimeBetween(policy.window, previous, deadline);
    previous = Math.max(previous, deadline);
    if (openBefore <= (index + 1) * slot) {
      queued = index + 1;
      break;
    }
    // Window time before later deadlines only grows: none of them can be due once it passes every slot.
    if (openBefore > horizon) break;
  }
  if (queued === 0) return undefined;
  const oldestLaunch = launchTimes[0] as number;
  const oldest = eligible.find((instance) => instance.launchedAt === oldestLaunch) as Instance;
  const age = context.now - oldestLaunch;
  const why =
    age >= maxAge
      ? `age ${formatDuration(age)} past max-age ${formatDuration(maxAge)}`
      : `age ${formatDuration(age)}, starting early: ${queued} instances reach max-age ${formatDuration(maxAge)} with ${formatDuration(openBefore)} of window time for ${formatDuration(queued * slot)} of replacements`;
  return { instance: oldest, reason: 'max-age', why, overdue: age / maxAge };
}

/** A random pick with the probability that gives the configured mean time between kills in window time. */
function chaos(eligible: readonly Instance[], policy: GroupPolicy, context: CandidateContext): Candidate | undefined {
  const mean = policy.chaosMeanInterval;
  if (mean === undefined || eligible.length === 0) return undefined;
  const probability = 1 - Math.exp(-context.tickInterval / mean);
  if (context.random() >= probability) return undefined;
  const instance = eligible[Math.floor(context.random() * eligible.length)] as Instance;
  return {
    instance,
    reason: 'chaos',
    why: `chaos pick (mean ${formatDuration(mean)} between kills, ${(probability * 100).toFixed(2)}% per tick)`,
    overdue: 0,
  };
}

function eligibleInstances(group: Group): Instance[] {
  return group.instances.filter((instance) => ineligibility(instance) === undefined);
}

/**
 * The rules in priority order, the first to pick an instance winning: tainted, stale configuration,
 * max-age, then chaos. An instance touched within its grace is left alone by every rule, not only the
 * taint rule: its person may still be at work on it.
 */
export function pickCandidate(group: Group, policy: GroupPolicy, context: CandidateContext): Candidate | undefined {
  const eligible = eligibleInstances(group).filter((instance) => !inTaintGrace(instance, policy, context.now));
  return (
    tainted(eligible, policy, context.now) ??
    staleConfig(eligible, group) ??
    pastMaxAge(eligible, policy, context) ??
    chaos(eligible, policy, context)
  );
}

const INELIGIBLE_NOTES: Record<Ineligibility, string> = {
  exempt: `never picked: ${TAG.exempt}`,
  protected: 'never picked: protected from scale-in',
  'not-in-service': 'not picked: not InService',
  unhealthy: 'not picked: unhealthy (Auto Scaling replaces it)',
};

/** One line per instance for `phoenix plan`: why it would or would not be recycled, gates aside. */
export function explainInstance(
  instance: Instance,
  group: Group,
  policy: GroupPolicy,
  now: Millis,
): { ineligible: Ineligibility | undefined; candidate: RecycleReason | undefined; note: string } {
  const age = instance.launchedAt === undefined ? undefined : now - instance.launchedAt;
  const ageText = age === undefined ? 'launch time unknown' : `age ${formatDuration(age)}`;
  const blocked = ineligibility(instance);
  if (blocked !== undefined) {
    const state = blocked === 'not-in-service' ? ` (${instance.lifecycleState})` : '';
    return { ineligible: blocked, candidate: undefined, note: `${INELIGIBLE_NOTES[blocked]}${state}; ${ageText}` };
  }
  const taintTag = instance.tags[TAG.tainted];
  if (taintTag !== undefined) {
    const taint = parseTaint(taintTag);
    if (taint === undefined) {
      return { ineligible: undefined, candidate: undefined, note: `${TAG.tainted}="${taintTag}" has no readable at= time; not a taint candidate; ${ageText}` };
    }
    if (taint.at > now + TRUSTED_CLOCK_SKEW) {
      return { ineligible: undefined, candidate: 'tainted', note: `tainted by ${taint.by} via ${taint.via} at a time in the future (${new Date(taint.at).toISOString()}): not trusted, no grace` };
    }
    const graceLeft = taint.at + policy.taintGrace - now;
    return graceLeft > 0
      ? { ineligible: undefined, candidate: undefined, note: `tainted by ${taint.by} via ${taint.via}; grace ends in ${formatDuration(graceLeft)}` }
      : { ineligible: undefined, candidate: 'tainted', note: `tainted by ${taint.by} via ${taint.via}; grace over` };
  }
  if (isStale(instance, group) && instance.launchSource !== undefined && group.launchSource !== undefined) {
    return { ineligible: undefined, candidate: 'stale-config', note: `stale: ${describeSource(instance.launchSource)}, group launches ${describeSource(group.launchSource)}` };
  }
  if (policy.maxAge !== undefined && age !== undefined) {
    return age >= policy.maxAge
      ? { ineligible: undefined, candidate: 'max-age', note: `${ageText} past max-age ${formatDuration(policy.maxAge)}` }
      : { ineligible: undefined, candidate: undefined, note: `${ageText} of max-age ${formatDuration(policy.maxAge)}` };
  }
  const chaosNote = policy.chaosMeanInterval === undefined ? 'no max-age, chaos off' : `chaos may pick it (mean ${formatDuration(policy.chaosMeanInterval)})`;
  return { ineligible: undefined, candidate: undefined, note: `${ageText}; ${chaosNote}` };
}
