import type { ActionOutcome } from '../functions/app/replacement-actions.js';
import type { TickResult } from '../functions/app/tick.js';
import { isStale } from '../functions/core/decide/candidates.js';
import type { SkipReason } from '../functions/core/decide/decision.js';
import { ineligibility } from '../functions/core/decide/fleet-state.js';
import type { Group, Millis, OutboxEvent, RecycleReason, ReplacementRecord } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { SnoozeMark } from '../functions/core/policy/snooze.js';
import { parseSnoozeUntil } from '../functions/core/policy/snooze.js';
import type { LifecycleEvent, PhoenixCall, SimFleet, SimGroupSpec } from './fleet.js';
import { livePolicy } from './live.js';
import type { MemoryLedger } from './memory-ledger.js';
import type { Violations } from './referee.js';
import type { ScenarioName } from './scenarios.js';
import type { SnoozeFigures } from './snooze-watch.js';
import type { AppliedTouch } from './touches.js';
import { touchedInstances } from './touches.js';
import type { VersionFigures } from './version-figures.js';
import type { TagWrite, World } from './world.js';

/** The object `phoenix simulate --json` prints: exactly one JSON object, with these fields. */
export interface SimulationSummary {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly days: number;
  readonly groups: number;
  readonly instances: number;
  /** Scheduled tick times; under overlap each ran more than once. */
  readonly ticks: number;
  readonly terminations: Record<RecycleReason, number>;
  readonly recoveries: { verified: number; failed: number; p50Seconds: number; p95Seconds: number; maxSeconds: number };
  readonly quarantined: string[];
  readonly skips: Partial<Record<SkipReason, number>>;
  readonly violations: Violations;
  /** Terminations that took effect in a group after its quarantine tag was written, from the simulator's own call log. */
  readonly terminationsAfterQuarantine: number;
  readonly withinMaxAgePct: number;
  readonly oldestInstanceHours: number;
  /** Instance-hours in service past max-age, from the instances themselves (live groups, exempt and protected left out). */
  readonly ageDebtHours: number;
  /** Live groups in which an instance stayed in service more than one tick past its max-age (the target's tolerance), by name. */
  readonly infeasibleGroups: string[];
  readonly taint: TouchFigures;
  /** Instances of live groups still on an old launch source at the end; exempt and protected ones, never picked, left out. */
  readonly staleConfig: number;
  readonly failedActions: number;
  /** Surges given back by terminating their own extra instance: terminations that are not recycles. */
  readonly extraInstancesTakenBack: number;
  readonly blockedTicks: number;
  /** Tick invocations that threw (a read before acting failed) or were killed mid-run; each is in `tickFailures`. */
  readonly failedTicks: number;
  /**
   * Verifier invocations, one per Auto Scaling event plus its 5-minute sweeps between recycler ticks, and
   * any the script starts alongside a tick; failed ones included.
   */
  readonly verifierRuns: number;
  /** Verifier invocations that threw; each is in `verifierFailures`, none in `tickFailures` or `failedTicks`. */
  readonly failedVerifierRuns: number;
  /** What bad releases did and how far Phoenix carried them (all zero when the scenario deploys none). */
  readonly versions: VersionFigures;
  /** Max size calls of Phoenix that took effect, from the simulator's own log: raised for a surge, and lowered back. */
  readonly maxSize: { readonly raised: number; readonly restored: number };
  /** `Recycle Scheduled` events published: the advance notices. */
  readonly notices: number;
  /** The snooze scenario only: what owners wrote, from the writes, and the snoozes Phoenix marked in its ledger. */
  readonly snooze?: SnoozeSummary;
}

export interface SnoozeSummary extends SnoozeFigures {
  /** Distinct snooze values Phoenix marked as first seen. */
  readonly marked: number;
  /**
   * Who set each marked value, as the report will say, against the writes themselves: `right` names the
   * value's first writer and time among the writes CloudTrail told of by the end, `wrong` anyone or
   * anything else, `unknown` no one (no trail, or the records still on their way at the end).
   */
  readonly setters: { readonly right: number; readonly wrong: number; readonly unknown: number };
  /** Instances people asked to replace (`phoenix recycle`), and of those, terminated by Phoenix by the end, from the fleet's own call log. */
  readonly recycleRequests: { readonly made: number; readonly served: number };
}

