import type { Decision, MaxRestore, ProgressDecision, StartDecision, Undo } from '../core/decide/decision.js';
import type { PlanInput } from '../core/decide/plan.js';
import { planTick } from '../core/decide/plan.js';
import { keyedRandom } from '../core/decide/random.js';
import { changesCapacity, recheckProgress, recheckStart } from '../core/decide/recheck.js';
import type { BreakerSettings, VersionBlock } from '../core/decide/versions.js';
import { DEFAULT_BREAKER, launchKeys, tripReason } from '../core/decide/versions.js';
import { CallRefusedError, InstanceGoneError } from '../core/errors.js';
import type { PhoenixEvent } from '../core/events.js';
import type { GlobalMode, Group, Millis, ReplacementRecord, UndoClaim, UndoneOutcome } from '../core/model.js';
import type { Blackout, GlobalBlock } from '../core/policy/global-gate.js';
import { globalBlock } from '../core/policy/global-gate.js';
import { TAG } from '../core/policy/policy.js';
import type { AccountLimits } from '../core/policy/tags.js';
import { NO_ACCOUNT_LIMITS } from '../core/policy/tags.js';
import type { AlarmsPort, EventsPort, FleetPort, LedgerPort, Logger, SettingsPort } from '../core/ports.js';
import { summarizeTick } from '../core/report/tick-summary.js';
import { SETTINGS } from './account-settings.js';
import { describeUndo, logDecision } from './decision-log.js';
import { errorText } from './errors.js';
import { announce } from './notices.js';
import { announceReleases, failedEvents, flushOutbox, maxLeftRaisedEvent, recycledEvent, verifiedEvent, versionBlockedEvent } from './outbox.js';
import type { RunScope } from './run-reads.js';
import { load, readBeforeActing } from './run-reads.js';
import { markSnoozes } from './snooze-marks.js';

export interface TickDependencies {
  readonly fleet: FleetPort;
  readonly ledger: LedgerPort;
  readonly events: EventsPort;
  readonly alarms: AlarmsPort;
  readonly settings: SettingsPort;
  readonly logger: Logger;
  /** Mixed into every chaos draw's key; the same in every container, so duplicate deliveries draw alike. */
  readonly chaosSeed: number;
}

export interface TickSettings {
  readonly tickInterval: Millis;
  readonly blackouts: readonly Blackout[];
  readonly stopAlarms: readonly string[];
  readonly maxTerminationsPerRun: number;
  /** The account's ceiling on group budgets and floor under min-healthy; none when left out. */
  readonly limits?: AccountLimits;
  /** When failed recoveries block a version, and canary order's bake time; the defaults when left out. */
  readonly breaker?: BreakerSettings;
  /** The group tag naming a group's owner, carried by its records and events; `team` when left out. */
  readonly ownerTagKey?: string;
}

/** What one action did; failures are collected per group, never thrown through the batch. */
export type ActionOutcome =
  | { readonly group: string; readonly kind: 'started'; readonly record: ReplacementRecord }
  | { readonly group: string; readonly kind: 'terminated'; readonly record: ReplacementRecord }
  | { readonly group: string; readonly kind: 'closed'; readonly record: ReplacementRecord }
  | { readonly group: string; readonly kind: 'quarantined'; readonly record: ReplacementRecord }
  | { readonly group: string; readonly kind: 'not-acted'; readonly why: string }
  /** A surge given back: its extra instance terminated with desired lowered, or desired set back. */
  | { readonly group: string; readonly kind: 'taken-back'; readonly record: ReplacementRecord; readonly undo: Undo }
  /** Auto Scaling refused a termination because the instance had already gone: not Phoenix's recycle. */
  | { readonly group: string; readonly kind: 'vanished'; readonly instanceId: string; readonly why: string }
  | { readonly group: string; readonly kind: 'failed'; readonly why: string; readonly cause: unknown };

