import type { Group, MaxRaise, Millis, ReplacementRecord } from '../model.js';
import { isOpen, RECYCLE_REASONS } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { GlobalBlock } from '../policy/global-gate.js';
import type { GroupPolicy } from '../policy/policy.js';
import { MAX_SURGE_ON, TAG } from '../policy/policy.js';
import type { SnoozeMark, SnoozeState } from '../policy/snooze.js';
import { snoozeState } from '../policy/snooze.js';
import type { AccountLimits, PolicyResult } from '../policy/tags.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { budgetUse } from './budget.js';
import { canaryOrder } from './canary.js';
import { instanceExplainer, pickCandidate, pickTainted } from './candidates.js';
import type { Decision, InstanceVerdict, ProgressStep, SkipDecision, SkipReason } from './decision.js';
import type { Ineligibility } from './fleet-state.js';
import { capacityOf, healthyFloor, ineligibility } from './fleet-state.js';

const INELIGIBLE_WORDS: Record<Ineligibility, string> = {
  exempt: 'exempt (phoenix:exempt)',
  protected: 'protected from scale-in',
  'not-in-service': 'not InService',
  unhealthy: 'unhealthy',
};

import { firstBlock } from './gates.js';
import { progressStep } from './progress.js';
import type { RandomSource } from './random.js';
import type { BreakerSettings, VersionBlock } from './versions.js';
import { recordBlocked } from './versions.js';

export interface PlanInput {
  readonly groups: readonly Group[];
  /** The ledger's recent records (at least the longest budget period) and every open one. */
  readonly records: readonly ReplacementRecord[];
  /** The snoozes the ledger has marked (at least the last week's), every group's. */
  readonly snoozes: readonly SnoozeMark[];
  readonly now: Millis;
  /**
   * The random draws for one group's chaos pick. Keyed by the scheduled tick and the group, so duplicate
   * deliveries of one tick draw alike instead of doubling the chaos rate.
   */
  readonly chaosDraws: (group: string) => RandomSource;
  readonly tickInterval: Millis;
  /** The account's mode when not blocked: dry-run turns every group's starts into dry-run. */
  readonly globalMode: 'live' | 'dry-run';
  readonly globalBlock: GlobalBlock | undefined;
  /** Most terminations across the account in one tick. */
  readonly maxTerminationsPerRun: number;
  /** The account's ceiling and floor on what a group's tags may ask for. */
  readonly limits: AccountLimits;
  /** Fill per-instance verdicts (for `phoenix plan`); off on the Lambda's hot path. */
  readonly explain: boolean;
  /** The verifier's run: move open replacements on, never start one. */
  readonly progressOnly: boolean;
  /** Versions no group may launch: read every run, like every other brake. */
  readonly versionBlocks: readonly VersionBlock[];
  /** The bake time of canary order. */
  readonly breaker: BreakerSettings;
}

interface GateContext {
  readonly input: PlanInput;
  readonly records: readonly ReplacementRecord[];
  readonly snooze: SnoozeState;
  readonly instances: readonly InstanceVerdict[];
}

function skip(group: Group, policy: GroupPolicy | undefined, context: GateContext, reason: SkipReason, why: string): SkipDecision {
  return { kind: 'skip', group: group.name, mode: policy?.mode, instances: context.instances, reason, why };
}

/** The group gates of a tick, as a skip decision when one holds the group back. */
function gateGroup(group: Group, policy: GroupPolicy, context: GateContext, dryRun: boolean): SkipDecision | undefined {
  const { now, tickInterval, progressOnly, globalBlock, versionBlocks } = context.input;
  const blocked = firstBlock(group, policy, {
    now,
    tickInterval,
    records: context.records,
    dryRun,
    progressOnly,
    globalBlock,
    versionBlocks,
    snooze: context.snooze,
  });
  return blocked === undefined ? undefined : skip(group, policy, context, blocked.reason, blocked.why);
}