/** What became of the instances people touched, measured by the simulator: tags it holds, terminations that took effect. */
export interface TouchFigures {
  /** Instances the taint function tagged. */
  readonly touchedInstances: number;
  /** Of those, terminated by Phoenix. */
  readonly replaced: number;
  readonly notReplaced: number;
  /** Touches on instances of groups not opted in: no tag written. */
  readonly ignoredTouches: number;
  /** From the last touch of each replaced instance to its termination. */
  readonly touchToReplacementSeconds: { readonly p50: number; readonly p95: number; readonly max: number };
}

export interface GroupSummary {
  readonly group: string;
  readonly mode: string;
  readonly recycled: Record<RecycleReason, number>;
  readonly wouldRecycle: number;
  readonly skips: Partial<Record<SkipReason, number>>;
  readonly recoverySeconds: number[];
  readonly oldestInstanceHours: number | undefined;
  readonly quarantined: boolean;
}

export interface TickFailure {
  readonly at: Millis;
  readonly error: string;
}

/** The tainter's taint probes aimed at the fleet's instances, as the fleet saw them. */
export interface TaintProbeFigures {
  readonly runs: number;
  readonly refused: number;
  readonly failures: readonly TickFailure[];
  /** Every phoenix:tainted the probe wrote on an instance, from the fleet's side; a safe run has none. */
  readonly written: readonly { readonly at: Millis; readonly instanceId: string }[];
}

