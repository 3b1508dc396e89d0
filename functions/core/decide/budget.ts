import type { Millis, ReplacementRecord } from '../model.js';
import { DAY, isOpen, WEEK } from '../model.js';
import type { Budget } from '../policy/policy.js';

/**
 * How far back a run reads the ledger. Records are read back by their start, but a replacement counts
 * at its termination, which comes at most a recovery-timeout (a day at most) after its start, since a
 * surge that cannot finish by then is taken back: the longest budget period plus that, with room.
 */
export const RECORDS_LOOKBACK: Millis = WEEK + 2 * DAY;

export interface BudgetUse {
  readonly used: number;
  readonly budget: Budget;
}

/**
 * How much of a group's rolling budget is used. A replacement counts at its termination time (its
 * start while it has not terminated yet), and an open one always counts: so the next termination can
 * never fall inside the period of the previous ones, even when launches before terminating take a while.
 * An abandoned attempt counts too: a group whose surges keep being undone must not retry every tick.
 * Dry-run records count only for a group that is in dry-run now, so they show a realistic rate there
 * and never hold back a group that went live.
 */
export function budgetUse(options: {
  readonly records: readonly ReplacementRecord[];
  readonly budget: Budget;
  readonly now: Millis;
  readonly dryRun: boolean;
}): BudgetUse {
  const since = options.now - options.budget.period;
  let used = 0;
  for (const record of options.records) {
    if (record.mode === 'dry-run' && !options.dryRun) continue;
    const countedAt = record.terminatedAt ?? record.startedAt;
    if (isOpen(record) || countedAt > since) used += 1;
  }
  return { used, budget: options.budget };
}

export function budgetSpent(use: BudgetUse): boolean {
  return use.used >= use.budget.count;
}
