import type { Group } from '../functions/core/model.js';
import type { EventsPort, FleetPort, LedgerPort } from '../functions/core/ports.js';

/** The port calls one run makes, a name for each method of the fleet, ledger and events ports. */
export type PortCallKind =
  | 'list'
  | 'describe'
  | 'set-desired'
  | 'set-max'
  | 'terminate'
  | 'tag'
  | 'untag'
  | 'records'
  | 'mark-snooze'
  | 'begin'
  | 'update'
  | 'record-tick'
  | 'claim-notices'
  | 'version'
  | 'publish';

export interface PortCall {
  readonly kind: PortCallKind;
  readonly group?: string;
  readonly instanceId?: string;
  /** The version a breaker write is about. */
  readonly key?: string;
}

/** Stands between a run and one port call: may run the real call, refuse it, or do something around it. */
export type Around = <T>(call: PortCall, real: () => Promise<T>) => Promise<T>;

/** The fleet port with every call passed through `around`; `onRead` sees the groups each read returned. */
export function interposeFleet(fleet: FleetPort, around: Around, onRead: (groups: Iterable<Group>) => void = () => undefined): FleetPort {
  return {
    listOptedInGroups: () =>
      around({ kind: 'list' }, async () => {
        const groups = await fleet.listOptedInGroups();
        onRead(groups);
        return groups;
      }),
    describeGroups: (names) =>
      around({ kind: 'describe' }, async () => {
        const found = await fleet.describeGroups(names);
        onRead(found.values());
        return found;
      }),
    recheckGroups: (groups, options) =>
      around({ kind: 'describe' }, async () => {
        const found = await fleet.recheckGroups(groups, options);
        onRead(found.values());
        return found;
      }),
    setDesiredCapacity: (group, desired) => around({ kind: 'set-desired', group }, () => fleet.setDesiredCapacity(group, desired)),
    setMaxSize: (group, maxSize) => around({ kind: 'set-max', group }, () => fleet.setMaxSize(group, maxSize)),
    terminateInstance: (group, instanceId, options) =>
      around({ kind: 'terminate', group, instanceId }, () => fleet.terminateInstance(group, instanceId, options)),
    tagGroup: (group, tags) => around({ kind: 'tag', group }, () => fleet.tagGroup(group, tags)),
    untagGroup: (group, keys) => around({ kind: 'untag', group }, () => fleet.untagGroup(group, keys)),
  };
}

export function interposeLedger(ledger: LedgerPort, around: Around): LedgerPort {
  return {
    recordsSince: (since) => around({ kind: 'records' }, () => ledger.recordsSince(since)),
    markSnooze: (mark) => around({ kind: 'mark-snooze', group: mark.group }, () => ledger.markSnooze(mark)),
    openRecords: () => around({ kind: 'records' }, () => ledger.openRecords()),
    groupRecordsSince: (groups, since) => around({ kind: 'records' }, () => ledger.groupRecordsSince(groups, since)),
    begin: (record) => around({ kind: 'begin', group: record.group, instanceId: record.instanceId }, () => ledger.begin(record)),
    update: (record, expectedPhase, expectedUndo) =>
      around({ kind: 'update', group: record.group, instanceId: record.instanceId }, () => ledger.update(record, expectedPhase, expectedUndo)),
    recordTick: (summary) => around({ kind: 'record-tick' }, () => ledger.recordTick(summary)),
    claimNotices: (scheduledAt) => around({ kind: 'claim-notices' }, () => ledger.claimNotices(scheduledAt)),
    noteFailure: (key, failure) => around({ kind: 'version', key }, () => ledger.noteFailure(key, failure)),
    blockVersion: (block, health) => around({ kind: 'version', key: block.key }, () => ledger.blockVersion(block, health)),
    releaseAnnounced: (release) => around({ kind: 'version', key: release.key }, () => ledger.releaseAnnounced(release)),
  };
}

export function interposeEvents(events: EventsPort, around: Around): EventsPort {
  return { publish: (batch) => around({ kind: 'publish' }, () => events.publish(batch)) };
}

/** What a port call of a killed run gets: the Lambda is gone, nothing it asks for happens. */
export class RunKilled extends Error {
  override readonly name = 'RunKilled';
}

/**
 * A Lambda killed mid-run (timed out, or its host gone): its first `calls` port calls go through, and
 * every later one throws without reaching the port, so nothing it would have done afterwards happens.
 */
export class Kill {
  private made = 0;
  /** The first call the run did not live to make, once it got that far. */
  killed: RunKilled | undefined;

  constructor(private readonly calls: number) {}

  readonly around: Around = (call, real) => {
    this.made += 1;
    if (this.made <= this.calls) return real();
    const killed = new RunKilled(`killed after ${this.calls} port call${this.calls === 1 ? '' : 's'}, before ${call.kind}`);
    this.killed ??= killed;
    return Promise.reject(killed);
  };
}
