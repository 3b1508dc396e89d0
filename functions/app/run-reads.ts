import { RECORDS_LOOKBACK } from '../core/decide/budget.js';
import type { Decision } from '../core/decide/decision.js';
import { changesCapacity } from '../core/decide/recheck.js';
import type { Group, Millis } from '../core/model.js';
import { HOUR } from '../core/model.js';
import type { FleetPort, LedgerPort, LedgerRead } from '../core/ports.js';

/**
 * What a run covers: the recycler's tick plans every opted-in group; the verifier only moves open
 * replacements on, in the groups an Auto Scaling event named or in every group with one open; a
 * self-test plans the one group its event named, admitted before, through the same gates as a tick.
 */
export type RunScope =
  /** `scheduledAt`: when the schedule fired, shared by every delivery of its event; undefined when not known or not believed. */
  | { readonly kind: 'tick'; readonly scheduledAt?: Millis | undefined }
  | { readonly kind: 'verify'; readonly groups: readonly string[] | undefined }
  | { readonly kind: 'selftest'; readonly group: string };

/**
 * How far back a re-check before a start looks for scaling activities still running. Longer waits
 * (lifecycle hooks, warm-up) show in instance states, which every read has; what only activities show
 * (a launch not yet an instance, a refresh's step) is minutes old.
 */
export const RUNNING_ACTIVITY_HORIZON: Millis = HOUR;

/**
 * What a run reads before planning. The recycler reads the ledger and the fleet at once. The verifier
 * first asks which replacements are open (one small request when none is); then the records of those
 * groups, read consistently, and the groups themselves, after the records, so they are never older.
 * The verifier reads no snooze marks: without them every well-formed snooze within a day reads as held,
 * which may take back a replacement that a snooze over the weekly limit did not stop, never finish one a
 * snooze holds.
 */
export async function load(
  deps: { readonly fleet: FleetPort; readonly ledger: LedgerPort },
  scope: RunScope,
  now: Millis,
): Promise<readonly [LedgerRead, Group[]]> {
  const since = now - RECORDS_LOOKBACK;
  if (scope.kind === 'tick') return Promise.all([deps.ledger.recordsSince(since), deps.fleet.listOptedInGroups()]);
  const { records: open, blocks, releases } = await deps.ledger.openRecords();
  const openGroups = new Set(open.map((record) => record.group));
  const names = scope.kind === 'selftest' ? [scope.group] : [...new Set(scope.groups ?? openGroups)].filter((name) => openGroups.has(name));
  if (names.length === 0) return [{ records: [], blocks, releases, snoozes: [] }, []];
  const recent = await deps.ledger.groupRecordsSince(names, since);
  // A record open for longer than the lookback is only in the open read.
  const seen = new Set(recent.map((record) => record.id));
  const records = [...recent, ...open.filter((record) => names.includes(record.group) && !seen.has(record.id))];
  return [{ records, blocks, releases, snoozes: [] }, [...(await deps.fleet.describeGroups(names)).values()]];
}

/**
 * The groups as they are right before acting, for the re-check. The verifier's read is that already:
 * it came after the records and moments before. The recycler's came before a whole fleet's planning,
 * so the groups about to change are read again in one batch, with running activities when one starts.
 */
export async function readBeforeActing(
  fleet: FleetPort,
  scope: RunScope,
  decisions: readonly Decision[],
  loaded: readonly Group[],
  now: Millis,
): Promise<ReadonlyMap<string, Group>> {
  if (scope.kind === 'verify') return new Map(loaded.map((group) => [group.name, group]));
  const acting = decisions.filter(changesCapacity);
  if (acting.length === 0) return new Map();
  const names = new Set(acting.map((decision) => decision.group));
  const starting = acting.some((decision) => decision.kind === 'start');
  return fleet.recheckGroups(
    loaded.filter((group) => names.has(group.name)),
    { activitiesSince: starting ? now - RUNNING_ACTIVITY_HORIZON : undefined },
  );
}
