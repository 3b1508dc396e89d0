import type { SkipReason } from '../decide/decision.js';
import { SKIP_REASONS } from '../decide/decision.js';
import type { Group, MaxLeft, Millis } from '../model.js';
import { WEEK } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { GroupPolicy } from '../policy/policy.js';
import type { PolicyResult } from '../policy/tags.js';
import { openTimeBetween } from '../policy/window.js';
import { round } from './numbers.js';
import type { Finding, FindingKind, FleetFinding, GroupStatus, OldestInstance, RecyclerTicks, SkipCounts, WithinMaxAge } from './schema.js';

const FINDING_ORDER: readonly FindingKind[] = [
  'quarantined',
  'recovery-failed',
  'max-left-raised',
  'will-breach',
  'bad-tags',
  'budget-too-small',
  'window-never-open',
  'dry-run-behind-max-age',
];

/** The share of instance-hours within max-age a live group is held to (the measured bound in the specification). */
export const WITHIN_MAX_AGE_TARGET_PCT = 99.9;

/** The order of the fleet's needs-attention list: by kind, then by group. */
export function byAttention(a: Finding, b: Finding): number {
  return FINDING_ORDER.indexOf(a.kind) - FINDING_ORDER.indexOf(b.kind) || a.group.localeCompare(b.group);
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Replacements a week needs (every instance once per max-age) against what the budget allows in the window's
 * open share of the week; a finding only when the need is larger.
 */
function budgetFinding(group: Group, policy: GroupPolicy, weekStart: Millis, weekEnd: Millis): Finding | undefined {
  if (policy.maxAge === undefined || group.desired === 0) return undefined;
  const needed = (group.desired * WEEK) / policy.maxAge;
  const openShare = openTimeBetween(policy.window, weekStart, weekEnd) / (weekEnd - weekStart);
  const allowed = policy.budget.count * (WEEK / policy.budget.period) * openShare;
  if (needed <= allowed) return undefined;
  const where = policy.window === undefined ? 'always open' : `window ${policy.window.text} open ${round(openShare * 100, 1)}% of the week`;
  return {
    group: group.name,
    kind: 'budget-too-small',
    text:
      `budget too small for max-age: ${group.desired} instances at max-age ${formatDuration(policy.maxAge)} need ${formatCount(round(needed, 1))} replacements a week, ` +
      `but budget ${policy.budget.text} (${where}) allows ${formatCount(round(allowed, 1))}`,
  };
}

/** What the week and the tags say about one group, as far as findings need it. */
export interface GroupFacts {
  readonly name: string;
  readonly group: Group | undefined;
  /** Undefined when the group is gone. */
  readonly parsed: PolicyResult | undefined;
  readonly quarantine: string | null;
  readonly failed: number;
  /** Max sizes Phoenix raised for a surge and left to the owner this week (someone changed them meanwhile), oldest first. */
  readonly maxLeft: readonly MaxLeft[];
  /** Recycled, would have recycled or failed a replacement this week. */
  readonly didSomething: boolean;
  readonly skips: SkipCounts;
  readonly skipTotal: number;
}

function windowNeverOpen(facts: GroupFacts, policy: GroupPolicy | undefined, weekStart: Millis, weekEnd: Millis): boolean {
  // Every skip outside the window is the caller's measurement; zero open time is the tag's own arithmetic.
  return (
    !facts.didSomething &&
    policy?.window !== undefined &&
    policy.mode !== 'disabled' &&
    ((facts.skipTotal > 0 && facts.skips['outside-window'] === facts.skipTotal) || openTimeBetween(policy.window, weekStart, weekEnd) === 0)
  );
}

export function groupFindings(facts: GroupFacts, weekStart: Millis, weekEnd: Millis): Finding[] {
  const { name, group, parsed, quarantine, failed } = facts;
  const policy = parsed?.ok === true ? parsed.policy : undefined;
  const findings: Finding[] = [];
  if (quarantine !== null) findings.push({ group: name, kind: 'quarantined', text: `quarantined: ${quarantine}` });
  if (failed > 0) findings.push({ group: name, kind: 'recovery-failed', text: `${failed} replacement${failed === 1 ? '' : 's'} failed to recover` });
  const lastLeft = facts.maxLeft.at(-1);
  if (lastLeft !== undefined) {
    const count = facts.maxLeft.length;
    findings.push({
      group: name,
      kind: 'max-left-raised',
      text: count === 1 ? lastLeft.why : `${count} raised max sizes left to the owner; the last: ${lastLeft.why}`,
    });
  }
  if (parsed?.ok === false) findings.push({ group: name, kind: 'bad-tags', text: `bad tags: ${parsed.errors[0]?.message ?? 'unparsable phoenix tags'}` });
  const budget = group !== undefined && policy !== undefined && policy.mode !== 'disabled' ? budgetFinding(group, policy, weekStart, weekEnd) : undefined;
  if (budget !== undefined) findings.push(budget);
  if (windowNeverOpen(facts, policy, weekStart, weekEnd))
    findings.push({ group: name, kind: 'window-never-open', text: `window never open this week (${policy?.window?.text ?? ''})` });
  return findings;
}

function dominantSkip(skips: SkipCounts): string | undefined {
  let best: [SkipReason, number] | undefined;
  for (const reason of SKIP_REASONS) {
    const count = skips[reason] ?? 0;
    if (count > (best?.[1] ?? 0)) best = [reason, count];
  }
  return best === undefined ? undefined : `skipped every tick, most often ${best[0]} (${best[1]} ticks)`;
}

/** Why an opted-in group did nothing this week: the finding that explains it, else what its tags and skips say. */
export function idleReason(findings: readonly Finding[], policy: GroupPolicy | undefined, oldest: OldestInstance | null, skips: SkipCounts): string {
  const byKind = (kind: FindingKind): string | undefined => findings.find((finding) => finding.kind === kind)?.text;
  const maxAge = policy?.maxAge;
  const reachedMaxAge = maxAge !== undefined && oldest !== null && oldest.ageSeconds * 1000 >= maxAge;
  return (
    byKind('bad-tags') ??
    byKind('quarantined') ??
    byKind('window-never-open') ??
    byKind('budget-too-small') ??
    (maxAge !== undefined && !reachedMaxAge ? 'no instance reached max-age' : undefined) ??
    (maxAge === undefined && policy?.chaosMeanInterval === undefined ? 'no max-age or chaos rule set' : undefined) ??
    dominantSkip(skips) ??
    'no candidate this week'
  );
}

/**
 * A dry-run group whose instances outlive max-age: nothing is wrong with Phoenix, but going live would start with
 * a backlog, and the group looks calm in every other column.
 */
export function dryRunBehind(options: {
  readonly name: string;
  readonly status: GroupStatus;
  readonly maxAge: Millis | undefined;
  readonly within: WithinMaxAge;
  readonly wouldRecycle: number;
}): Finding | undefined {
  const { name, status, maxAge, within } = options;
  if (status !== 'dry-run' || maxAge === undefined || within.pct === null || within.pct >= WITHIN_MAX_AGE_TARGET_PCT) return undefined;
  return {
    group: name,
    kind: 'dry-run-behind-max-age',
    text:
      `dry run: ${within.pct.toFixed(2)}% of instance-hours within max-age ${formatDuration(maxAge)}${within.measured ? '' : ' (estimated)'}, ` +
      `below the ${WITHIN_MAX_AGE_TARGET_PCT}% live groups keep; live, it would have recycled ${options.wouldRecycle} this week`,
  };
}

/** A week without a single recorded tick: its zeros say the recycler was not running, not that all was well. */
export function recyclerFindings(ticks: RecyclerTicks | undefined, from: string, to: string, partial: boolean): FleetFinding[] {
  if (ticks === undefined || ticks.thisWeek > 0) return [];
  const span = partial ? `so far this week (${from} to ${to})` : `this week (${from} to ${to})`;
  return [
    {
      kind: 'recycler-not-running',
      text: `the recycler never ran ${span}: no tick in the ledger, so its zeros mean nothing was checked; look at the tick function's schedule and errors`,
    },
  ];
}
