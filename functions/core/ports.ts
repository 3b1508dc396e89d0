import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from './decide/versions.js';
import type { GlobalMode, Group, Millis, OutboxEvent, ReplacementPhase, ReplacementRecord, UndoClaim } from './model.js';
import type { SnoozeMark } from './policy/snooze.js';
import type { SnoozeSetter } from './policy/snooze-setter.js';
import type { TickSummary } from './report/tick-summary.js';
import type { TouchedInstance } from './taint/touch.js';

/**
 * What the recycler needs from Auto Scaling and EC2. The AWS adapters and the fleet simulator
 * both implement it; tests use small fakes.
 */
export interface FleetPort {
  /** Every group carrying a `phoenix:enabled` tag (any value), with its instances and their launch times. */
  listOptedInGroups(): Promise<Group[]>;
  /** The named groups read whole, in as few calls as the API allows; a group that no longer exists is missing from the map. */
  describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>>;
  /**
   * The groups about to change, read again right before acting: their Auto Scaling state afresh in
   * one batch, EC2's facts only for instances the given read did not have. A group that no longer
   * exists is missing from the map.
   */
  recheckGroups(groups: readonly Group[], options: RecheckOptions): Promise<ReadonlyMap<string, Group>>;
  /** SetDesiredCapacity without honouring cooldown: the launch-before-terminate surge. */
  setDesiredCapacity(group: string, desired: number): Promise<void>;
  /**
   * UpdateAutoScalingGroup with MaxSize alone: raises a group at its max by one for a surge, and puts it
   * back. Auto Scaling lowers desired capacity to a max set below it, so callers lower max only to at
   * least desired capacity.
   */
  setMaxSize(group: string, maxSize: number): Promise<void>;
  /**
   * TerminateInstanceInAutoScalingGroup: lifecycle hooks and draining run; never EC2 TerminateInstances.
   * Throws InstanceGoneError when the instance is no longer there to terminate, and CallRefusedError
   * when AWS refused the call unprocessed (throttled).
   */
  terminateInstance(group: string, instanceId: string, options: { decrementDesired: boolean }): Promise<void>;
  /** Creates or overwrites tags on the group; keys are always under `phoenix:`. */
  tagGroup(group: string, tags: Readonly<Record<string, string>>): Promise<void>;
  untagGroup(group: string, keys: readonly string[]): Promise<void>;
}

export interface RecheckOptions {
  /** Also look for scaling activities still running that began since then (undefined: do not look). */
  readonly activitiesSince: Millis | undefined;
}

/** What a run reads from the ledger: replacement records, the versions blocked now, and what only a tick reads. */
export interface LedgerRead {
  readonly records: ReplacementRecord[];
  readonly blocks: VersionBlock[];
  /** Releases not announced yet: the tick's read only (the verifier's has none). */
  readonly releases: VersionReleaseNotice[];
  /** The snoozes a tick has marked as first seen since then: the tick's read only (the verifier's has none). */
  readonly snoozes: SnoozeMark[];
}

export type BeginResult = 'created' | 'conflict';
export type UpdateResult = 'updated' | 'conflict';

/** The replacement ledger (DynamoDB in AWS, in memory in the simulator). */
export interface LedgerPort {
  /**
   * Every group's records that started at or after `since` (the recycler's tick; eventually
   * consistent). An open record older than that is the verifier's to move on: the group's lock keeps
   * the tick from starting another there meanwhile. The versions blocked now, releases to announce and
   * the snoozes marked since then come with it, at no extra request.
   */
  recordsSince(since: Millis): Promise<LedgerRead>;
  /** Every open record, whatever its age, and the versions blocked now (the verifier's sweep; eventually consistent). */
  openRecords(): Promise<LedgerRead>;
  /** The named groups' records that started at or after `since`, read consistently (the verifier, for the groups it moves on). */
  groupRecordsSince(groups: readonly string[], since: Millis): Promise<ReplacementRecord[]>;
  /**
   * Writes a new open record only if the group has no open record: two overlapping ticks can never
   * both start a replacement in one group. Dry-run records are never open and always created.
   */
  begin(record: ReplacementRecord): Promise<BeginResult>;
  /**
   * Replaces a record by id only if its stored phase is still `expectedPhase` (a conditional write):
   * of two overlapping ticks moving one replacement on, exactly one gets 'updated'. An undo made again
   * stays in `undoing`, so it also names the claim it read (`expectedUndo`): only the run whose claim
   * is still the stored one makes the call.
   */
  update(record: ReplacementRecord, expectedPhase: ReplacementPhase, expectedUndo?: UndoClaim): Promise<UpdateResult>;
  /**
   * Keeps a snooze as first seen; a mark of the same group and time already there is left as it is, so
   * overlapping ticks agree on when it was first seen.
   */
  markSnooze(mark: SnoozeMark): Promise<void>;
  /** Keeps what a recycler tick skipped and why, for the weekly report; never read by a tick. */
  recordTick(summary: TickSummary): Promise<void>;
  /**
   * Claims the advance notices of one scheduled tick, by the time its schedule fired (a conditional write):
   * of the deliveries of one schedule event (EventBridge's at-least-once, Lambda's retries), one gets 'claimed'.
   */
  claimNotices(scheduledAt: Millis): Promise<'claimed' | 'conflict'>;
  /**
   * Adds a failed recovery onto a version and returns what is known of the version after it. Made
   * again for the same record, it keeps the first note: a run that died after it may repeat it.
   */
  noteFailure(key: string, failure: VersionFailure): Promise<VersionHealth>;
  /**
   * Blocks a version only if it is not blocked and was not released since `health` was read
   * (a conditional write): of two runs that trip it, one gets 'blocked'.
   */
  blockVersion(block: VersionBlock, health: VersionHealth): Promise<'blocked' | 'conflict'>;
  /** Marks a release announced, so no later tick reads it again; one announced twice is harmless. */
  releaseAnnounced(release: VersionReleaseNotice): Promise<void>;
}