export interface SimulationResult {
  readonly summary: SimulationSummary;
  readonly groups: readonly GroupSummary[];
  /** Every tick invocation that completed, in order. */
  readonly ticks: readonly TickResult[];
  readonly tickFailures: readonly TickFailure[];
  readonly verifierFailures: readonly TickFailure[];
  /** The Auto Scaling events the verifier was invoked for, in time order. */
  readonly lifecycleEvents: readonly LifecycleEvent[];
  /** The simulator's log of every mutating call Phoenix made, for checks independent of the recycler's own account. */
  readonly calls: readonly PhoenixCall[];
  /** Every touch that reached an instance, in time order. */
  readonly touches: readonly AppliedTouch[];
  /** Every event Phoenix published, in order. */
  readonly events: readonly OutboxEvent[];
  /** The ledger and the opted-in groups at the end, for the weekly report. */
  readonly records: readonly ReplacementRecord[];
  readonly groupsAtEnd: readonly Group[];
  /** Per group that had one, when its first instance kept in service more than a tick past max-age reached it, as the simulator saw it. */
  readonly firstBreaches: ReadonlyMap<string, Millis>;
  /** Self-test invocations of the recycler: how many, how many it refused, and any that failed otherwise. */
  readonly selftest: { readonly runs: number; readonly refused: number; readonly failures: readonly TickFailure[] };
  /** The tainter's taint probes aimed at the fleet's instances: how many, refused, failed otherwise, and any write that landed. */
  readonly taintProbes: TaintProbeFigures;
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

/**
 * Walks the simulator's call log in order and counts terminations that took effect in a group while it
 * was quarantined. The log does not name tag keys, but Phoenix writes group tags only to quarantine and
 * removes them only to release, so a group counts as quarantined from a tag write that took effect
 * until an untag that did.
 */
export function terminationsAfterQuarantine(calls: readonly PhoenixCall[]): number {
  const quarantined = new Set<string>();
  let count = 0;
  for (const call of calls) {
    if (call.outcome !== 'ok') continue;
    if (call.kind === 'tag') quarantined.add(call.group);
    else if (call.kind === 'untag') quarantined.delete(call.group);
    else if (call.kind === 'terminate' && quarantined.has(call.group)) count += 1;
  }
  return count;
}

/** Phoenix's max size calls that took effect: raises and the lowering back. */
export function maxSizeCalls(calls: readonly PhoenixCall[]): SimulationSummary['maxSize'] {
  let raised = 0;
  let restored = 0;
  for (const call of calls) {
    if (call.kind !== 'set-max' || call.outcome !== 'ok' || call.maxSize === undefined || call.fromMax === undefined) continue;
    if (call.maxSize > call.fromMax) raised += 1;
    else if (call.maxSize < call.fromMax) restored += 1;
  }
  return { raised, restored };
}

export function touchFigures(touches: readonly AppliedTouch[], calls: readonly PhoenixCall[]): TouchFigures {
  const touched = touchedInstances(touches, calls);
  const seconds = touched.flatMap((instance) => (instance.terminatedAt === undefined ? [] : [Math.round((instance.terminatedAt - instance.lastTouch) / 1000)]));
  return {
    touchedInstances: touched.length,
    replaced: seconds.length,
    notReplaced: touched.length - seconds.length,
    ignoredTouches: touches.filter((touch) => !touch.tagged).length,
    touchToReplacementSeconds: { p50: percentile(seconds, 0.5), p95: percentile(seconds, 0.95), max: percentile(seconds, 1) },
  };
}

/** Instances Phoenix may pick that run an older launch source than their live group launches now. */
export function staleAtEnd(fleet: SimFleet, specs: readonly SimGroupSpec[]): number {
  let count = 0;
  for (const spec of specs) {
    const group = fleet.view(spec.name);
    if (livePolicy(group.tags) === undefined) continue;
    for (const instance of group.instances) {
      const never = ineligibility(instance);
      if (never === 'exempt' || never === 'protected' || instance.lifecycleState.startsWith('Terminating')) continue;
      if (isStale(instance, group)) count += 1;
    }
  }
  return count;
}

function zeroReasons(): Record<RecycleReason, number> {
  return { requested: 0, tainted: 0, 'stale-config': 0, 'max-age': 0, chaos: 0 };
}

export class Tally {
  private readonly byGroup = new Map<
    string,
    {
      mode: string;
      recycled: Record<RecycleReason, number>;
      wouldRecycle: number;
      skips: Partial<Record<SkipReason, number>>;
      recoverySeconds: number[];
      quarantined: boolean;
    }
  >();
  readonly terminations = zeroReasons();
  readonly skips: Partial<Record<SkipReason, number>> = {};
  readonly recoverySeconds: number[] = [];
  readonly quarantined: string[] = [];
  verified = 0;
  failed = 0;
  failedActions = 0;
  extraInstancesTakenBack = 0;
  blockedTicks = 0;

  private group(name: string) {
    let entry = this.byGroup.get(name);
    if (entry === undefined) {
      entry = { mode: '-', recycled: zeroReasons(), wouldRecycle: 0, skips: {}, recoverySeconds: [], quarantined: false };
      this.byGroup.set(name, entry);
    }
    return entry;
  }

  /** A verifier run: its outcomes count, its decisions do not (they are not a tick's skips or would-recycles). */
  addVerify(run: TickResult): void {
    for (const outcome of run.outcomes) this.addOutcome(outcome);
  }

  add(tick: TickResult): void {
    if (tick.block !== undefined) this.blockedTicks += 1;
    for (const decision of tick.decisions) {
      const entry = this.group(decision.group);
      entry.mode = decision.mode ?? 'bad-tags';
      if (decision.kind === 'skip') {
        this.skips[decision.reason] = (this.skips[decision.reason] ?? 0) + 1;
        entry.skips[decision.reason] = (entry.skips[decision.reason] ?? 0) + 1;
      } else if (decision.kind === 'start' && decision.dryRun) {
        entry.wouldRecycle += 1;
      }
    }
    for (const outcome of tick.outcomes) this.addOutcome(outcome);
  }