function explainGroup(group: Group, policy: GroupPolicy | undefined, input: PlanInput): InstanceVerdict[] {
  if (!input.explain) return [];
  const explain = policy === undefined ? undefined : instanceExplainer(group, policy, { now: input.now, tickInterval: input.tickInterval });
  return group.instances.map((instance) => {
    const age = instance.launchedAt === undefined ? undefined : input.now - instance.launchedAt;
    if (explain === undefined) return { instanceId: instance.id, age, ineligible: undefined, candidate: undefined, note: 'group tags do not parse' };
    // A disabled group's other tags are not read: its instances are left alone for that reason alone.
    if (policy?.mode === 'disabled') {
      const ageText = age === undefined ? 'launch time unknown' : `age ${formatDuration(age)}`;
      return { instanceId: instance.id, age, ineligible: undefined, candidate: undefined, note: `${ageText}; never picked: phoenix:enabled=false` };
    }
    return { instanceId: instance.id, age, ...explain(instance) };
  });
}

/**
 * What stops a group from finishing a replacement in flight, read afresh at every run: the account's
 * mode, the group's opt-in, its tags, its quarantine. Under a brake a replacement is only taken back.
 */
function brakeOn(parsed: PolicyResult, snooze: SnoozeState, record: ReplacementRecord, input: PlanInput): string | undefined {
  if (!parsed.ok) return `group tags do not parse (${parsed.errors.map((error) => error.message).join('; ')})`;
  const policy = parsed.policy;
  if (policy.mode === 'disabled') return 'phoenix:enabled=false';
  if (policy.mode === 'dry-run') return 'phoenix:enabled=dry-run';
  if (policy.quarantine !== undefined) return `quarantined (${policy.quarantine})`;
  if (snooze.kind === 'bad') return `group tags do not parse (${snooze.error.message})`;
  // A tainted instance's replacement goes on under a snooze, as a new one would start: a snooze never holds back a taint past its grace.
  if (snooze.kind === 'held' && record.reason !== 'tainted') return `snoozed until ${policy.snooze?.text ?? new Date(snooze.until).toISOString()}`;
  if (input.globalBlock?.brake === true) return accountStop(input.globalBlock);
  if (input.globalMode === 'dry-run') return 'global mode is dry-run';
  return undefined;
}

/** What stops the account, said as a brake or hold (the block's `why` is phrased for a skip). */
function accountStop(block: GlobalBlock): string {
  return block.why.replace(/^not terminating: /, '');
}

/**
 * The next step of a group's open replacement, from the group as read now: the plan's and the re-check's
 * one rule. `records` are the group's, this one included.
 */
export function nextStep(record: ReplacementRecord, group: Group, records: readonly ReplacementRecord[], input: PlanInput): ProgressStep {
  const parsed = parseGroupPolicy(group.tags, input.limits);
  const brake =
    brakeOn(parsed, groupSnooze(group.name, parsed.ok ? parsed.policy : undefined, input.snoozes, input), record, input) ??
    recordBlocked(record, input.versionBlocks);
  const globalHold = input.globalBlock === undefined ? undefined : accountStop(input.globalBlock);
  const hold = brake === undefined ? (globalHold ?? (parsed.ok ? budgetHold(record, records, parsed.policy, input.now) : undefined)) : undefined;
  return progressStep(record, group, parsed.ok ? parsed.policy : undefined, { now: input.now, brake, hold });
}

/**
 * A surge's termination must fit the budget in force when it happens, not only the one at its start: a
 * budget lowered meanwhile (2/hour to 1/week) counts every termination already in the new period.
 */
function budgetHold(record: ReplacementRecord, records: readonly ReplacementRecord[], policy: GroupPolicy, now: Millis): string | undefined {
  if (record.phase !== 'surging') return undefined;
  const use = budgetUse({ records: records.filter((other) => other.id !== record.id), budget: policy.budget, now, dryRun: false });
  return use.used + 1 > use.budget.count ? `budget spent ${use.used}/${use.budget.text} since the surge began` : undefined;
}

/** What the group's snooze tag means now; `marks` may hold other groups' too. */
export function groupSnooze(
  group: string,
  policy: GroupPolicy | undefined,
  marks: readonly SnoozeMark[],
  input: Pick<PlanInput, 'now' | 'limits'>,
): SnoozeState {
  return snoozeState({ tag: policy?.snooze, group, now: input.now, marks, maxPerWeek: input.limits.maxSnoozesPerWeek });
}

