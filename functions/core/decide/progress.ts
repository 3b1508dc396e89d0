import type { Group, Instance, LifecycleState, Millis, ReplacementRecord } from '../model.js';
import { MINUTE, TRUSTED_CLOCK_SKEW } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { GroupPolicy } from '../policy/policy.js';
import { MAX_SURGE_ON, TAG } from '../policy/policy.js';
import { DEFAULT_RECOVERY_TIMEOUT } from '../policy/tags.js';
import { isWindowOpen } from '../policy/window.js';
import { inTaintGrace } from './candidates.js';
import type { MaxRestore, ProgressStep, Undo } from './decision.js';
import { undoOf } from './decision.js';
import { capacityOf, healthyFloor, ineligibility, isSettled } from './fleet-state.js';

/**
 * A call Phoenix made (raising desired capacity, terminating) may still land until the run that made
 * it ends, and the recycler may run for 5 minutes; Auto Scaling's Describe calls then show it up to a
 * minute later. Until this long has passed, a change that does not show yet is waited for, never
 * judged as not having happened: judging early let a late surge call land after its record closed.
 */
export const ACTION_CONFIRM_DELAY: Millis = 7 * MINUTE;

export interface ProgressContext {
  readonly now: Millis;
  /**
   * Why this group may now only take its replacement back (the account off or in dry-run; the group
   * disabled, in dry-run, quarantined or with tags that do not parse): never finish it by a termination.
   */
  readonly brake: string | undefined;
  /** Why terminations wait account-wide (blackout, stop alarm, unreadable mode): hold, and undo at the deadline. */
  readonly hold: string | undefined;
}

const PENDING: ReadonlySet<LifecycleState> = new Set<LifecycleState>(['Pending', 'Pending:Wait', 'Pending:Proceed']);

function countsTowardDesired(instance: Instance): boolean {
  return instance.lifecycleState === 'InService' || PENDING.has(instance.lifecycleState);
}

type UndoPlan =
  | { readonly kind: 'nothing'; readonly why: string }
  | { readonly kind: 'wait'; readonly why: string }
  | { readonly kind: 'act'; readonly undo: Undo };

/**
 * How to take a surge back exactly. Only our own raise is undone: a desired capacity someone else has
 * moved since is theirs. The instance that goes is the one launched since the surge began (else, when
 * more instances count than the owner's desired, the newest), never an exempt or protected one, and it
 * goes with desired lowered in the same call so that Auto Scaling does not choose.
 */
function planUndo(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined): UndoPlan {
  const surge = record.surge;
  if (surge === undefined) return { kind: 'nothing', why: 'no surge to take back' };
  if (group.desired !== surge.toDesired) {
    return {
      kind: 'nothing',
      why:
        group.desired === surge.fromDesired
          ? `desired capacity is ${group.desired}, its value before the surge`
          : `desired capacity moved from ${surge.toDesired} to ${group.desired} during the surge; left to its owner`,
    };
  }
  if (surge.fromDesired < group.min)
    return { kind: 'nothing', why: `min size ${group.min} is now above the ${surge.fromDesired} before the surge; left to its owner` };
  const removable = group.instances
    .filter((instance) => instance.id !== record.instanceId && countsTowardDesired(instance))
    .filter((instance) => {
      const never = ineligibility(instance);
      return never !== 'exempt' && never !== 'protected';
    })
    // An unhealthy one first (its going costs no healthy capacity), then the newest.
    .sort((a, b) => Number(a.healthy) - Number(b.healthy) || (b.launchedAt ?? -Infinity) - (a.launchedAt ?? -Infinity));
  const launchedSinceSurge = removable.find((instance) => instance.launchedAt !== undefined && instance.launchedAt >= record.startedAt - TRUSTED_CLOCK_SKEW);
  const counted = group.instances.filter(countsTowardDesired).length;
  const extra = launchedSinceSurge ?? (counted > surge.fromDesired ? removable[0] : undefined);
  if (extra === undefined) return { kind: 'act', undo: { kind: 'set-desired', desired: surge.fromDesired } };
  if (PENDING.has(extra.lifecycleState)) {
    return { kind: 'wait', why: `taking the surge back: waiting for ${extra.id} to finish launching (${extra.lifecycleState})` };
  }
  // Taking back never costs the group the capacity its min-healthy keeps: another new instance still
  // launching must be in service first.
  const floor = healthyFloor(surge.fromDesired, policy?.minHealthyPercent ?? 100);
  const healthyWithout = group.instances.filter((instance) => instance.id !== extra.id && instance.lifecycleState === 'InService' && instance.healthy).length;
  if (extra.healthy && healthyWithout < floor) {
    return {
      kind: 'wait',
      why: `taking the surge back: waiting until ${floor} instances are InService and Healthy without ${extra.id} (${healthyWithout} now)`,
    };
  }
  return { kind: 'act', undo: { kind: 'terminate-extra', instanceId: extra.id, toDesired: surge.fromDesired } };
}