export interface TickResult {
  readonly at: Millis;
  readonly mode: GlobalMode;
  readonly block: GlobalBlock | undefined;
  readonly decisions: readonly Decision[];
  readonly outcomes: readonly ActionOutcome[];
  /** The groups as loaded for the run, for the fleet's figures (ages, quarantines) it publishes. */
  readonly groups: readonly Group[];
  /** Versions blocked after the run: those it read, and those it blocked. */
  readonly blockedVersions: number;
}

/** An error inside a safety check blocks terminations: reading the kill switch or alarms must succeed. */
async function readGlobalGate(deps: TickDependencies, settings: TickSettings, now: Millis): Promise<{ mode: GlobalMode; block: GlobalBlock | undefined }> {
  let mode: GlobalMode;
  try {
    mode = await deps.settings.globalMode();
  } catch (error) {
    return { mode: 'off', block: { reason: 'mode-off', why: `not terminating: could not read the global mode (${errorText(error)})`, brake: false } };
  }
  let alarmsInAlarm: string[];
  try {
    alarmsInAlarm = settings.stopAlarms.length === 0 ? [] : await deps.alarms.alarmsInAlarm(settings.stopAlarms);
  } catch (error) {
    return { mode, block: { reason: 'stop-alarm', why: `not terminating: could not read the stop alarms (${errorText(error)})`, brake: false } };
  }
  return { mode, block: globalBlock({ mode, now, blackouts: settings.blackouts, alarmsInAlarm }) };
}

function recordId(group: string, now: Millis): string {
  return `${group}#${new Date(now).toISOString()}`;
}

class TickRun {
  readonly outcomes: ActionOutcome[] = [];
  /** Versions this run blocked. */
  readonly blocked: string[] = [];
  /** Every record this run wrote, as last written: their outboxes go out at the end of the run. */
  readonly written = new Map<string, ReplacementRecord>();

  constructor(
    private readonly deps: TickDependencies,
    private readonly planInput: PlanInput,
    /** The ledger's records as loaded for this run. */
    private readonly records: readonly ReplacementRecord[],
    /** Every group about to be changed, read again in one batch right before acting. */
    private readonly fresh: ReadonlyMap<string, Group>,
    /** The group tag naming a group's owner. */
    private readonly ownerTagKey: string,
  ) {}

  private get breaker(): BreakerSettings {
    return this.planInput.breaker;
  }

  private get now(): Millis {
    return this.planInput.now;
  }

  private get isoNow(): string {
    return new Date(this.planInput.now).toISOString();
  }

  private ownerOf(group: string): { owner?: string } {
    const owner = this.planInput.groups.find((candidate) => candidate.name === group)?.tags[this.ownerTagKey];
    return owner === undefined ? {} : { owner };
  }

  private fail(group: string, why: string, cause: unknown): void {
    this.deps.logger.error('action failed', { group, why, error: errorText(cause) });
    this.outcomes.push({ group, kind: 'failed', why, cause });
  }

  private notActed(group: string, why: string): void {
    this.deps.logger.info('not terminating', { group, reason: why });
    this.outcomes.push({ group, kind: 'not-acted', why });
  }

