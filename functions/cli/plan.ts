import type { Decision } from '../core/decide/decision.js';
import { planTick } from '../core/decide/plan.js';
import type { VersionBlock } from '../core/decide/versions.js';
import { DEFAULT_BREAKER, launchKeys } from '../core/decide/versions.js';
import type { Group, LaunchSource, Millis } from '../core/model.js';
import { MINUTE, WEEK } from '../core/model.js';
import { NO_ACCOUNT_LIMITS } from '../core/policy/tags.js';
import type { FleetPort, LedgerPort, LedgerRead } from '../core/ports.js';
import type { OptionValues } from './arguments.js';
import type { PlanDeadline } from './deadline.js';
import { planDeadlines } from './deadline.js';
import { isMissingTable, UsageError } from './errors.js';

/**
 * What a plan reads: the opted-in groups and the ledger's recent records. Neither offers a method
 * that changes anything, so a plan cannot act whatever it is handed.
 */
export interface PlanSources {
  readonly fleet: Pick<FleetPort, 'listOptedInGroups'>;
  /** Undefined when no ledger table was found: the plan goes on without budgets and records in flight. */
  readonly ledger: Pick<LedgerPort, 'recordsSince'> | undefined;
}

export interface PlanOptions {
  readonly at: Millis;
  /** The user chose `at` (--at): refuse it when the fleet as it is now did not exist yet. Now is never refused (clock skew). */
  readonly atChosen: boolean;
  /** The ledger table the sources read, to name it when it is missing. */
  readonly table: string | undefined;
  readonly tickMinutes: number;
}

const AT_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const AT_EXPECTED = 'expected an ISO-8601 time with Z or an offset, such as 2026-11-23T09:00:00Z or 2026-11-23T10:00:00+01:00';

/**
 * --at, strictly: a real calendar time with its zone said. Date.parse would roll 30 February into
 * March and read a time without a zone in this machine's zone, so a plan would quietly be for another time.
 */
export function parseAt(value: OptionValues[string], now: Millis): Millis {
  if (value === undefined) return now;
  const text = String(value);
  const parts = typeof value === 'string' ? AT_FORM.exec(value) : null;
  if (parts === null) throw new UsageError(`--at: "${text}" is not valid: ${AT_EXPECTED}`);
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exists =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second;
  if (!exists) throw new UsageError(`--at: "${text}" is not valid: there is no such date or time of day`);
  const offset = parts[8] as string;
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4, 6)) > 59)) {
    throw new UsageError(`--at: "${text}" is not valid: offset ${offset} is not one: expected -12:00 to +14:00`);
  }
  return Date.parse(text);
}

/** A plan reads the fleet as it is now: at a time before one of its instances was launched, its ages would be negative. */
function checkAtAfterLaunches(at: Millis, groups: readonly Group[]): void {
  let newest: { group: string; instance: string; launchedAt: Millis } | undefined;
  for (const group of groups)
    for (const instance of group.instances)
      if (instance.launchedAt !== undefined && instance.launchedAt > at && (newest === undefined || instance.launchedAt > newest.launchedAt))
        newest = { group: group.name, instance: instance.id, launchedAt: instance.launchedAt };
  if (newest === undefined) return;
  const launched = new Date(newest.launchedAt).toISOString();
  throw new UsageError(
    `--at: ${new Date(at).toISOString()} is before instance ${newest.instance} of group ${newest.group} was launched (${launched}): a plan reads the fleet as it is now, so expected a time from ${launched} on`,
  );
}

/** What a tick does for a group, as a word a script can branch on. */
export type PlanAction = 'launch-then-terminate' | 'terminate' | 'would-recycle' | 'in-flight' | 'skip';

export type PlanLaunchSource =
  | { readonly kind: 'template'; readonly id: string; readonly name: string | null; readonly version: string; readonly imageId: string | null }
  | { readonly kind: 'configuration'; readonly name: string; readonly imageId: string | null };

/** A version no group may launch, and the groups that launch it now (all of them wait). */
export interface PlanBlockedVersion {
  readonly version: string;
  readonly blockedAt: string;
  readonly why: string;
  readonly groups: readonly string[];
}

export interface PlanInstance {
  readonly id: string;
  readonly ageSeconds: number | null;
  /** The rule that would pick it (max-age, chaos, tainted, stale-config), if any would. */
  readonly candidate: string | null;
  readonly note: string;
  readonly launchSource: PlanLaunchSource | null;
}

export interface PlanGroup {
  readonly group: string;
  readonly mode: string | null;
  readonly action: PlanAction;
  /** The instance the action is about: the one picked, or the one whose replacement is in flight. */
  readonly instanceId: string | null;
  /** The same in words, as the human output shows it. */
  readonly decision: string;
  readonly reason: string;
  readonly why: string;
  readonly launchSource: PlanLaunchSource | null;
  readonly instances: readonly PlanInstance[];
  /** Whether max-age can be kept, for a group with max-age whose tags parse and are not disabled; else null. */
  readonly deadline: PlanDeadline | null;
}

