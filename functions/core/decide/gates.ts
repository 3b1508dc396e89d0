import type { Group, Millis, ReplacementRecord } from '../model.js';
import type { GlobalBlock } from '../policy/global-gate.js';
import type { GroupPolicy } from '../policy/policy.js';
import type { SnoozeState } from '../policy/snooze.js';
import { isWindowOpen } from '../policy/window.js';
import { budgetSpent, budgetUse } from './budget.js';
import { pickTainted, replacementEstimate } from './candidates.js';
import type { SkipReason } from './decision.js';
import { capacityOf, isSettled, suspendedGuardedProcesses } from './fleet-state.js';
import type { VersionBlock } from './versions.js';
import { launchBlocked } from './versions.js';

/** What a group gate reads besides the group and its policy. */
export interface GateContext {
  readonly now: Millis;
  readonly tickInterval: Millis;
  /** The group's ledger records, for its budget. */
  readonly records: readonly ReplacementRecord[];
  /** A dry-run start counts the group's dry-run records against its budget, a live one does not. */
  readonly dryRun: boolean;
  /** The verifier's run: it moves open replacements on and never starts one. */
  readonly progressOnly: boolean;
  /** What stops every group of the account this tick, if anything does. */
  readonly globalBlock: GlobalBlock | undefined;
  /** Versions no group may launch (the breaker). */
  readonly versionBlocks: readonly VersionBlock[];
  /** What the group's `phoenix:snooze-until` means now, with the ledger's marks. */
  readonly snooze: SnoozeState;
}

/** Why a gate holds the group back, in the skip vocabulary. */
export interface GateBlock {
  readonly reason: SkipReason;
  readonly why: string;
}

/** One condition a group must meet before a replacement starts: undefined lets it pass. */
export type GroupGate = (group: Group, policy: GroupPolicy, context: GateContext) => GateBlock | undefined;

const enabled: GroupGate = (_group, policy) => (policy.mode === 'disabled' ? { reason: 'disabled', why: 'not terminating: phoenix:enabled=false' } : undefined);

const notQuarantined: GroupGate = (_group, policy) =>
  policy.quarantine === undefined ? undefined : { reason: 'quarantined', why: `not terminating: quarantined (${policy.quarantine})` };

const startsAllowed: GroupGate = (_group, _policy, { progressOnly }) =>
  progressOnly ? { reason: 'verify-only', why: 'nothing in flight to verify' } : undefined;

const accountOpen: GroupGate = (_group, _policy, { globalBlock }) => (globalBlock === undefined ? undefined : { reason: 'global-block', why: globalBlock.why });

/** Every replacement launches the group's current version: none starts while that version is blocked. */
const launchAllowed: GroupGate = (group, _policy, { versionBlocks }) => {
  const blocked = launchBlocked(group.launchSource, versionBlocks);
  return blocked === undefined ? undefined : { reason: 'version-blocked', why: `waiting: ${blocked}` };
};
/** A snooze holds every rule but one: a taint past its grace is still replaced (the rule pickTainted runs alone then). */
const notSnoozed: GroupGate = (group, policy, { snooze, now }) =>
  snooze.kind !== 'held' || pickTainted(group, policy, now) !== undefined
    ? undefined
    : { reason: 'snoozed', why: `not terminating: snoozed until ${policy.snooze?.text ?? new Date(snooze.until).toISOString()}` };

const hasCapacity: GroupGate = (group) => (group.desired === 0 ? { reason: 'desired-zero', why: 'not terminating: desired capacity is 0' } : undefined);

const processesRunning: GroupGate = (group) => {
  const suspended = suspendedGuardedProcesses(group);
  return suspended.length === 0 ? undefined : { reason: 'processes-suspended', why: `not terminating: processes suspended: ${suspended.join(', ')}` };
};

const settled: GroupGate = (group) => {
  const capacity = capacityOf(group);
  if (isSettled(capacity, group.desired)) return undefined;
  return {
    reason: 'not-stable',
    why: `not terminating: group not stable (${capacity.inServiceHealthy}/${group.desired} InService and Healthy, ${capacity.unhealthy} unhealthy, ${capacity.inTransition} in transition)`,
  };
};

const noScalingActivity: GroupGate = (group) =>
  group.scalingActivityInProgress ? { reason: 'not-stable', why: 'not terminating: scaling activity in progress' } : undefined;

const noInstanceRefresh: GroupGate = (group) =>
  group.instanceRefreshInProgress ? { reason: 'not-stable', why: 'not terminating: instance refresh in progress' } : undefined;

/** The whole replacement must fit in the window, or its termination would wait outside it. */
const insideWindow: GroupGate = (_group, policy, { now, tickInterval }) =>
  isWindowOpen(policy.window, now) && isWindowOpen(policy.window, now + replacementEstimate(tickInterval))
    ? undefined
    : { reason: 'outside-window', why: `not terminating: outside window ${policy.window?.text ?? ''}` };

const budgetLeft: GroupGate = (_group, policy, { records, now, dryRun }) => {
  const use = budgetUse({ records, budget: policy.budget, now, dryRun });
  return budgetSpent(use) ? { reason: 'budget-spent', why: `not terminating: budget spent ${use.used}/${use.budget.text}` } : undefined;
};

/** The group gates of a tick, in order: a new condition is a new gate here. */
export const GROUP_GATES: readonly GroupGate[] = [
  enabled,
  notQuarantined,
  startsAllowed,
  accountOpen,
  launchAllowed,
  notSnoozed,
  hasCapacity,
  processesRunning,
  settled,
  noScalingActivity,
  noInstanceRefresh,
  insideWindow,
  budgetLeft,
];

/** The first gate that holds the group back names the reason; undefined when every gate lets it pass. */
export function firstBlock(group: Group, policy: GroupPolicy, context: GateContext): GateBlock | undefined {
  for (const gate of GROUP_GATES) {
    const block = gate(group, policy, context);
    if (block !== undefined) return block;
  }
  return undefined;
}
