import type { DeadlineVerdict } from '../core/deadline/explain.js';
import { fleetDeadlines } from '../core/deadline/fleet.js';
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../core/model.js';

/** A group's deadline as `phoenix plan --json` gives it: times as ISO text, null for none. */
export interface PlanDeadline {
  readonly feasible: boolean;
  readonly firstBreachAt: string | null;
  readonly ageDebtHours14d: number;
  readonly nextRecycles: readonly { readonly instanceId: string; readonly at: string; readonly rule: RecycleReason }[];
  /** Why it will breach, in the rules' terms; null when feasible. */
  readonly why: string | null;
  /** Single tag changes, each enough to keep up. */
  readonly fixes: readonly string[];
  /** The words the human plan shows. */
  readonly text: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `Tue 8 Dec 14:00 UTC`: the day a person plans around, in UTC like every other time the CLI prints. */
export function breachTime(at: Millis): string {
  const date = new Date(at);
  const clock = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return `${DAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${clock} UTC`;
}

/** `feasible`, or when and why it will breach and what single change would keep up. */
export function deadlineText(verdict: DeadlineVerdict, now: Millis): string {
  const { deadline, why, fixes } = verdict;
  if (deadline.feasible) return 'feasible';
  const at = deadline.firstBreachAt;
  const when = at === undefined ? 'will fall behind' : at <= now ? `past max-age since ${breachTime(at)}` : `will breach ${breachTime(at)}`;
  const fix = fixes.length === 0 ? 'no single change of budget, window or max-age keeps up' : `feasible with ${fixes.join(', or ')}`;
  return `${when}: ${why ?? ''}; ${fix}`;
}

/** What a plan reads to predict deadlines: the ledger's records, for budgets and the typical replacement time. */
export interface DeadlineContext {
  readonly now: Millis;
  readonly tickInterval: Millis;
  readonly records: readonly ReplacementRecord[];
}

/**
 * Each group's deadline, by name, for groups with max-age whose tags parse and are not disabled; a dry-run
 * group is judged as if it went live. The replacement time is the ledger's typical one across the account.
 */
export function planDeadlines(groups: readonly Group[], context: DeadlineContext): ReadonlyMap<string, PlanDeadline> {
  const deadlines = new Map<string, PlanDeadline>();
  for (const [name, verdict] of fleetDeadlines(groups, context.records, { now: context.now, tickInterval: context.tickInterval })) {
    const { deadline } = verdict;
    deadlines.set(name, {
      feasible: deadline.feasible,
      firstBreachAt: deadline.firstBreachAt === undefined ? null : new Date(deadline.firstBreachAt).toISOString(),
      ageDebtHours14d: deadline.ageDebtHours,
      nextRecycles: deadline.nextRecycles.map((recycle) => ({ instanceId: recycle.instanceId, at: new Date(recycle.at).toISOString(), rule: recycle.rule })),
      why: verdict.why ?? null,
      fixes: verdict.fixes,
      text: deadlineText(verdict, context.now),
    });
  }
  return deadlines;
}