  async start(decision: StartDecision, records: readonly ReplacementRecord[]): Promise<void> {
    const { fleet, ledger } = this.deps;
    const base = {
      id: recordId(decision.group, this.now),
      group: decision.group,
      instanceId: decision.instanceId,
      reason: decision.reason,
      instanceAgeSeconds: decision.instanceAge === undefined ? undefined : Math.round(decision.instanceAge / 1000),
      startedAt: this.now,
      ...(decision.touchedAt === undefined ? {} : { touchedAt: decision.touchedAt }),
      ...(decision.launches === undefined ? {} : { launches: decision.launches }),
      ...(decision.canary ? { canary: true } : {}),
      ...this.ownerOf(decision.group),
    };
    if (decision.dryRun) {
      const record: ReplacementRecord = { ...base, mode: 'dry-run', phase: 'dry-run', closedAt: this.now, detail: decision.why };
      await ledger.begin(record);
      this.outcomes.push({ group: decision.group, kind: 'started', record });
      return;
    }
    const stale = recheckStart(decision, this.fresh.get(decision.group), records, this.planInput);
    if (stale !== undefined) return this.notActed(decision.group, `state changed since planning: ${stale}`);
    const surging = decision.method === 'surge';
    const terminating: ReplacementRecord = { ...base, mode: 'live', phase: 'terminating', terminatedAt: this.now };
    const raiseMax = decision.raiseMax;
    const record: ReplacementRecord = surging
      ? {
          ...base,
          mode: 'live',
          phase: 'surging',
          surge: { fromDesired: decision.desired, toDesired: decision.desired + 1 },
          ...(raiseMax === undefined ? {} : { maxRaise: raiseMax }),
        }
      : { ...terminating, outbox: [recycledEvent(terminating, this.now)] };
    // Write ahead: the record exists before the action, so a tick that dies mid-way leaves a trace to
    // reconcile; with a raised max size, the size to put back.
    if ((await ledger.begin(record)) === 'conflict') return this.notActed(decision.group, 'another tick holds this group');
    let call = surging ? 'raise desired capacity' : `terminate ${decision.instanceId}`;
    try {
      if (raiseMax !== undefined) {
        call = 'raise max size';
        await fleet.setMaxSize(decision.group, raiseMax.toMax);
        call = 'raise desired capacity';
      }
      if (surging) await fleet.setDesiredCapacity(decision.group, decision.desired + 1);
      else await fleet.terminateInstance(decision.group, decision.instanceId, { decrementDesired: false });
    } catch (error) {
      if (error instanceof InstanceGoneError) {
        await this.closeVanished(record, error);
        return;
      }
      // The record stays open: a call that timed out may still have landed. The next tick sees which
      // (desired raised or not, instance terminating or still in service) and goes on or abandons.
      this.fail(decision.group, `could not ${call}`, error);
      return;
    }
    this.outcomes.push({ group: decision.group, kind: surging ? 'started' : 'terminated', record });
    this.written.set(record.id, record);
  }

  async progress(decision: ProgressDecision): Promise<void> {
    const { record } = decision;
    const step = decision.step;
    if (changesCapacity(decision)) {
      const changed = recheckProgress(
        decision,
        this.fresh.get(decision.group),
        this.records.filter((other) => other.group === decision.group),
        this.planInput,
      );
      if (changed !== undefined) return this.notActed(decision.group, `state changed since planning (${changed})`);
    }
    switch (step.kind) {
      case 'wait':
        return;
      case 'terminate-surged':
        return this.terminateSurged(record);
      case 'verified':
        if (!(await this.restoreMax(record, step.max))) return;
        await this.close(record, 'verified', withMaxNote(`recovered in ${step.recoverySeconds}s`, step.max), [
          verifiedEvent(record, this.now, step.recoverySeconds),
          ...this.maxLeftEvents(record, step.max),
        ]);
        return;
      // Each side effect must land before the record closes: a record left open is retried, so a
      // failed undo cannot leak an instance and a failed quarantine tag cannot be lost.
      case 'abandon':
      case 'failed': {
        const closeAs: UndoneOutcome = step.kind === 'failed' ? 'failed' : step.closeAs;
        const quarantine = step.kind === 'failed' && step.quarantine;
        const current = step.undo === undefined ? record : await this.takeBack(record, step.undo, { at: this.now, closeAs, why: step.why, quarantine });
        if (current === undefined) return;
        if (!(await this.restoreMax(current, step.max))) return;
        if (quarantine && !(await this.quarantine(current, step.why))) return;
        const blocked = closeAs === 'failed' ? await this.tripBreaker(current) : [];
        if (blocked === undefined) return;
        await this.close(current, closeAs, withMaxNote(step.why, step.max), [
          ...(closeAs === 'failed' ? [...failedEvents(record, this.now, step.why, quarantine), ...blocked] : []),
          ...this.maxLeftEvents(record, step.max),
        ]);
        return;
      }
    }
  }

