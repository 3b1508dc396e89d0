import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from '../../functions/core/decide/versions.js';
import type { GlobalMode, Group, Millis, OutboxEvent, ReplacementPhase, ReplacementRecord, UndoClaim } from '../../functions/core/model.js';
import { isOpen } from '../../functions/core/model.js';
import type { SnoozeMark } from '../../functions/core/policy/snooze.js';
import type {
  AlarmsPort,
  BeginResult,
  EventsPort,
  FleetPort,
  LedgerPort,
  LedgerRead,
  Logger,
  RecheckOptions,
  SettingsPort,
  TaintPort,
  UpdateResult,
} from '../../functions/core/ports.js';
import type { TickSummary } from '../../functions/core/report/tick-summary.js';
import type { TouchedInstance } from '../../functions/core/taint/touch.js';
import { MemoryVersions } from '../../sim/memory-versions.js';

/** A hand-written fake: every call recorded, any method made to fail on demand. */
export class FakeFleet implements FleetPort {
  readonly calls: string[] = [];
  readonly failing = new Map<string, Error>();

  constructor(public groups: Group[]) {}

  private enter(call: string): void {
    this.calls.push(call);
    const error = this.failing.get(call.split(' ')[0] as string);
    if (error !== undefined) throw error;
  }

  async listOptedInGroups(): Promise<Group[]> {
    this.enter('listOptedInGroups');
    return this.groups;
  }

  async describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    this.enter(`describeGroups ${names.join(',')}`);
    return new Map(this.groups.filter((group) => names.includes(group.name)).map((group) => [group.name, group]));
  }

  async recheckGroups(groups: readonly Group[], options: RecheckOptions): Promise<ReadonlyMap<string, Group>> {
    const names = groups.map((group) => group.name);
    this.enter(`recheckGroups ${names.join(',')}${options.activitiesSince === undefined ? '' : ' with activities'}`);
    return new Map(this.groups.filter((group) => names.includes(group.name)).map((group) => [group.name, group]));
  }

  async setDesiredCapacity(group: string, desired: number): Promise<void> {
    this.enter(`setDesiredCapacity ${group} ${desired}`);
  }

  async setMaxSize(group: string, maxSize: number): Promise<void> {
    this.enter(`setMaxSize ${group} ${maxSize}`);
  }

  async terminateInstance(group: string, instanceId: string, options: { decrementDesired: boolean }): Promise<void> {
    this.enter(`terminateInstance ${group} ${instanceId} decrement=${options.decrementDesired}`);
  }

  async tagGroup(group: string, tags: Readonly<Record<string, string>>): Promise<void> {
    this.enter(`tagGroup ${group} ${Object.keys(tags).join(',')}`);
  }

  async untagGroup(group: string, keys: readonly string[]): Promise<void> {
    this.enter(`untagGroup ${group} ${keys.join(',')}`);
  }
}

export class FakeLedger implements LedgerPort {
  readonly records = new Map<string, ReplacementRecord>();
  failUpdates: Error | undefined;
  readonly ticks: TickSummary[] = [];
  failTickRecords: Error | undefined;

  constructor(records: readonly ReplacementRecord[] = []) {
    for (const record of records) this.records.set(record.id, record);
  }

  /** The reads made, in order: a run's cost in ledger requests. */
  readonly reads: string[] = [];

  readonly versions = new MemoryVersions();
  /** Snooze marks, as written. */
  readonly snoozes: SnoozeMark[] = [];
  failSnoozeMarks: Error | undefined;
  /** Scheduled tick times whose advance notices were claimed. */
  readonly noticeClaims: Millis[] = [];
  failNoticeClaims: Error | undefined;

  async claimNotices(scheduledAt: Millis): Promise<'claimed' | 'conflict'> {
    if (this.failNoticeClaims !== undefined) throw this.failNoticeClaims;
    if (this.noticeClaims.includes(scheduledAt)) return 'conflict';
    this.noticeClaims.push(scheduledAt);
    return 'claimed';
  }

  async recordsSince(since: Millis): Promise<LedgerRead> {
    this.reads.push('recordsSince');
    const snoozes = this.snoozes.filter((mark) => mark.seenAt >= since);
    return { records: this.startedSince(since), blocks: this.versions.blocks(), releases: this.versions.releases(), snoozes };
  }

  async markSnooze(mark: SnoozeMark): Promise<void> {
    if (this.failSnoozeMarks !== undefined) throw this.failSnoozeMarks;
    if (!this.snoozes.some((other) => other.group === mark.group && other.until === mark.until)) this.snoozes.push(mark);
  }

