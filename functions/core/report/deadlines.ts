import { explainDeadline } from '../deadline/explain.js';
import { typicalReplacementTime } from '../deadline/model.js';
import type { Group, Millis, ReplacementRecord } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
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
  const { now, tickInterval } = options;
  const replacementTime = typicalReplacementTime(records);
  const byGroup = new Map<string, ReplacementRecord[]>();
  for (const record of records) byGroup.set(record.group, [...(byGroup.get(record.group) ?? []), record]);
  const findings: Finding[] = [];
  const debts: number[] = [];
  for (const group of groups) {
    const parsed = parseGroupPolicy(group.tags);
    if (!parsed.ok || parsed.policy.mode === 'disabled') continue;
    const verdict = explainDeadline(
      {
        group,
        policy: parsed.policy,
        now,
        tickInterval,
        records: byGroup.get(group.name) ?? [],
        ...(replacementTime === undefined ? {} : { replacementTime }),
      },
      { suggest: true },
    );
    if (verdict === undefined) continue;
    const { deadline } = verdict;
    debts.push(deadline.ageDebtHours);
    if (deadline.feasible) continue;
    findings.push({
      group: group.name,
      kind: 'will-breach',
      text: breachText(deadline.firstBreachAt, verdict.why, verdict.fixes, deadline.ageDebtHours, now),
    });
  }
  return {
    summary: { groupsJudged: debts.length, infeasibleGroups: findings.length, ageDebtHours14d: round(sum(debts), 1) },
    findings,
  };
}