  /**
   * Puts a raised max size back before its record closes: a failed call leaves the record open, so the
   * next run (the verifier's sweep included) makes it again. Returns whether the record may close.
   */
  private async restoreMax(record: ReplacementRecord, max: MaxRestore | undefined): Promise<boolean> {
    if (max === undefined) return true;
    if (max.kind === 'leave') {
      this.deps.logger.warn('max size left to its owner', { group: record.group, record: record.id, why: max.why });
      return true;
    }
    try {
      await this.deps.fleet.setMaxSize(record.group, max.maxSize);
    } catch (error) {
      this.fail(record.group, `could not put max size back to ${max.maxSize}`, error);
      return false;
    }
    this.deps.logger.info('max size restored', { group: record.group, record: record.id, maxSize: max.maxSize });
    return true;
  }

  private maxLeftEvents(record: ReplacementRecord, max: MaxRestore | undefined): PhoenixEvent[] {
    return max?.kind === 'leave' ? [maxLeftRaisedEvent(record, this.now, max)] : [];
  }

  private async terminateSurged(record: ReplacementRecord): Promise<void> {
    const { fleet, ledger } = this.deps;
    const terminatedRecord: ReplacementRecord = { ...record, phase: 'terminating', terminatedAt: this.now };
    const terminating: ReplacementRecord = { ...terminatedRecord, outbox: [recycledEvent(terminatedRecord, this.now)] };
    if ((await ledger.update(terminating, 'surging')) === 'conflict') return this.notActed(record.group, 'another tick moved this replacement on');
    try {
      await fleet.terminateInstance(record.group, record.instanceId, { decrementDesired: true });
    } catch (error) {
      if (error instanceof InstanceGoneError) {
        await this.closeVanished(terminating, error);
        return;
      }
      // A refused call cannot have landed: the surge is back where it was, and the next run terminates
      // again at once instead of waiting to see whether it landed and then taking the surge back.
      if (error instanceof CallRefusedError) await ledger.update(record, 'terminating');
      // Otherwise the record stays terminating: a call that timed out may still have landed. The next
      // run sees which from desired capacity (lowered by the call or not) and recovers or undoes the surge.
      this.fail(record.group, `could not terminate ${record.instanceId}`, error);
      return;
    }
    this.outcomes.push({ group: record.group, kind: 'terminated', record: terminating });
    this.written.set(terminating.id, terminating);
  }

  /**
   * Auto Scaling refused the termination because the instance had already gone (or was already going)
   * by another hand: it is not Phoenix's recycle. The record keeps no termination time; a surge made for
   * it is taken back by the next run, which sees the group as it is now.
   */
  private async closeVanished(record: ReplacementRecord, error: InstanceGoneError): Promise<void> {
    const why = `${record.instanceId} was gone before Phoenix terminated it (${error.message})`;
    const { terminatedAt: _notTerminated, outbox: _nothingToAnnounce, ...untouched } = record;
    this.deps.logger.warn('instance vanished', { group: record.group, instance: record.instanceId, record: record.id, why });
    this.outcomes.push({ group: record.group, kind: 'vanished', instanceId: record.instanceId, why });
    if (record.surge === undefined) {
      await this.close(untouched, 'vanished', why, []);
      return;
    }
    const undoing: ReplacementRecord = { ...untouched, phase: 'undoing', undo: { at: undefined, closeAs: 'vanished', why, quarantine: false } };
    if ((await this.deps.ledger.update(undoing, record.phase)) === 'conflict') this.notActed(record.group, 'another tick moved this replacement on');
  }

