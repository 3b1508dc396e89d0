import type { Decision, SkipReason } from '../decide/decision.js';
import type { Millis } from '../model.js';
import type { GlobalBlock, GlobalBlockReason } from '../policy/global-gate.js';
import type { SkipCount } from './schema.js';

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