export interface PlanReport {
  readonly at: string;
  readonly ledger: 'read' | 'missing';
  readonly ledgerTable: string | null;
  /** First, because every group launching one of them waits until an operator releases it. */
  readonly blockedVersions: readonly PlanBlockedVersion[];
  readonly groups: readonly PlanGroup[];
}

function planSource(source: LaunchSource | undefined): PlanLaunchSource | null {
  if (source === undefined) return null;
  const imageId = source.imageId ?? null;
  return source.kind === 'template'
    ? { kind: 'template', id: source.id, name: source.name ?? null, version: source.version, imageId }
    : { kind: 'configuration', name: source.name, imageId };
}

function planBlocks(blocks: readonly VersionBlock[], groups: readonly Group[]): PlanBlockedVersion[] {
  return blocks.map((block) => ({
    version: block.key,
    blockedAt: new Date(block.blockedAt).toISOString(),
    why: block.why,
    groups: groups.filter((group) => launchKeys(group.launchSource).includes(block.key)).map((group) => group.name),
  }));
}

function describeDecision(decision: Decision): Pick<PlanGroup, 'action' | 'instanceId' | 'decision' | 'reason' | 'why'> {
  switch (decision.kind) {
    case 'start': {
      const action = decision.dryRun ? 'would-recycle' : decision.method === 'surge' ? 'launch-then-terminate' : 'terminate';
      const words = decision.dryRun
        ? 'would-recycle (dry-run)'
        : decision.raiseMax === undefined
          ? action
          : `${action} (max size ${decision.raiseMax.fromMax} → ${decision.raiseMax.toMax})`;
      return { action, instanceId: decision.instanceId, decision: `${words} ${decision.instanceId}`, reason: decision.reason, why: decision.why };
    }
    case 'progress':
      return {
        action: 'in-flight',
        instanceId: decision.record.instanceId,
        decision: `in-flight ${decision.record.instanceId}: ${decision.step.kind}`,
        reason: decision.record.reason,
        why: 'why' in decision.step ? decision.step.why : `recovered in ${decision.step.recoverySeconds}s`,
      };
    case 'skip':
      return { action: 'skip', instanceId: null, decision: 'skip', reason: decision.reason, why: decision.why };
  }
}

function planGroup(decision: Decision, group: Group | undefined, deadline: PlanDeadline | null): PlanGroup {
  const described = describeDecision(decision);
  const sources = new Map(group?.instances.map((instance) => [instance.id, instance.launchSource]));
  return {
    group: decision.group,
    mode: decision.mode ?? null,
    ...described,
    launchSource: planSource(group?.launchSource),
    instances: decision.instances.map((verdict) => ({
      id: verdict.instanceId,
      ageSeconds: verdict.age === undefined ? null : Math.round(verdict.age / 1000),
      candidate: verdict.candidate ?? null,
      note: verdict.note,
      launchSource: planSource(sources.get(verdict.instanceId)),
    })),
    deadline,
  };
}

/** What a tick would do now (or at `--at`) for every opted-in group and instance: reads only, never acts. */
export async function planReport(sources: PlanSources, options: PlanOptions, warn: (text: string) => void): Promise<PlanReport> {
  const groups = await sources.fleet.listOptedInGroups();
  if (options.atChosen) checkAtAfterLaunches(options.at, groups);
  let read: LedgerRead = { records: [], blocks: [], releases: [], snoozes: [] };
  let ledgerState: 'read' | 'missing' = 'missing';
  try {
    if (sources.ledger !== undefined) {
      read = await sources.ledger.recordsSince(options.at - WEEK);
      ledgerState = 'read';
    }
  } catch (error) {
    if (!isMissingTable(error)) throw error;
  }
  if (ledgerState === 'missing') {
    const table = options.table === undefined ? 'no ledger table' : `ledger table ${options.table} not found`;
    warn(`${table}: budgets, replacements in flight and blocked versions are not taken into account`);
  }
  const { records, blocks, snoozes } = read;
  const decisions = planTick({
    groups,
    records,
    snoozes,
    now: options.at,
    // A plan never claims a random kill: chaos shows as a possibility on each instance instead.
    chaosDraws: () => () => 1,
    tickInterval: options.tickMinutes * MINUTE,
    globalMode: 'live',
    globalBlock: undefined,
    maxTerminationsPerRun: Number.MAX_SAFE_INTEGER,
    limits: NO_ACCOUNT_LIMITS,
    explain: true,
    progressOnly: false,
    versionBlocks: blocks,
    breaker: DEFAULT_BREAKER,
  });
  const byName = new Map(groups.map((group) => [group.name, group]));
  const deadlines = planDeadlines(groups, { now: options.at, tickInterval: options.tickMinutes * MINUTE, records });
  return {
    at: new Date(options.at).toISOString(),
    ledger: ledgerState,
    ledgerTable: options.table ?? null,
    blockedVersions: planBlocks(blocks, groups),
    groups: decisions.map((decision) => planGroup(decision, byName.get(decision.group), deadlines.get(decision.group) ?? null)),
  };
}