function decideGroup(group: Group, records: readonly ReplacementRecord[], marks: readonly SnoozeMark[], input: PlanInput): Decision {
  const parsed = parseGroupPolicy(group.tags, input.limits);
  const policy = parsed.ok ? parsed.policy : undefined;
  const snooze = groupSnooze(group.name, policy, marks, input);
  const context: GateContext = { input, records, snooze, instances: explainGroup(group, policy, input) };
  // A group with a replacement in flight may only finish or take it back, whatever its tags say now.
  const open = records.find(isOpen);
  if (open !== undefined) {
    return { kind: 'progress', group: group.name, mode: policy?.mode, instances: context.instances, record: open, step: nextStep(open, group, records, input) };
  }
  if (!parsed.ok) {
    return skip(group, undefined, context, 'bad-tags', `not terminating: ${parsed.errors.map((error) => error.message).join('; ')}`);
  }
  if (snooze.kind === 'bad') return skip(group, undefined, context, 'bad-tags', `not terminating: ${snooze.error.message}`);
  const groupPolicy = parsed.policy;
  const dryRun = groupPolicy.mode === 'dry-run' || input.globalMode === 'dry-run';
  const blocked = gateGroup(group, groupPolicy, context, dryRun);
  if (blocked !== undefined) return blocked;
  const pickable = dryRun ? withoutDryRunVictims(group, records) : group;
  // Past the snooze gate while snoozed means a taint past its grace: the only rule a snooze leaves running.
  const candidate =
    snooze.kind === 'held'
      ? pickTainted(pickable, groupPolicy, input.now)
      : pickCandidate(pickable, groupPolicy, { now: input.now, tickInterval: input.tickInterval, random: input.chaosDraws(group.name) });
  if (candidate === undefined) return skip(group, groupPolicy, context, 'no-candidate', `nothing to do: ${nothingToDo(group, groupPolicy, input.now)}`);
  const method = replacementMethod(group, groupPolicy);
  if (method === undefined) {
    return skip(
      group,
      groupPolicy,
      context,
      'at-max-capacity',
      `not terminating ${candidate.instance.id}: min-healthy ${groupPolicy.minHealthyPercent}% needs an extra instance first, but desired ${group.desired} is the group's max (${TAG.maxSurge}=${MAX_SURGE_ON} lets Phoenix raise it by one for the replacement)`,
    );
  }
  return {
    kind: 'start',
    group: group.name,
    mode: groupPolicy.mode,
    instances: context.instances,
    instanceId: candidate.instance.id,
    reason: candidate.reason,
    why: candidate.why,
    method: method.kind,
    desired: group.desired,
    dryRun,
    instanceAge: candidate.instance.launchedAt === undefined ? undefined : input.now - candidate.instance.launchedAt,
    overdue: candidate.overdue,
    launches: group.launchSource,
    canary: false,
    ...(candidate.touchedAt === undefined ? {} : { touchedAt: candidate.touchedAt }),
    ...(method.raiseMax === undefined ? {} : { raiseMax: method.raiseMax }),
  };
}

/**
 * How the group can replace an instance now: terminate when min-healthy allows a dip, else launch first,
 * raising max size by one when the group is at its max and opted in to that (given back when the
 * replacement closes); undefined when it is at its max without that.
 */
export function replacementMethod(group: Group, policy: GroupPolicy): { readonly kind: 'terminate' | 'surge'; readonly raiseMax?: MaxRaise } | undefined {
  const canDip = capacityOf(group).inServiceHealthy - 1 >= healthyFloor(group.desired, policy.minHealthyPercent);
  if (canDip) return { kind: 'terminate' };
  if (group.desired + 1 <= group.max) return { kind: 'surge' };
  return group.desired === group.max && policy.maxSurge ? { kind: 'surge', raiseMax: { fromMax: group.max, toMax: group.max + 1 } } : undefined;
}

/**
 * In dry-run nothing is replaced, so the instance picked last time is still there. Leaving out the
 * ones already recorded makes "would recycle" count distinct instances, as the live run would.
 */
function withoutDryRunVictims(group: Group, records: readonly ReplacementRecord[]): Group {
  const picked = new Set(records.filter((record) => record.mode === 'dry-run').map((record) => record.instanceId));
  return picked.size === 0 ? group : { ...group, instances: group.instances.filter((instance) => !picked.has(instance.id)) };
}

