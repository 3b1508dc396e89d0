import type { PlanInput } from '../core/decide/plan.js';
import { groupSnooze } from '../core/decide/plan.js';
import type { Group } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import type { SnoozeMark } from '../core/policy/snooze.js';
import { markToWrite } from '../core/policy/snooze.js';
import { parseGroupPolicy } from '../core/policy/tags.js';
import type { LedgerPort, Logger } from '../core/ports.js';
import { errorText } from './errors.js';

/**
 * Marks each snooze value a tick sees for the first time. Its week and length count from the first mark,
 * so a mark that fails is only late: this tick already honoured or refused the snooze, the next marks it.
 */
export async function markSnoozes(deps: { readonly ledger: LedgerPort; readonly logger: Logger }, groups: readonly Group[], input: PlanInput): Promise<void> {
  const seen: { readonly mark: SnoozeMark; readonly state: string }[] = [];
  for (const group of groups) {
    if (!(TAG.snoozeUntil in group.tags)) continue;
    const parsed = parseGroupPolicy(group.tags, input.limits);
    const state = groupSnooze(group.name, parsed.ok ? parsed.policy : undefined, input.snoozes, input);
    const mark = markToWrite(state);
    if (mark !== undefined) seen.push({ mark, state: state.kind === 'bad' ? state.error.message : state.kind === 'refused' ? state.why : state.kind });
  }
  const results = await Promise.allSettled(seen.map(({ mark }) => deps.ledger.markSnooze(mark)));
  for (const [index, result] of results.entries()) {
    const entry = seen[index];
    if (entry === undefined) continue;
    const fields = { group: entry.mark.group, until: new Date(entry.mark.until).toISOString(), snooze: entry.state };
    if (result.status === 'rejected') deps.logger.warn('could not mark a snooze', { ...fields, error: errorText(result.reason) });
    else deps.logger.info('snooze seen', fields);
  }
}
