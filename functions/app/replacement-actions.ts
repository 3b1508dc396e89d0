import type { MaxRestore, ProgressDecision, StartDecision, Undo } from '../core/decide/decision.js';
import type { PlanInput } from '../core/decide/plan.js';
import { changesCapacity, recheckProgress, recheckStart } from '../core/decide/recheck.js';
import type { BreakerSettings } from '../core/decide/versions.js';
import { CallRefusedError, InstanceGoneError } from '../core/errors.js';
import type { PhoenixEvent } from '../core/events.js';
import type { Group, Millis, ReplacementRecord, UndoClaim, UndoneOutcome } from '../core/model.js';
import { TAG } from '../core/policy/policy.js';
import type { FleetPort, LedgerPort, Logger } from '../core/ports.js';
import { tripBreaker } from './breaker.js';
import { describeUndo } from './decision-log.js';
import { errorText } from './errors.js';
import { maxLeftEvents, restoreMax, withMaxLeft, withMaxNote } from './max-size.js';
import { failedEvents, recycledEvent, verifiedEvent } from './outbox.js';

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

function recordId(group: string, now: Millis): string {
  return `${group}#${new Date(now).toISOString()}`;
}

/** What the actions reach: the fleet to change, the ledger to write ahead, the log. */
export interface ActionDependencies {
  readonly fleet: FleetPort;
  readonly ledger: LedgerPort;
  readonly logger: Logger;
}

/**
 * One run's actions on the decisions it planned: each writes the ledger ahead of its AWS call, checks the
 * group as read again right before acting, and collects its outcome per group instead of throwing. The
 * records written go out with their outboxes at the end of the run.
 */
export class ReplacementActions {
  readonly outcomes: ActionOutcome[] = [];
  /** Versions this run blocked. */
  readonly blocked: string[] = [];
  /** Every record this run wrote, as last written: their outboxes go out at the end of the run. */
  readonly written = new Map<string, ReplacementRecord>();

  constructor(
    private readonly deps: ActionDependencies,
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
        if (!(await this.maxSettled(record, step.max))) return;
        await this.close(withMaxLeft(record, step.max), 'verified', withMaxNote(`recovered in ${step.recoverySeconds}s`, step.max), [
          verifiedEvent(record, this.now, step.recoverySeconds),
          ...maxLeftEvents(record, this.now, step.max),
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
        if (!(await this.maxSettled(current, step.max))) return;
        if (quarantine && !(await this.quarantine(current, step.why))) return;
        const blocked = closeAs === 'failed' ? await this.blocksTripped(current) : [];
        if (blocked === undefined) return;
        await this.close(withMaxLeft(current, step.max), closeAs, withMaxNote(step.why, step.max), [
          ...(closeAs === 'failed' ? [...failedEvents(record, this.now, step.why, quarantine), ...blocked] : []),
          ...maxLeftEvents(record, this.now, step.max),
        ]);
        return;
      }
    }
  }

  /** Puts a raised max size back (or leaves it to its owner); returns whether the record may close. */
  private async maxSettled(record: ReplacementRecord, max: MaxRestore | undefined): Promise<boolean> {
    try {
      await restoreMax(this.deps, record, max);
    } catch (error) {
      this.fail(record.group, `could not put max size back to ${max?.maxSize}`, error);
      return false;
    }
    return true;
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

  /** The blocks a failed recovery trips, to announce with its close; undefined when the ledger could not be written. */
  private async blocksTripped(record: ReplacementRecord): Promise<readonly PhoenixEvent[] | undefined> {
    try {
      const trip = await tripBreaker(this.deps, record, this.breaker, this.now);
      this.blocked.push(...trip.blocked);
      return trip.announce;
    } catch (error) {
      this.fail(record.group, `could not note the failed recovery of ${record.id} against what it launched`, error);
      return undefined;
    }
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