function undoAndAbandon(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, why: string): ProgressStep {
  const plan = planUndo(record, group, policy);
  if (plan.kind === 'wait') return { kind: 'wait', why: plan.why };
  return { kind: 'abandon', why, undo: plan.kind === 'act' ? plan.undo : undefined, closeAs: 'abandoned' };
}

function undoAndFail(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, why: string, context: ProgressContext): ProgressStep {
  const plan = planUndo(record, group, policy);
  if (plan.kind === 'wait') return { kind: 'wait', why: plan.why };
  return { kind: 'failed', why, undo: plan.kind === 'act' ? plan.undo : undefined, quarantine: context.brake === undefined };
}

function surgeStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  const surge = record.surge;
  const { now } = context;
  if (surge === undefined) return { kind: 'abandon', why: 'surge record without surge sizes', undo: undefined, closeAs: 'abandoned' };
  const age = now - record.startedAt;
  if (group.desired === surge.fromDesired && age < ACTION_CONFIRM_DELAY) {
    return { kind: 'wait', why: `waiting for the surge to show: desired capacity still ${group.desired} ${formatDuration(age)} after raising it` };
  }
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  if (victim === undefined || victim.lifecycleState !== 'InService') {
    return undoAndAbandon(record, group, policy, `${record.instanceId} left service during the surge (${victim?.lifecycleState ?? 'gone'})`);
  }
  const healthyOthers = group.instances.filter((instance) => instance.id !== victim.id && instance.lifecycleState === 'InService' && instance.healthy).length;
  const ready = healthyOthers >= surge.fromDesired && capacityOf(group).inTransition === 0;
  const recoveryTimeout = policy?.recoveryTimeout ?? DEFAULT_RECOVERY_TIMEOUT;
  // A raise that never showed launched nothing, so it cannot have failed to recover: however late a
  // run sees it (an API outage can hide it past the deadline), it is abandoned, never quarantined.
  if (group.desired !== surge.toDesired) {
    return {
      kind: 'abandon',
      why:
        group.desired === surge.fromDesired
          ? `desired capacity is ${group.desired}, not the surge's ${surge.toDesired}, ${formatDuration(age)} after raising it: the surge call never took effect or someone set it back; nothing to undo`
          : `desired capacity moved from ${surge.toDesired} to ${group.desired} during the surge; leaving it to its owner`,
      undo: undefined,
      closeAs: 'abandoned',
    };
  }
  if (!ready && age > recoveryTimeout) {
    return undoAndFail(
      record,
      group,
      policy,
      `extra instance not InService and Healthy within recovery-timeout ${formatDuration(recoveryTimeout)} (${healthyOthers}/${surge.fromDesired} healthy besides ${victim.id})`,
      context,
    );
  }
  if (context.brake !== undefined || policy === undefined) {
    return undoAndAbandon(record, group, policy, `not terminating: ${context.brake ?? 'group tags do not parse'}; taking the surge back`);
  }
  if (!ready) return { kind: 'wait', why: `waiting for the extra instance: ${healthyOthers}/${surge.fromDesired} healthy besides ${victim.id}` };
  const holdingFor = holdReason(victim, policy, context);
  if (holdingFor === undefined) return { kind: 'terminate-surged', why: `extra instance ready (${healthyOthers} healthy besides ${victim.id})` };
  // A ready surge waits for its window, a hold or a person's grace only within recovery-timeout: past it,
  // the replacement is taken back, so no extra instance waits for days and its budget stays honest.
  if (age > recoveryTimeout) {
    return undoAndAbandon(
      record,
      group,
      policy,
      `extra instance ready but ${holdingFor} for longer than recovery-timeout ${formatDuration(recoveryTimeout)}; taking the surge back`,
    );
  }
  return { kind: 'wait', why: `extra instance ready; ${holdingFor}` };
}

function holdReason(victim: Instance, policy: GroupPolicy, context: ProgressContext): string | undefined {
  if (context.hold !== undefined) return context.hold;
  if (!isWindowOpen(policy.window, context.now)) return `window ${policy.window?.text ?? ''} is closed`;
  if (inTaintGrace(victim, policy, context.now)) return `${victim.id} was touched by a person within its taint grace ${formatDuration(policy.taintGrace)}`;
  return undefined;
}

function recoveryStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  const { now } = context;
  const terminatedAt = record.terminatedAt ?? record.startedAt;
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  if (victim !== undefined && victim.lifecycleState === 'InService' && now - terminatedAt >= ACTION_CONFIRM_DELAY) {
    return {
      kind: 'abandon',
      why: `${victim.id} is still InService ${formatDuration(now - terminatedAt)} after its termination was recorded: the call never took effect`,
      undo: undefined,
      closeAs: 'abandoned',
    };
  }
  const capacity = capacityOf(group);
  const recovered = victim === undefined && isSettled(capacity, group.desired);
  if (recovered) return { kind: 'verified', recoverySeconds: Math.round((now - record.startedAt) / 1000) };
  const recoveryTimeout = policy?.recoveryTimeout ?? DEFAULT_RECOVERY_TIMEOUT;
  if (now - terminatedAt > recoveryTimeout) {
    return {
      kind: 'failed',
      why: `not back to desired ${group.desired} InService and Healthy within recovery-timeout ${formatDuration(recoveryTimeout)} (${capacity.inServiceHealthy} healthy, ${capacity.inTransition} in transition)`,
      undo: undefined,
      quarantine: context.brake === undefined,
    };
  }
  return { kind: 'wait', why: `recovering: ${capacity.inServiceHealthy}/${group.desired} InService and Healthy` };
}