  /**
   * Claims the undo with a conditional write first (overlapping runs must not both make it; a run that
   * dies after the call leaves the claim, and what to close as, to the next), then makes it.
   * Returns the claimed record once the undo call landed, undefined when it did not (retried later).
   */
  private async takeBack(record: ReplacementRecord, undo: Undo, claim: UndoClaim): Promise<ReplacementRecord | undefined> {
    // A termination taken back never happened: an announcement of it still waiting in the outbox goes too.
    const { outbox: _neverHappened, ...rest } = record;
    const claimed: ReplacementRecord = {
      ...rest,
      phase: 'undoing',
      undo: undo.kind === 'terminate-extra' ? { ...claim, extraInstanceId: undo.instanceId } : claim,
    };
    try {
      // Made again, an undo stays `undoing`: the claim this run read must still be the stored one.
      if ((await this.deps.ledger.update(claimed, record.phase, record.phase === 'undoing' ? record.undo : undefined)) === 'conflict') {
        this.notActed(record.group, 'another tick is taking this surge back');
        return undefined;
      }
    } catch (error) {
      this.fail(record.group, `could not record the undo of ${record.id}`, error);
      return undefined;
    }
    try {
      if (undo.kind === 'set-desired') await this.deps.fleet.setDesiredCapacity(record.group, undo.desired);
      else await this.deps.fleet.terminateInstance(record.group, undo.instanceId, { decrementDesired: true });
    } catch (error) {
      // A refused undo cannot have landed: the claim goes back to unmade, so the next run makes it at once
      // (of overlapping runs one only: the ledger write holds to the claim each one read).
      if (error instanceof CallRefusedError && claimed.undo !== undefined) {
        await this.deps.ledger.update({ ...claimed, undo: { ...claimed.undo, at: undefined } }, 'undoing', claimed.undo);
      }
      this.fail(record.group, `could not take the surge back (${describeUndo(undo)})`, error);
      return undefined;
    }
    this.deps.logger.info('surge taken back', { group: record.group, record: record.id, undo: describeUndo(undo), why: claim.why });
    this.outcomes.push({ group: record.group, kind: 'taken-back', record: claimed, undo });
    return claimed;
  }

  /** Closes the record with the events that announce it in the same write (none drops an earlier, unconfirmed one). */
  private async close(
    record: ReplacementRecord,
    phase: 'verified' | UndoneOutcome,
    detail: string,
    events: readonly PhoenixEvent[],
  ): Promise<ReplacementRecord | undefined> {
    const { outbox: _replaced, ...rest } = record;
    const closed: ReplacementRecord = { ...rest, phase, closedAt: this.now, detail, ...(events.length === 0 ? {} : { outbox: events }) };
    try {
      if ((await this.deps.ledger.update(closed, record.phase)) === 'conflict') {
        this.notActed(record.group, 'another tick closed this replacement');
        return undefined;
      }
    } catch (error) {
      this.fail(record.group, `could not record ${phase} for ${record.id}`, error);
      return undefined;
    }
    this.deps.logger.info(`replacement ${phase}`, { group: record.group, instance: record.instanceId, record: record.id, detail });
    this.outcomes.push({ group: record.group, kind: 'closed', record: closed });
    this.written.set(closed.id, closed);
    return closed;
  }

  /**
   * A failed recovery counts against every name of what it launched, before its record closes: a run
   * that dies on the way leaves the record open, and the run that closes it notes it again (once).
   * Returns the blocks to announce with the close, or undefined when the ledger could not be written.
   */
  private async tripBreaker(record: ReplacementRecord): Promise<PhoenixEvent[] | undefined> {
    const announce: PhoenixEvent[] = [];
    try {
      for (const key of launchKeys(record.launches)) {
        const health = await this.deps.ledger.noteFailure(key, { group: record.group, at: this.now, recordId: record.id, canary: record.canary === true });
        if (health.block !== undefined) {
          if (health.block.trippedBy === record.id) announce.push(versionBlockedEvent(health.block, record));
          continue;
        }
        const why = tripReason(health, this.breaker, this.now);
        if (why === undefined) continue;
        const block: VersionBlock = { key, blockedAt: this.now, why, trippedBy: record.id };
        if ((await this.deps.ledger.blockVersion(block, health)) === 'blocked') {
          this.deps.logger.warn('version blocked', { group: record.group, version: key, why, record: record.id });
          this.blocked.push(key);
          announce.push(versionBlockedEvent(block, record));
        }
      }
    } catch (error) {
      this.fail(record.group, `could not note the failed recovery of ${record.id} against what it launched`, error);
      return undefined;
    }
    return announce;
  }

