import type { Group, Millis, ReplacementRecord } from '../model.js';
import { isOpen } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { Decision, StartDecision } from './decision.js';
import { launchKeys } from './versions.js';

export interface CanaryContext {
  /** The groups the decisions were made for, in the same order. */
  readonly groups: readonly Group[];
  readonly records: readonly ReplacementRecord[];
  readonly now: Millis;
  readonly bakeTime: Millis;
  /** Whether a group is tagged `phoenix:canary=true`; asked only when a new version has several takers. */
  readonly preferred: (group: string) => boolean;
}

/** The names of what the group's instances that have run InService and Healthy for the bake time launched. */
function provenIn(group: Group, now: Millis, bakeTime: Millis, into: Set<string>): void {
  for (const instance of group.instances) {
    if (instance.lifecycleState !== 'InService' || !instance.healthy) continue;
    if (instance.launchedAt === undefined || instance.launchedAt > now - bakeTime) continue;
    for (const key of launchKeys(instance.launchSource)) into.add(key);
  }
}

/**
 * A version is proven once an instance launched from it has been InService and Healthy for the bake
 * time, in any group: launched by Phoenix's canary or by Auto Scaling itself. Usually the starting
 * group's own instances prove what it launches (a replacement onto the version it already runs), so
 * the rest of the fleet is read only for what they do not.
 */
function provenKeys(decisions: readonly Decision[], starts: readonly StartDecision[], context: CanaryContext): Set<string> {
  const proven = new Set<string>();
  decisions.forEach((decision, index) => {
    const group = context.groups[index];
    if (decision.kind === 'start' && group !== undefined) provenIn(group, context.now, context.bakeTime, proven);
  });
  const unproven = starts.some((start) => launchKeys(start.launches).some((key) => !proven.has(key)));
  if (unproven) for (const group of context.groups) provenIn(group, context.now, context.bakeTime, proven);
  return proven;
}

/** The versions a canary is trying now (open, or verified less than the bake time ago), and its group. */
function versionsOnTrial(records: readonly ReplacementRecord[], now: Millis, bakeTime: Millis): Map<string, string> {
  const trying = new Map<string, string>();
  for (const record of records) {
    if (record.canary !== true || record.mode !== 'live') continue;
    const baking = record.phase === 'verified' && record.closedAt !== undefined && record.closedAt > now - bakeTime;
    if (!isOpen(record) && !baking) continue;
    for (const key of launchKeys(record.launches)) trying.set(key, record.group);
  }
  return trying;
}

/** The group tagged as canary first, then the smallest (fewest instances to lose), then by name. */
function preference(preferred: (group: string) => boolean): (a: StartDecision, b: StartDecision) => number {
  return (a, b) => Number(preferred(b.group)) - Number(preferred(a.group)) || a.desired - b.desired || a.group.localeCompare(b.group);
}

/**
 * Canary order: every replacement launches the group's current version, so a version not yet proven
 * goes to one group first (its canary), and every other start onto it waits until the canary's
 * replacement is verified and has run the bake time without failing. A failed canary blocks the
 * version (see versions.ts); a canary taken back leaves the next tick to choose another.
 */
export function canaryOrder(decisions: readonly Decision[], context: CanaryContext): Decision[] {
  const starts = decisions.filter((decision): decision is StartDecision => decision.kind === 'start' && !decision.dryRun);
  if (starts.length === 0) return [...decisions];
  const proven = provenKeys(decisions, starts, context);
  const untried = starts.filter((start) => launchKeys(start.launches).some((key) => !proven.has(key)));
  if (untried.length === 0) return [...decisions];
  const trying = versionsOnTrial(context.records, context.now, context.bakeTime);
  const verdicts = new Map<StartDecision, Decision>();
  for (const start of untried.sort(preference(context.preferred))) {
    const unproven = launchKeys(start.launches).filter((key) => !proven.has(key));
    if (unproven.length === 0) continue;
    const held = unproven.find((key) => trying.has(key));
    if (held === undefined) {
      for (const key of unproven) trying.set(key, start.group);
      verdicts.set(start, { ...start, canary: true });
      continue;
    }
    const canaryGroup = trying.get(held);
    const where = canaryGroup === start.group ? 'its canary replacement here' : `its canary replacement in ${canaryGroup}`;
    verdicts.set(start, {
      kind: 'skip',
      group: start.group,
      mode: start.mode,
      instances: start.instances,
      reason: 'canary-wait',
      why: `waiting: ${held} is new; more replacements onto it once ${where} is verified and ${formatDuration(context.bakeTime)} pass without a failure`,
    });
  }
  return decisions.map((decision) => (decision.kind === 'start' ? (verdicts.get(decision) ?? decision) : decision));
}
