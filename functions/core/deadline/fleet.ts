import type { Group, Millis, ReplacementRecord } from '../model.js';
import { parseGroupPolicy } from '../policy/tags.js';
import type { DeadlineVerdict } from './explain.js';
import { explainDeadline } from './explain.js';
import { typicalReplacementTime } from './model.js';

/**
 * The verdict of every group the model judges (max-age set, tags that parse, not disabled; a dry-run
 * group as if it went live), by name, with the single changes that would keep up. The replacement time
 * is the ledger's typical one across the account.
 */
export function fleetDeadlines(
  groups: readonly Group[],
  records: readonly ReplacementRecord[],
  options: { readonly now: Millis; readonly tickInterval: Millis },
): ReadonlyMap<string, DeadlineVerdict> {
  const replacementTime = typicalReplacementTime(records);
  const byGroup = new Map<string, ReplacementRecord[]>();
  for (const record of records) {
    const list = byGroup.get(record.group);
    if (list === undefined) byGroup.set(record.group, [record]);
    else list.push(record);
  }
  const verdicts = new Map<string, DeadlineVerdict>();
  for (const group of groups) {
    const parsed = parseGroupPolicy(group.tags);
    if (!parsed.ok || parsed.policy.mode === 'disabled') continue;
    const input = { group, policy: parsed.policy, ...options, records: byGroup.get(group.name) ?? [] };
    const verdict = explainDeadline(replacementTime === undefined ? input : { ...input, replacementTime }, { suggest: true });
    if (verdict !== undefined) verdicts.set(group.name, verdict);
  }
  return verdicts;
}
