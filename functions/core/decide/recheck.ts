import type { Group, ReplacementRecord } from '../model.js';
import { isOpen } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
import type { Decision, ProgressDecision, ProgressStep, StartDecision } from './decision.js';
import { maxRestoreOf, undoOf } from './decision.js';
import { ineligibility } from './fleet-state.js';
import { firstBlock } from './gates.js';
import type { PlanInput } from './plan.js';
import { groupSnooze, nextStep } from './plan.js';
import { launchKeys } from './versions.js';

/** The decisions that terminate or change capacity: those are re-checked on a fresh read first. */
export function changesCapacity(decision: Decision): boolean {
  if (decision.kind === 'start') return !decision.dryRun;
  if (decision.kind !== 'progress') return false;
  return decision.step.kind === 'terminate-surged' || undoOf(decision.step) !== undefined || maxRestoreOf(decision.step)?.kind === 'restore';
}

/**
 * State read a moment ago may be stale: right before acting, the group is read again and the start
 * must still pass every gate, with the same desired capacity and the chosen instance still eligible.
 * Returns why it no longer holds, or undefined.
 */
export function recheckStart(decision: StartDecision, fresh: Group | undefined, records: readonly ReplacementRecord[], input: PlanInput): string | undefined {
  if (fresh === undefined) return 'group no longer exists';
  const parsed = parseGroupPolicy(fresh.tags, input.limits);
  if (!parsed.ok) return 'group tags no longer parse';
  const policy = parsed.policy;
  if (policy.mode !== decision.mode) return `phoenix:enabled changed to ${policy.mode}`;
  if (records.some(isOpen)) return 'another replacement is in flight';
  const snooze = groupSnooze(fresh.name, policy, input.snoozes, input);
  if (snooze.kind === 'bad') return 'group tags no longer parse';
  if (snooze.kind === 'held' && decision.reason !== 'tainted') return `snoozed until ${policy.snooze?.text ?? ''}`;
  const { now, tickInterval, progressOnly, globalBlock, versionBlocks } = input;
  const blocked = firstBlock(fresh, policy, { now, tickInterval, records, dryRun: decision.dryRun, progressOnly, globalBlock, versionBlocks, snooze });
  if (blocked !== undefined) return blocked.why;
  const planned = launchKeys(decision.launches)[0];
  const current = launchKeys(fresh.launchSource)[0];
  if (planned !== current) return `the group now launches ${current ?? 'an unknown source'}, not ${planned ?? 'an unknown source'} as planned`;
  if (fresh.desired !== decision.desired) return `desired capacity changed from ${decision.desired} to ${fresh.desired}`;
  // The raise is one above the max read; a max changed since is its owner's, never overwritten.
  if (decision.raiseMax !== undefined && fresh.max !== decision.raiseMax.fromMax) return `max size changed from ${decision.raiseMax.fromMax} to ${fresh.max}`;
  const victim = fresh.instances.find((instance) => instance.id === decision.instanceId);
  if (victim === undefined) return `${decision.instanceId} left the group`;
  const blockedInstance = ineligibility(victim);
  if (blockedInstance !== undefined) return `${decision.instanceId} is now ${blockedInstance}`;
  return undefined;
}

/**
 * A step that changes capacity is planned again on the group read right before acting, with the same
 * rule; it goes ahead only if that gives the same step, so a brake, a person's touch or a moved desired
 * capacity seen in the fresh read wins over the plan. Returns why it no longer holds, or undefined.
 */
export function recheckProgress(
  decision: ProgressDecision,
  fresh: Group | undefined,
  records: readonly ReplacementRecord[],
  input: PlanInput,
): string | undefined {
  if (fresh === undefined) return 'group gone';
  const step = nextStep(decision.record, fresh, records, input);
  if (sameStep(step, decision.step)) return undefined;
  return `${step.kind}: ${'why' in step ? step.why : ''}`;
}

function sameStep(a: ProgressStep, b: ProgressStep): boolean {
  return a.kind === b.kind && JSON.stringify(undoOf(a)) === JSON.stringify(undoOf(b)) && JSON.stringify(maxRestoreOf(a)) === JSON.stringify(maxRestoreOf(b));
}