/** Where the verifier keeps who set a snooze (the ledger, beside the tick's mark of the same value). */
export interface SnoozeSetterPort {
  /**
   * Keeps the setter unless an earlier one of the same group and value is kept already, whatever the
   * order CloudTrail's events and the tick's mark arrive in: 'earlier-kept' when one was.
   */
  noteSnoozeSetter(setter: SnoozeSetter): Promise<'noted' | 'earlier-kept'>;
}

/** Lifts a version's block (the operator's `phoenix release --version`); the lifted block, or undefined when none held. */
export interface VersionRelease {
  releaseVersion(key: string, at: Millis, by: string): Promise<VersionBlock | undefined>;
}

/** What the weekly report reads from the ledger: a past week, whatever is open now. */
export interface LedgerHistory {
  /** Records started in [from, to). */
  recordsBetween(from: Millis, to: Millis): Promise<ReplacementRecord[]>;
  /** Summaries of recycler ticks that ran in [from, to). */
  ticksBetween(from: Millis, to: Millis): Promise<TickSummary[]>;
  /** Snoozes first seen in [from, to). */
  snoozesBetween(from: Millis, to: Millis): Promise<SnoozeMark[]>;
  /** The versions blocked now, for the report to show first. */
  versionBlocks(): Promise<VersionBlock[]>;
}

export interface EventsPort {
  /** Phoenix's own events, or the same events as a record's outbox kept them. */
  publish(events: readonly OutboxEvent[]): Promise<void>;
}

/** What the taint function needs from EC2 and Auto Scaling (the AWS adapter; fakes in tests). */
export interface TaintPort {
  /** The named instances that still exist; an id EC2 no longer knows is simply missing from the result. */
  describeInstances(instanceIds: readonly string[]): Promise<TouchedInstance[]>;
  /**
   * Writes one `phoenix:tainted` value on every named instance that still exists, and returns those
   * it tagged: an instance gone since it was read is left out, and never costs the others their tag.
   */
  tagTainted(instanceIds: readonly string[], value: string): Promise<readonly string[]>;
}

/** What the tainter's self-test probe reads and writes: one instance's own tags, then the tainter's own tag write. */
export interface TaintProbePort extends Pick<TaintPort, 'tagTainted'> {
  /** The instance's tags; undefined when EC2 does not know the instance. */
  instanceTags(instanceId: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** Where a rendered report is kept, and how a reader reaches it. */
export interface StoredReport {
  /** s3://bucket/key */
  readonly uri: string;
  /** The object in the console, for people: the bucket is private, so there is no public link. */
  readonly consoleUrl: string;
}

export interface ReportStorePort {
  put(key: string, body: string, contentType: string): Promise<StoredReport>;
}

/** Sends the report's summary to people (SNS, usually e-mail). */
export interface NotifierPort {
  /** `attributes` become SNS message attributes, which subscription filter policies match. */
  notify(subject: string, message: string, attributes?: Readonly<Record<string, string>>): Promise<void>;
}

export interface AlarmsPort {
  /** The subset of `names` currently in ALARM. */
  alarmsInAlarm(names: readonly string[]): Promise<string[]>;
}

export interface SettingsPort {
  /** Read at every tick so an operator can flip it without a redeploy. */
  globalMode(): Promise<GlobalMode>;
}

/** One structured log line per decision; the Lambda writes JSON to stdout, the simulator may collect. */
export interface Logger {
  info(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

/** CloudWatch's units for the figures Phoenix publishes (hours have none of their own: `None`). */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

/** One figure of a run, as a metric. */
export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
  /** Dimensions beyond the service, each with a few values only: every combination is a metric billed of its own. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** The group the figure is about: searchable beside it, and a dimension only where the deployment asks for per-group metrics. */
  readonly group?: string;
}

/** Where a run's figures go: CloudWatch's embedded metric format in a Lambda; nowhere, or a list, elsewhere. */
export interface MetricsPort {
  publish(points: readonly MetricPoint[]): void;
}
