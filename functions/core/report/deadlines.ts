import { fleetDeadlines } from '../deadline/fleet.js';
import type { Group, Millis, ReplacementRecord } from '../model.js';
import { round, sum } from './numbers.js';
import type { DeadlineSummary, Finding } from './schema.js';
import { isoTime } from './tally.js';

/** When, why and what single change would keep up, in the words of `phoenix plan`. */
function breachText(firstBreachAt: Millis | undefined, why: string | undefined, fixes: readonly string[], debtHours: number, now: Millis): string {
  const when =
    firstBreachAt === undefined
      ? 'will fall behind max-age'
      : firstBreachAt <= now
        ? `past max-age since ${isoTime(firstBreachAt)}`
        : `will breach max-age ${isoTime(firstBreachAt)}`;
  const fix = fixes.length === 0 ? 'no single change of budget, window or max-age keeps up' : `feasible with ${fixes.join(', or ')}`;
  return `${when}: ${why ?? ''}; ${fix}; age debt ${debtHours} instance-hours over the next 14 days`;
}

/**
 * The deadline model over the fleet as it is at report time, for the groups it judges (max-age set, tags that
 * parse, not disabled; a dry-run group as if live): the infeasible ones as findings, and the fleet's age debt.
 */
export function reportDeadlines(
  groups: readonly Group[],
  records: readonly ReplacementRecord[],
  options: { readonly now: Millis; readonly tickInterval: Millis },
): { readonly summary: DeadlineSummary; readonly findings: Finding[] } {
  const findings: Finding[] = [];
  const debts: number[] = [];
  for (const [group, verdict] of fleetDeadlines(groups, records, options)) {
    const { deadline } = verdict;
    debts.push(deadline.ageDebtHours);
    if (deadline.feasible) continue;
    findings.push({
      group,
      kind: 'will-breach',
      text: breachText(deadline.firstBreachAt, verdict.why, verdict.fixes, deadline.ageDebtHours, options.now),
    });
  }
  return {
    summary: { groupsJudged: debts.length, infeasibleGroups: findings.length, ageDebtHours14d: round(sum(debts), 1) },
    findings,
  };
}