  async openRecords(): Promise<LedgerRead> {
    this.reads.push('openRecords');
    return { records: [...this.records.values()].filter(isOpen), blocks: this.versions.blocks(), releases: [], snoozes: [] };
  }

  async noteFailure(key: string, failure: VersionFailure): Promise<VersionHealth> {
    return this.versions.noteFailure(key, failure);
  }

  async blockVersion(block: VersionBlock, health: VersionHealth): Promise<'blocked' | 'conflict'> {
    return this.versions.blockVersion(block, health);
  }

  async releaseAnnounced(release: VersionReleaseNotice): Promise<void> {
    this.versions.releaseAnnounced(release);
  }

  async groupRecordsSince(groups: readonly string[], since: Millis): Promise<ReplacementRecord[]> {
    this.reads.push(`groupRecordsSince ${groups.join(',')}`);
    return this.startedSince(since).filter((record) => groups.includes(record.group));
  }

  private startedSince(since: Millis): ReplacementRecord[] {
    return [...this.records.values()].filter((record) => record.startedAt >= since);
  }

  async begin(record: ReplacementRecord): Promise<BeginResult> {
    if (isOpen(record) && [...this.records.values()].some((other) => other.group === record.group && isOpen(other))) return 'conflict';
    this.records.set(record.id, record);
    return 'created';
  }

  async update(record: ReplacementRecord, expectedPhase: ReplacementPhase, expectedUndo?: UndoClaim): Promise<UpdateResult> {
    if (this.failUpdates !== undefined) throw this.failUpdates;
    const stored = this.records.get(record.id);
    if (stored?.phase !== expectedPhase) return 'conflict';
    if (expectedUndo !== undefined && stored.undo?.at !== expectedUndo.at) return 'conflict';
    this.records.set(record.id, record);
    return 'updated';
  }

  async recordTick(summary: TickSummary): Promise<void> {
    if (this.failTickRecords !== undefined) throw this.failTickRecords;
    this.ticks.push(summary);
  }
}

export class FakeEvents implements EventsPort {
  readonly published: OutboxEvent[] = [];
  error: Error | undefined;

  async publish(events: readonly OutboxEvent[]): Promise<void> {
    if (this.error !== undefined) throw this.error;
    this.published.push(...events);
  }
}

export class FakeAlarms implements AlarmsPort {
  constructor(
    public inAlarm: string[] = [],
    public error: Error | undefined = undefined,
  ) {}

  async alarmsInAlarm(names: readonly string[]): Promise<string[]> {
    if (this.error !== undefined) throw this.error;
    return names.filter((name) => this.inAlarm.includes(name));
  }
}

export class FakeSettings implements SettingsPort {
  constructor(public mode: GlobalMode = 'live') {}

  async globalMode(): Promise<GlobalMode> {
    return this.mode;
  }
}

export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[] = [];

  info(message: string, fields: Readonly<Record<string, unknown>>): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields: Readonly<Record<string, unknown>>): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields: Readonly<Record<string, unknown>>): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** Instances as the taint function reads them; `tags` records every tag write. */
export class FakeInstances implements TaintPort {
  readonly calls: string[] = [];
  readonly tags: { instanceIds: readonly string[]; value: string }[] = [];
  failDescribe: Error | undefined;
  failTagging: Error | undefined;
  /** Instances terminated between the read and the tag write: described, but never tagged. */
  goneBeforeTagging: readonly string[] = [];

  constructor(public instances: TouchedInstance[]) {}

  async describeInstances(instanceIds: readonly string[]): Promise<TouchedInstance[]> {
    this.calls.push(`describeInstances ${instanceIds.join(',')}`);
    if (this.failDescribe !== undefined) throw this.failDescribe;
    return this.instances.filter((instance) => instanceIds.includes(instance.id));
  }

  async tagTainted(instanceIds: readonly string[], value: string): Promise<readonly string[]> {
    this.calls.push(`tagTainted ${instanceIds.join(',')}`);
    if (this.failTagging !== undefined) throw this.failTagging;
    const tagged = instanceIds.filter((id) => !this.goneBeforeTagging.includes(id));
    this.tags.push({ instanceIds: tagged, value });
    return tagged;
  }
}

/** A run's ports as fakes: the fleet holds `groups`, the ledger `records`; the account live, no alarm. */
export function fakeRunDeps(groups: Group[], records: readonly ReplacementRecord[] = []) {
  return {
    fleet: new FakeFleet(groups),
    ledger: new FakeLedger(records),
    events: new FakeEvents(),
    alarms: new FakeAlarms(),
    settings: new FakeSettings(),
    logger: new RecordingLogger(),
    chaosSeed: 1,
  };
}
