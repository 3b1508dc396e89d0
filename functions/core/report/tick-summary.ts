import type { Decision, SkipReason } from '../decide/decision.js';
import type { Millis } from '../model.js';
import type { GlobalBlock, GlobalBlockReason } from '../policy/global-gate.js';

/** How many ticks skipped a group for one reason. */
export interface SkipCount {
  readonly group: string;
  readonly reason: SkipReason;
  readonly count: number;
}

/**
 * What one recycler tick decided not to do, kept in the ledger so the weekly report can count
 * skipped ticks by reason; a blocked tick is recorded too, with its block's reason.
 */
export interface TickSummary {
  readonly at: Millis;
  readonly blocked: GlobalBlockReason | undefined;
  /** Each skipped group and why. */
  readonly skips: Readonly<Record<string, SkipReason>>;
}

export function summarizeTick(at: Millis, block: GlobalBlock | undefined, decisions: readonly Decision[]): TickSummary {
  const skips: Record<string, SkipReason> = {};
  for (const decision of decisions) if (decision.kind === 'skip') skips[decision.group] = decision.reason;
  return { at, blocked: block?.reason, skips };
}

/** Skipped ticks per group and reason over the summaries of ticks in [from, to). */
export function countSkips(summaries: readonly TickSummary[], from: Millis, to: Millis): SkipCount[] {
  const counts = new Map<string, SkipCount>();
  for (const summary of summaries) {
    if (summary.at < from || summary.at >= to) continue;
    for (const [group, reason] of Object.entries(summary.skips)) {
      const key = `${group}\u0000${reason}`;
      counts.set(key, { group, reason, count: (counts.get(key)?.count ?? 0) + 1 });
    }
  }
  return [...counts.values()];
}

/**
 * The recycler's tick interval as the ledger shows it: the median gap between recorded ticks; undefined with fewer
 * than two. The reporter is not given the schedule, and a week the recycler stopped makes one long gap, not many.
 */
export function typicalTickInterval(summaries: readonly TickSummary[]): Millis | undefined {
  const times = [...new Set(summaries.map((summary) => summary.at))].sort((a, b) => a - b);
  const gaps = times.slice(1).map((at, index) => at - (times[index] ?? at));
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)];
}
