import type { Group, Instance, LaunchSource, Millis, RecycleReason } from '../model.js';
import { TRUSTED_CLOCK_SKEW } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { GroupPolicy } from '../policy/policy.js';
import { TAG } from '../policy/policy.js';
import { parseRequest } from '../policy/request.js';
import { openTimeBetween } from '../policy/window.js';
import type { Taint } from '../taint/taint.js';
import { parseTaint } from '../taint/taint.js';
import type { Ineligibility } from './fleet-state.js';
import { ineligibility } from './fleet-state.js';
import type { RandomSource } from './random.js';

export interface Candidate {
  readonly instance: Instance;
  readonly reason: RecycleReason;
  readonly why: string;
  /** Age over max-age for a max-age pick, else 0: the most overdue go first when the account limit bites. */
  readonly overdue: number;
  /** The last touch of a tainted pick. */
  readonly touchedAt?: Millis;
}

/** What the rules read to explain an instance; a pick draws at random besides. */
export interface ExplainContext {
  readonly now: Millis;
  readonly tickInterval: Millis;
}

export interface CandidateContext extends ExplainContext {
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
  return group.launchSource !== undefined && instance.launchSource !== undefined && !sameSource(instance.launchSource, group.launchSource);
}

/** A replacement takes about three ticks: surge, terminate, verify. */
export function replacementEstimate(tickInterval: Millis): Millis {
  return 3 * tickInterval;
}

/**
 * How much window time one replacement takes: the budget's spacing or the replacement itself,
 * whichever is longer.
 */
export function replacementSlot(policy: GroupPolicy, tickInterval: Millis): Millis {
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
  const when = best.future
    ? 'with a taint time in the future (not trusted, no grace)'
    : `${formatDuration(now - best.at)} ago (grace ${formatDuration(policy.taintGrace)})`;
  return {
    instance: best.instance,
    reason: 'tainted',
    why: `touched by ${best.by} via ${best.via} ${when}`,
    overdue: 0,
    touchedAt: best.at,
  };
}

/**
 * The instance a person asked to replace, the earliest request first. A request time further ahead than a
 * clock drifts is not believed: it counts as made now, so it cannot jump ahead of real requests.
 */