  private addOutcome(outcome: ActionOutcome): void {
    const entry = this.group(outcome.group);
    switch (outcome.kind) {
      case 'terminated':
        this.terminations[outcome.record.reason] += 1;
        entry.recycled[outcome.record.reason] += 1;
        return;
      case 'closed':
        if (outcome.record.phase === 'verified' && outcome.record.closedAt !== undefined) {
          const seconds = Math.round((outcome.record.closedAt - outcome.record.startedAt) / 1000);
          this.verified += 1;
          this.recoverySeconds.push(seconds);
          entry.recoverySeconds.push(seconds);
        } else if (outcome.record.phase === 'failed') {
          this.failed += 1;
        }
        return;
      case 'quarantined':
        this.quarantined.push(outcome.group);
        entry.quarantined = true;
        return;
      case 'failed':
        this.failedActions += 1;
        return;
      case 'taken-back':
        if (outcome.undo.kind === 'terminate-extra') this.extraInstancesTakenBack += 1;
        return;
      case 'started':
      case 'not-acted':
      case 'vanished':
        return;
    }
  }

  groups(fleet: SimFleet, until: Millis): GroupSummary[] {
    return [...this.byGroup.entries()]
      .map(([group, entry]) => ({ group, ...entry, oldestInstanceHours: fleet.oldestInstanceHours(group, until) }))
      .sort((a, b) => a.group.localeCompare(b.group));
  }
}

/** Runs the real recycler on the fleet simulator over a virtual clock: same options, same result. */

export async function snoozeSummary(fleet: SimFleet, ledger: MemoryLedger, world: World, start: Millis, end: Millis): Promise<SnoozeSummary> {
  const terminated = new Set(
    fleet.calls().flatMap((call) => (call.kind === 'terminate' && call.outcome === 'ok' && call.instanceId !== undefined ? [call.instanceId] : [])),
  );
  const requests = world.recycleRequests();
  const marks = await ledger.snoozesBetween(start, end + 1);
  return {
    ...fleet.snoozeFigures(),
    marked: marks.length,
    setters: setterFigures(marks, world.tagWrites(), world.cloudTrailDelivered()),
    recycleRequests: { made: requests.length, served: requests.filter((request) => terminated.has(request.instanceId)).length },
  };
}

/** A delivered record's group, caller and call time, read as the referee reads it (the scenario writes them plainly). */
function recordedWrite(record: Readonly<Record<string, unknown>>): string {
  const detail = (record['detail'] ?? {}) as Record<string, unknown>;
  const identity = (detail['userIdentity'] ?? {}) as Record<string, unknown>;
  const tags = ((detail['requestParameters'] ?? {}) as Record<string, unknown>)['tags'];
  const group = Array.isArray(tags) ? (tags[0] as Record<string, unknown>)['resourceId'] : undefined;
  return `${String(group)}|${String(identity['arn'])}|${Date.parse(String(detail['eventTime']))}`;
}

/**
 * Each mark's setter against the first write of its value in its group whose CloudTrail record was
 * delivered by the end (a record still on its way, or from a region without a trail, told Phoenix
 * nothing), from the world's own logs of writes and deliveries.
 */
function setterFigures(
  marks: readonly SnoozeMark[],
  writes: readonly TagWrite[],
  delivered: readonly Readonly<Record<string, unknown>>[],
): SnoozeSummary['setters'] {
  const told = new Set(delivered.map(recordedWrite));
  const first = new Map<string, TagWrite>();
  for (const write of writes) {
    const until = write.key === TAG.snoozeUntil ? parseSnoozeUntil(write.value ?? '')?.until : undefined;
    const key = `${write.group}\u0000${until}`;
    if (until !== undefined && !first.has(key) && told.has(`${write.group}|${write.by}|${write.at}`)) first.set(key, write);
  }
  const figures = { right: 0, wrong: 0, unknown: 0 };
  for (const mark of marks) {
    const truth = first.get(`${mark.group}\u0000${mark.until}`);
    if (mark.setter === undefined) figures.unknown += 1;
    else if (truth !== undefined && mark.setter.by === truth.by && mark.setter.at === truth.at) figures.right += 1;
    else figures.wrong += 1;
  }
  return figures;
}