  private async quarantine(record: ReplacementRecord, why: string): Promise<boolean> {
    try {
      // Tag values are at most 256 characters.
      await this.deps.fleet.tagGroup(record.group, { [TAG.quarantined]: `${this.isoNow} ${why}`.slice(0, 256) });
    } catch (error) {
      this.fail(record.group, 'could not write the quarantine tag', error);
      return false;
    }
    this.outcomes.push({ group: record.group, kind: 'quarantined', record });
    return true;
  }
}

/** A record's closing words, with why max size was left to its owner, so `phoenix history` and the report show it. */
function withMaxNote(detail: string, max: MaxRestore | undefined): string {
  return max?.kind === 'leave' ? `${detail}; ${max.why}` : detail;
}

/**
 * One run: global gates → load → plan → act → publish events → (a recycler tick) announce what it expects
 * to start within the hour, and record what it skipped.
 */
export async function runTick(deps: TickDependencies, settings: TickSettings, now: Millis, scope: RunScope = { kind: 'tick' }): Promise<TickResult> {
  const { mode, block } = await readGlobalGate(deps, settings, now);
  if (block !== undefined) deps.logger.info('tick blocked', { reason: block.reason, why: block.why });
  const [{ records, blocks, releases, snoozes }, groups] = await load(deps, scope, now);
  const planInput: PlanInput = {
    groups,
    records,
    snoozes,
    now,
    chaosDraws: (group) => keyedRandom(`${deps.chaosSeed}/${Math.floor(now / settings.tickInterval)}/${group}`),
    tickInterval: settings.tickInterval,
    globalMode: mode === 'dry-run' ? 'dry-run' : 'live',
    globalBlock: block,
    maxTerminationsPerRun: settings.maxTerminationsPerRun,
    limits: settings.limits ?? NO_ACCOUNT_LIMITS,
    explain: false,
    progressOnly: scope.kind === 'verify',
    versionBlocks: blocks,
    breaker: settings.breaker ?? DEFAULT_BREAKER,
  };
  const decisions = planTick(planInput);
  if (scope.kind === 'tick') await markSnoozes(deps, groups, planInput);
  const fresh = await readBeforeActing(deps.fleet, scope, decisions, groups, now);
  const run = new TickRun(deps, planInput, records, fresh, settings.ownerTagKey ?? SETTINGS.ownerTagKey.default);
  for (const decision of decisions) {
    logDecision(deps.logger, decision);
    try {
      if (decision.kind === 'start')
        await run.start(
          decision,
          records.filter((record) => record.group === decision.group),
        );
      else if (decision.kind === 'progress') await run.progress(decision);
    } catch (error) {
      run.outcomes.push({ group: decision.group, kind: 'failed', why: 'unexpected error while acting', cause: error });
      deps.logger.error('action failed', { group: decision.group, error: errorText(error) });
    }
  }
  const failures = [...(await flushOutbox(deps, { loaded: records, groups, written: run.written })), ...(await announceReleases(deps, releases))];
  if (scope.kind === 'tick') {
    const accountLive = mode === 'live' && block === undefined;
    const noticeInput = { groups, records, decisions, now, tickInterval: settings.tickInterval, limits: planInput.limits, accountLive };
    failures.push(...(await announce(deps, noticeInput, settings.ownerTagKey ?? SETTINGS.ownerTagKey.default)));
  }
  for (const failure of failures) run.outcomes.push({ group: failure.group, kind: 'failed', why: failure.why, cause: failure.cause });
  if (scope.kind === 'tick') {
    try {
      await deps.ledger.recordTick(summarizeTick(now, block, decisions));
    } catch (error) {
      // Only the report's skip counts lose this tick; the actions and their records stand.
      deps.logger.warn('could not record the tick summary', { error: errorText(error) });
    }
  }
  const blockedNow = new Set([...blocks.map((found) => found.key), ...run.blocked]);
  return { at: now, mode, block, decisions, outcomes: run.outcomes, groups, blockedVersions: blockedNow.size };
}