/**
 * Terminating a surge's old instance lowers desired capacity in the same call, so desired still at the
 * surge's size means that call never took effect (it failed, or the run died before making it), even
 * if the old instance has gone some other way. Judged only once the call had time to show; then the
 * surge is taken back, or the group would keep its extra instance.
 */
function unfinishedSurgeStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  const since = context.now - (record.terminatedAt ?? record.startedAt);
  if (since < ACTION_CONFIRM_DELAY) {
    return { kind: 'wait', why: `waiting for the termination of ${record.instanceId} to show: desired capacity still ${group.desired}` };
  }
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  return undoAndAbandon(
    record,
    group,
    policy,
    `terminating ${record.instanceId} never took effect: desired capacity still ${group.desired} ${formatDuration(since)} after it was recorded, ${record.instanceId} ${victim?.lifecycleState ?? 'gone'}; taking the surge back`,
  );
}

/** An undo already claimed: close once it shows, wait while it may still land, make it again after that. */
function undoingStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  const claim = record.undo;
  if (claim === undefined) return undoAndAbandon(record, group, policy, 'undo record without its claim; taking the surge back');
  const plan = planUndo(record, group, policy);
  if (plan.kind === 'wait') return { kind: 'wait', why: plan.why };
  if (plan.kind === 'act' && claim.at !== undefined && context.now - claim.at < ACTION_CONFIRM_DELAY) {
    return { kind: 'wait', why: `waiting for the undo made ${formatDuration(context.now - claim.at)} ago to show` };
  }
  const undo = plan.kind === 'act' ? plan.undo : undefined;
  if (claim.closeAs === 'failed') return { kind: 'failed', why: claim.why, undo, quarantine: claim.quarantine && context.brake === undefined };
  return { kind: 'abandon', why: claim.why, undo, closeAs: claim.closeAs };
}

function capacityStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  if (record.phase === 'undoing') return undoingStep(record, group, policy, context);
  if (record.phase === 'surging') return surgeStep(record, group, policy, context);
  if (record.surge !== undefined && group.desired === record.surge.toDesired) return unfinishedSurgeStep(record, group, policy, context);
  return recoveryStep(record, group, policy, context);
}

/**
 * A record that raised max size closes only with max size put back to what it was, or left to its owner
 * with the reason: max size is then no longer the one Phoenix set (someone changed it), the group no
 * longer carries `phoenix:max-surge=1` (IAM lets Phoenix change max size only there), min size was
 * raised past it, or desired capacity after this step is above it (lowering max would lower desired).
 * A max size already back, or never raised (the run died before the call), needs nothing.
 */
function maxRestore(record: ReplacementRecord, group: Group, step: ProgressStep): MaxRestore | undefined {
  const raise = record.maxRaise;
  if (raise === undefined || group.max === raise.fromMax) return undefined;
  const leave = (why: string): MaxRestore => ({ kind: 'leave', maxSize: group.max, why: `max size left at ${group.max}: ${why}` });
  if (group.max !== raise.toMax) return leave(`someone changed it from the ${raise.toMax} Phoenix set during the surge (it was ${raise.fromMax} before)`);
  if (group.tags[TAG.maxSurge] !== MAX_SURGE_ON)
    return leave(`${TAG.maxSurge} is no longer ${MAX_SURGE_ON}, so Phoenix may not change it back to ${raise.fromMax}`);
  if (group.min > raise.fromMax) return leave(`min size ${group.min} is now above the ${raise.fromMax} before the surge`);
  const undo = undoOf(step);
  const desiredAfter = undo === undefined ? group.desired : undo.kind === 'set-desired' ? undo.desired : undo.toDesired;
  if (desiredAfter > raise.fromMax) {
    return leave(`desired capacity ${desiredAfter} is above the ${raise.fromMax} before the surge, and lowering max size would lower it`);
  }
  return { kind: 'restore', maxSize: raise.fromMax };
}

/** The next step of an open replacement, from the group as it is now. */
export function progressStep(record: ReplacementRecord, group: Group, policy: GroupPolicy | undefined, context: ProgressContext): ProgressStep {
  const step = capacityStep(record, group, policy, context);
  if (step.kind === 'wait' || step.kind === 'terminate-surged') return step;
  const max = maxRestore(record, group, step);
  return max === undefined ? step : { ...step, max };
}