function requested(eligible: readonly Instance[], now: Millis): Candidate | undefined {
  let best: { readonly instance: Instance; readonly at: Millis; readonly by: string } | undefined;
  for (const instance of eligible) {
    const tag = instance.tags[TAG.recycleRequested];
    const request = tag === undefined ? undefined : parseRequest(tag);
    if (request === undefined) continue;
    const at = request.at > now + TRUSTED_CLOCK_SKEW ? now : Math.min(request.at, now);
    if (best === undefined || at < best.at) best = { instance, at, by: request.by };
  }
  if (best === undefined) return undefined;
  return { instance: best.instance, reason: 'requested', why: `recycle requested by ${best.by} ${formatDuration(now - best.at)} ago`, overdue: 0 };
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

/** How the max-age rule sees the eligible instances: which of the oldest are due now, and why. */
interface MaxAgeQueue {
  readonly maxAge: Millis;
  readonly slot: Millis;
  /** Launch times of the eligible instances, oldest first. */
  readonly launchTimes: readonly Millis[];
  /** How many of the oldest are due now (0: none). */
  readonly queued: number;
  /** Window time left before the last of the queued instances reaches max-age. */
  readonly openBefore: Millis;
}

/**
 * An instance is due at max-age, or earlier when the window time left before the k-th oldest reaches
 * max-age is less than k replacement slots: a fleet launched together is then recycled one slot apart
 * ahead of time instead of all at once and late, and deadlines that fall on a closed weekend are met on
 * the Friday before. The pick needs only the first such k (the oldest is then due); an explanation of
 * every instance needs the last.
 */
function maxAgeQueue(eligible: readonly Instance[], policy: GroupPolicy, context: ExplainContext, depth: 'first' | 'last'): MaxAgeQueue | undefined {
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
  let openBeforeQueued = 0;
  for (const [index, launchedAt] of launchTimes.entries()) {
    const deadline = launchedAt + maxAge;
    openBefore += openTimeBetween(policy.window, previous, deadline);
    previous = Math.max(previous, deadline);
    if (openBefore <= (index + 1) * slot) {
      queued = index + 1;
      openBeforeQueued = openBefore;
      if (depth === 'first') break;
    }
    // Window time before later deadlines only grows: none of them can be due once it passes every slot.
    if (openBefore > horizon) break;
  }
  return { maxAge, slot, launchTimes, queued, openBefore: openBeforeQueued };
}

function dueEarly(queue: MaxAgeQueue): string {
  const { maxAge, slot, queued, openBefore } = queue;
  const instances = queued === 1 ? '1 instance reaches' : `${queued} instances reach`;
  return `${instances} max-age ${formatDuration(maxAge)} with ${formatDuration(openBefore)} of window time left for ${formatDuration(queued * slot)} of replacements`;
}

/** The oldest instance, once the max-age queue says it is due. */
function pastMaxAge(eligible: readonly Instance[], policy: GroupPolicy, context: CandidateContext): Candidate | undefined {
  const queue = maxAgeQueue(eligible, policy, context, 'first');
  if (queue === undefined || queue.queued === 0) return undefined;
  const oldestLaunch = queue.launchTimes[0] as number;
  const oldest = eligible.find((instance) => instance.launchedAt === oldestLaunch) as Instance;
  const age = context.now - oldestLaunch;
  const why =
    age >= queue.maxAge
      ? `age ${formatDuration(age)} past max-age ${formatDuration(queue.maxAge)}`
      : `age ${formatDuration(age)}, due early (spreading): ${dueEarly(queue)}`;
  return { instance: oldest, reason: 'max-age', why, overdue: age / queue.maxAge };
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

/** The instances every rule chooses from: eligible, and not touched within their grace. */
function choosable(group: Group, policy: GroupPolicy, now: Millis): Instance[] {
  return eligibleInstances(group).filter((instance) => !inTaintGrace(instance, policy, now));
}

/** What a rule says of one instance for `phoenix plan`: whether it would pick it, and why. */
interface RuleVerdict {
  readonly candidate: RecycleReason | undefined;
  readonly note: string;
}

/** A rule's verdict on each instance of one group; undefined leaves the instance to the next rule. */
type InstanceJudge = (instance: Instance, ageText: string) => RuleVerdict | undefined;

/** A recycle rule: the instance it picks among the choosable ones, and its verdict on each instance. */
interface Rule {
  readonly pick: (choosable: readonly Instance[], group: Group, policy: GroupPolicy, context: CandidateContext) => Candidate | undefined;
  readonly judge: (choosable: readonly Instance[], group: Group, policy: GroupPolicy, context: ExplainContext) => InstanceJudge;
}

const taintRule: Rule = {
  pick: (choosable, _group, policy, context) => tainted(choosable, policy, context.now),
  judge:
    (_choosable, _group, policy, { now }) =>
    (instance, ageText) => {
      const taintTag = instance.tags[TAG.tainted];
      if (taintTag === undefined) return undefined;
      const taint = parseTaint(taintTag);
      if (taint === undefined)
        return { candidate: undefined, note: `${TAG.tainted}="${taintTag}" has no readable at= time; not a taint candidate; ${ageText}` };
      if (taint.at > now + TRUSTED_CLOCK_SKEW) {
        return {
          candidate: 'tainted',
          note: `tainted by ${taint.by} via ${taint.via} at a time in the future (${new Date(taint.at).toISOString()}): not trusted, no grace`,
        };
      }
      const graceLeft = taint.at + policy.taintGrace - now;
      return graceLeft > 0
        ? { candidate: undefined, note: `tainted by ${taint.by} via ${taint.via}; grace ends in ${formatDuration(graceLeft)}` }
        : { candidate: 'tainted', note: `tainted by ${taint.by} via ${taint.via}; grace over` };
    },
};

const requestRule: Rule = {
  pick: (choosable, _group, _policy, context) => requested(choosable, context.now),
  judge: () => (instance, ageText) => {
    const tag = instance.tags[TAG.recycleRequested];
    if (tag === undefined) return undefined;
    const request = parseRequest(tag);
    return request === undefined
      ? { candidate: undefined, note: `${TAG.recycleRequested}="${tag}" has no readable at= time; not a requested candidate; ${ageText}` }
      : { candidate: 'requested', note: `recycle requested by ${request.by} at ${new Date(request.at).toISOString()}` };
  },
};

const staleRule: Rule = {
  pick: (choosable, group) => staleConfig(choosable, group),
  judge: (_choosable, group) => (instance) =>
    isStale(instance, group) && instance.launchSource !== undefined && group.launchSource !== undefined
      ? { candidate: 'stale-config', note: `stale: ${describeSource(instance.launchSource)}, group launches ${describeSource(group.launchSource)}` }
      : undefined,
};

const maxAgeRule: Rule = {
  pick: (choosable, _group, policy, context) => pastMaxAge(choosable, policy, context),
  judge: (choosable, _group, policy, context) => {
    // Every instance the queue holds is due, the youngest of them possibly well before max-age.
    const queue = maxAgeQueue(choosable, policy, context, 'last');
    return (instance, ageText) => {
      if (queue === undefined || instance.launchedAt === undefined) return undefined;
      const maxAge = formatDuration(queue.maxAge);
      const position = queue.launchTimes.indexOf(instance.launchedAt);
      if (position < 0 || position >= queue.queued) return { candidate: undefined, note: `${ageText} of max-age ${maxAge}` };
      return context.now - instance.launchedAt >= queue.maxAge
        ? { candidate: 'max-age', note: `${ageText} past max-age ${maxAge}` }
        : { candidate: 'max-age', note: `${ageText}, due early (spreading): ${dueEarly(queue)}` };
    };
  },
};

const chaosRule: Rule = {
  pick: (choosable, _group, policy, context) => chaos(choosable, policy, context),
  judge: (_choosable, _group, policy) => () =>
    policy.chaosMeanInterval === undefined ? undefined : { candidate: undefined, note: `chaos may pick it (mean ${formatDuration(policy.chaosMeanInterval)})` },
};

/**
 * The rules in priority order, the first to pick an instance winning: a person's request, tainted, stale
 * configuration, max-age, then chaos. An instance touched within its grace is left alone by every rule,
 * not only the taint rule: its person may still be at work on it.
 */
const RULES: readonly Rule[] = [requestRule, taintRule, staleRule, maxAgeRule, chaosRule];

export function pickCandidate(group: Group, policy: GroupPolicy, context: CandidateContext): Candidate | undefined {
  const candidates = choosable(group, policy, context.now);
  for (const rule of RULES) {
    const candidate = rule.pick(candidates, group, policy, context);
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}

/** The one rule a snooze leaves running: a taint past its grace is what Phoenix exists to flush out. */
export function pickTainted(group: Group, policy: GroupPolicy, now: Millis): Candidate | undefined {
  return tainted(choosable(group, policy, now), policy, now);
}

const INELIGIBLE_NOTES: Record<Ineligibility, string> = {
  exempt: `never picked: ${TAG.exempt}`,
  protected: 'never picked: protected from scale-in',
  'not-in-service': 'not picked: not InService',
  unhealthy: 'not picked: unhealthy (Auto Scaling replaces it)',
};

export interface InstanceExplanation {
  readonly ineligible: Ineligibility | undefined;
  readonly candidate: RecycleReason | undefined;
  readonly note: string;
}

/**
 * One line per instance of a group for `phoenix plan`, gates aside: the rules themselves say, in
 * their order, whether they would pick it and why, so the notes cannot drift from `pickCandidate`.
 */
export function instanceExplainer(group: Group, policy: GroupPolicy, context: ExplainContext): (instance: Instance) => InstanceExplanation {
  const candidates = choosable(group, policy, context.now);
  const judges = RULES.map((rule) => rule.judge(candidates, group, policy, context));
  return (instance) => {
    const age = instance.launchedAt === undefined ? undefined : context.now - instance.launchedAt;
    const ageText = age === undefined ? 'launch time unknown' : `age ${formatDuration(age)}`;
    const blocked = ineligibility(instance);
    if (blocked !== undefined) {
      const state = blocked === 'not-in-service' ? ` (${instance.lifecycleState})` : '';
      return { ineligible: blocked, candidate: undefined, note: `${INELIGIBLE_NOTES[blocked]}${state}; ${ageText}` };
    }
    const verdicts = judges.flatMap((judge) => judge(instance, ageText) ?? []);
    const picked = verdicts.find((verdict) => verdict.candidate !== undefined);
    if (picked !== undefined) return { ineligible: undefined, ...picked };
    // No rule picks it: every rule that might later says so (max-age and chaos both), the age first.
    const notes = verdicts.map((verdict) => verdict.note);
    if (notes.length === 0) return { ineligible: undefined, candidate: undefined, note: `${ageText}; no max-age, chaos off` };
    return { ineligible: undefined, candidate: undefined, note: (notes[0]?.startsWith(ageText) ? notes : [ageText, ...notes]).join('; ') };
  };
}
