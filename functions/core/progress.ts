import { formatDuration } from './duration.js';
import { capacityOf, isSettled } from './fleet-state.js';
import type { ProgressStep } from './decision.js';
import type { Group, Millis, ReplacementRecord } from './model.js';
import type { GroupPolicy } from './policy.js';
import { isWindowOpen } from './window.js';

/** Terminating instances still listed after this long were never terminated: the call did not land. */
export const TERMINATE_CONFIRM_DELAY: Millis = 5 * 60_000;

export interface ProgressContext {
  readonly now: Millis;
  /** False under a global block (mode off, blackout, stop alarm): wait instead of changing capacity. */
  readonly capacityChangesAllowed: boolean;
}

function revertTarget(record: ReplacementRecord, group: Group): number | undefined {
  // Only undo our own surge: if someone else has moved desired since, their number stands.
  const surge = record.surge;
  if (surge === undefined || group.desired !== surge.toDesired) return undefined;
  return surge.fromDesired >= group.min ? surge.fromDesired : undefined;
}

function surgeStep(record: ReplacementRecord, group: Group, policy: GroupPolicy, context: ProgressContext): ProgressStep {
  const surge = record.surge;
  const { now } = context;
  if (surge === undefined) return { kind: 'abandon', why: 'surge record without surge sizes', revertDesiredTo: undefined };
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  if (victim === undefined || victim.lifecycleState !== 'InService') {
    return {
      kind: 'abandon',
      why: `${record.instanceId} left service during the surge (${victim?.lifecycleState ?? 'gone'})`,
      revertDesiredTo: context.capacityChangesAllowed ? revertTarget(record, group) : undefined,
    };
  }
  const healthyOthers = group.instances.filter(
    (instance) => instance.id !== victim.id && instance.lifecycleState === 'InService' && instance.healthy,
  ).length;
  const ready = healthyOthers >= surge.fromDesired && capacityOf(group).inTransition === 0;
  // A missed deadline is judged before a moved desired capacity: after our own undo of a failed
  // surge landed and the quarantine tag did not, the failure must still be recorded.
  if (!ready && now - record.startedAt > policy.recoveryTimeout) {
    return {
      kind: 'failed',
      why: `extra instance not InService and Healthy within recovery-timeout ${formatDuration(policy.recoveryTimeout)} (${healthyOthers}/${surge.fromDesired} healthy besides ${victim.id})`,
      revertDesiredTo: context.capacityChangesAllowed ? revertTarget(record, group) : undefined,
    };
  }
  if (group.desired !== surge.toDesired) {
    return {
      kind: 'abandon',
      why:
        group.desired === surge.fromDesired
          ? `desired capacity is ${group.desired}, not the surge's ${surge.toDesired}: the surge call never took effect or someone set it back; nothing to undo`
          : `desired capacity moved from ${surge.toDesired} to ${group.desired} during the surge; leaving it to its owner`,
      revertDesiredTo: undefined,
    };
  }
  if (!ready) return { kind: 'wait', why: `waiting for the extra instance: ${healthyOthers}/${surge.fromDesired} healthy besides ${victim.id}` };
  if (!context.capacityChangesAllowed) return { kind: 'wait', why: 'extra instance ready; terminations are blocked account-wide' };
  if (!isWindowOpen(policy.window, now)) return { kind: 'wait', why: `extra instance ready; window ${policy.window?.text ?? ''} is closed` };
  return { kind: 'terminate-surged', why: `extra instance ready (${healthyOthers} healthy besides ${victim.id})` };
}

function recoveryStep(record: ReplacementRecord, group: Group, policy: GroupPolicy, now: Millis): ProgressStep {
  const terminatedAt = record.terminatedAt ?? record.startedAt;
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  if (victim !== undefined && victim.lifecycleState === 'InService' && now - terminatedAt >= TERMINATE_CONFIRM_DELAY) {
    return {
      kind: 'abandon',
      why: `${victim.id} is still InService ${formatDuration(now - terminatedAt)} after its termination was recorded: the call never took effect`,
      revertDesiredTo: undefined,
    };
  }
  const capacity = capacityOf(group);
  const recovered = victim === undefined && isSettled(capacity, group.desired);
  if (recovered) return { kind: 'verified', recoverySeconds: Math.round((now - record.startedAt) / 1000) };
  if (now - terminatedAt > policy.recoveryTimeout) {
    return {
      kind: 'failed',
      why: `not back to desired ${group.desired} InService and Healthy within recovery-timeout ${formatDuration(policy.recoveryTimeout)} (${capacity.inServiceHealthy} healthy, ${capacity.inTransition} in transition)`,
      revertDesiredTo: undefined,
    };
  }
  return { kind: 'wait', why: `recovering: ${capacity.inServiceHealthy}/${group.desired} InService and Healthy` };
}

/**
 * Terminating a surge's old instance lowers desired capacity in the same call, so desired still at the
 * surge's size means that call never took effect (it failed, or the tick died before making it), even
 * if the old instance has gone some other way. Judged only after the confirm delay; then the surge is
 * undone, or the group would keep its extra instance.
 */
function unfinishedSurgeStep(record: ReplacementRecord, group: Group, context: ProgressContext): ProgressStep {
  const since = context.now - (record.terminatedAt ?? record.startedAt);
  if (since < TERMINATE_CONFIRM_DELAY) {
    return { kind: 'wait', why: `waiting for the termination of ${record.instanceId} to show: desired capacity still ${group.desired}` };
  }
  const victim = group.instances.find((instance) => instance.id === record.instanceId);
  return {
    kind: 'abandon',
    why: `terminating ${record.instanceId} never took effect: desired capacity still ${group.desired} ${formatDuration(since)} after it was recorded, ${record.instanceId} ${victim?.lifecycleState ?? 'gone'}; undoing the surge`,
    revertDesiredTo: context.capacityChangesAllowed ? revertTarget(record, group) : undefined,
  };
}

/** The next step of an open replacement, from the group as it is now. */
export function progressStep(
  record: ReplacementRecord,
  group: Group,
  policy: GroupPolicy,
  context: ProgressContext,
): ProgressStep {
  if (record.phase === 'surging') return surgeStep(record, group, policy, context);
  if (record.surge !== undefined && group.desired === record.surge.toDesired) return unfinishedSurgeStep(record, group, context);
  return recoveryStep(record, group, policy, context.now);
}