/** Why no rule picked: the age of the oldest instance a rule may pick, or why none may be picked at all. */
function nothingToDo(group: Group, policy: GroupPolicy, now: Millis): string {
  const pickable = group.instances.filter((instance) => ineligibility(instance) === undefined);
  if (pickable.length === 0 && group.instances.length > 0) {
    const counts = new Map<string, number>();
    for (const instance of group.instances) {
      const why = INELIGIBLE_WORDS[ineligibility(instance) as Ineligibility];
      counts.set(why, (counts.get(why) ?? 0) + 1);
    }
    return `no instance may be picked (${[...counts].map(([why, count]) => `${count} ${why}`).join(', ')})`;
  }
  const ages = pickable.flatMap((instance) => (instance.launchedAt === undefined ? [] : [now - instance.launchedAt]));
  const label = pickable.length === group.instances.length ? 'oldest instance' : 'oldest instance that may be picked';
  const oldest = ages.length === 0 ? 'no launch times' : `${label} ${formatDuration(Math.max(...ages))}`;
  const maxAge = policy.maxAge === undefined ? 'no max-age' : `max-age ${formatDuration(policy.maxAge)}`;
  const chaos = policy.chaosMeanInterval === undefined ? '' : ', no chaos pick this tick';
  return `${oldest}, ${maxAge}${chaos}`;
}

function terminatesThisTick(decision: Decision): boolean {
  if (decision.kind === 'start') return !decision.dryRun && decision.method === 'terminate';
  return decision.kind === 'progress' && decision.step.kind === 'terminate-surged';
}

/**
 * Keeps the tick under the account's per-run limit. Finishing replacements that already hold an extra
 * instance comes first; then starts by reason (tainted, stale, max-age, chaos), the most overdue first.
 * A surge counts too: it leads to a termination a tick later.
 */
function limitRun(decisions: Decision[], limit: number): Decision[] {
  const ranked = decisions
    .map((decision, index) => ({ decision, index }))
    .filter(({ decision }) => terminatesThisTick(decision) || (decision.kind === 'start' && !decision.dryRun))
    .sort((a, b) => rank(a.decision) - rank(b.decision) || a.index - b.index);
  const overLimit = new Set(ranked.slice(limit).map(({ index }) => index));
  return decisions.map((decision, index) => {
    if (!overLimit.has(index)) return decision;
    const why = `not terminating: account limit of ${limit} terminations per run reached`;
    if (decision.kind === 'progress') return { ...decision, step: { kind: 'wait', why } };
    return { kind: 'skip', group: decision.group, mode: decision.mode, instances: decision.instances, reason: 'account-run-limit', why };
  });
}

function rank(decision: Decision): number {
  if (decision.kind !== 'start') return -1;
  return RECYCLE_REASONS.indexOf(decision.reason) - Math.min(decision.overdue, 100) / 1000;
}

function groupedBy<T extends { readonly group: string }>(items: readonly T[]): Map<string, T[]> {
  const byGroup = new Map<string, T[]>();
  for (const item of items) {
    const list = byGroup.get(item.group);
    if (list === undefined) byGroup.set(item.group, [item]);
    else list.push(item);
  }
  return byGroup;
}

/** What every opted-in group should do this tick: data, no side effects. */
export function planTick(input: PlanInput): Decision[] {
  const byGroup = groupedBy(input.records);
  const marksByGroup = groupedBy(input.snoozes);
  const decisions = input.groups.map((group) => decideGroup(group, byGroup.get(group.name) ?? [], marksByGroup.get(group.name) ?? [], input));
  const ordered = canaryOrder(decisions, {
    groups: input.groups,
    records: input.records,
    now: input.now,
    bakeTime: input.breaker.bakeTime,
    preferred: (name) => isCanaryGroup(input.groups, name, input.limits),
  });
  return limitRun(ordered, input.maxTerminationsPerRun);
}

/** Whether the group is tagged `phoenix:canary=true`: asked only of groups starting onto a new version. */
function isCanaryGroup(groups: readonly Group[], name: string, limits: AccountLimits): boolean {
  const group = groups.find((candidate) => candidate.name === name);
  if (group === undefined) return false;
  const parsed = parseGroupPolicy(group.tags, limits);
  return parsed.ok && parsed.policy.canary;
}
