import type { Decision, SkipReason } from '../decide/decision.js';
import { replacementMethod } from '../decide/plan.js';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../model.js';
import { HOUR } from '../model.js';
import type { AccountLimits } from '../policy/tags.js';
import { parseGroupPolicy } from '../policy/tags.js';
import { setupOf, typicalReplacementTime, walk } from './model.js';

/** How far ahead a replacement is announced. */
export const NOTICE_HORIZON: Millis = HOUR;

/** A replacement the recycler expects to start, at `at` at the earliest. */
export interface ScheduledRecycle {
  readonly group: string;
  readonly instanceId: string;
  readonly rule: RecycleReason;
  readonly at: Millis;
}

export interface NoticeInput {
  readonly groups: readonly Group[];
  /** The ledger's records as the tick read them. */
  readonly records: readonly ReplacementRecord[];
  /** This tick's decisions: a group held back for a reason the deadline model does not know is announced nothing. */
  readonly decisions: readonly Decision[];
  readonly now: Millis;
  readonly tickInterval: Millis;
  readonly limits: AccountLimits;
  /** The account is live and no global gate blocks this tick: otherwise nothing is expected to start. */
  readonly accountLive: boolean;
}

/**
 * Skips that hold a group back until a person acts (or the group changes), which the deadline model
 * assumes away: a notice for such a group would announce what will not happen.
 */
const HELD_UNTIL_CHANGED: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'bad-tags',
  'quarantined',
  'version-blocked',
  'global-block',
  'disabled',
  'desired-zero',
  'processes-suspended',
  'at-max-capacity',
  'verify-only',
]);

function mayStartSoon(decision: Decision | undefined): boolean {
  if (decision === undefined || decision.mode !== 'live') return false;
  if (decision.kind === 'skip') return !HELD_UNTIL_CHANGED.has(decision.reason);
  return decision.kind === 'progress' || !decision.dryRun;
}

/**
 * The replacements to announce at this tick: in each live group with max-age, those the deadline model
 * expects to start at most NOTICE_HORIZON from now, and more than that from the previous tick. The model
 * places starts on the tick grid, so a start whose expected time holds is announced once, at the one tick
 * where it first comes within the horizon; no ledger read is needed to remember what was announced. A
 * start expected later again (the budget or window moved it) is announced again when it comes back within
 * the horizon; one that turns up already within it (a deploy, a new touch) is not announced.
 */
export function scheduledRecycles(input: NoticeInput): ScheduledRecycle[] {
  const { now, tickInterval } = input;
  if (!input.accountLive) return [];
  const from = now - tickInterval + NOTICE_HORIZON;
  const until = now + NOTICE_HORIZON;
  const decisions = new Map(input.decisions.map((decision) => [decision.group, decision]));
  const byGroup = new Map<string, ReplacementRecord[]>();
  for (const record of input.records) {
    const list = byGroup.get(record.group);
    if (list === undefined) byGroup.set(record.group, [record]);
    else list.push(record);
  }
  const replacementTime = typicalReplacementTime(input.records);
  const notices: ScheduledRecycle[] = [];
  for (const group of input.groups) {
    if (!mayStartSoon(decisions.get(group.name))) continue;
    const parsed = parseGroupPolicy(group.tags, input.limits);
    if (!parsed.ok || parsed.policy.maxAge === undefined || replacementMethod(group, parsed.policy) === undefined) continue;
    const { maxAge, budget, window } = parsed.policy;
    const base = { group, policy: parsed.policy, now, tickInterval, records: byGroup.get(group.name) ?? [] };
    const setup = setupOf(replacementTime === undefined ? base : { ...base, replacementTime });
    for (const planned of walk(setup, { maxAge, budget, window }, until + tickInterval).nextRecycles) {
      if (planned.at > until) break;
      if (planned.at > from) notices.push({ group: group.name, instanceId: planned.instanceId, rule: planned.rule, at: planned.at });
    }
  }
  return notices;
}
