/** Epoch milliseconds. The core never reads a clock: every time is passed in. */
export type Millis = number;

export const MINUTE: Millis = 60_000;
export const HOUR: Millis = 60 * MINUTE;
export const DAY: Millis = 24 * HOUR;
export const WEEK: Millis = 7 * DAY;

/** Auto Scaling lifecycle states that matter to a decision; anything else maps to 'Other'. */
export type LifecycleState =
  | 'Pending'
  | 'Pending:Wait'
  | 'Pending:Proceed'
  | 'InService'
  | 'Standby'
  | 'EnteringStandby'
  | 'Terminating'
  | 'Terminating:Wait'
  | 'Terminating:Proceed'
  | 'Detaching'
  | 'Other';

/** What an instance was launched from, or what a group launches now (version already resolved). */
export type LaunchSource =
  /** `name` only where the API said it: sources are compared by id and version. */
  | { readonly kind: 'template'; readonly id: string; readonly version: string; readonly name?: string; readonly imageId?: string }
  | { readonly kind: 'configuration'; readonly name: string; readonly imageId?: string };

export interface Instance {
  readonly id: string;
  readonly lifecycleState: LifecycleState;
  readonly healthy: boolean;
  /** Undefined when EC2 did not tell us: such an instance is never an age candidate. */
  readonly launchedAt: Millis | undefined;
  readonly protectedFromScaleIn: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly launchSource: LaunchSource | undefined;
}

/** The Auto Scaling processes whose suspension makes a replacement unsafe. */
export const GUARDED_PROCESSES = ['Launch', 'Terminate', 'HealthCheck', 'ReplaceUnhealthy'] as const;

export interface Group {
  readonly name: string;
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly instances: readonly Instance[];
  readonly suspendedProcesses: readonly string[];
  readonly scalingActivityInProgress: boolean;
  readonly instanceRefreshInProgress: boolean;
  /** The launch source new instances get now; undefined when it cannot be resolved (no stale check). */
  readonly launchSource: LaunchSource | undefined;
}

export type RecycleReason = 'requested' | 'tainted' | 'stale-config' | 'max-age' | 'chaos';
/** In the order the rules pick: a person's request first, then what a person touched. */
export const RECYCLE_REASONS: readonly RecycleReason[] = ['requested', 'tainted', 'stale-config', 'max-age', 'chaos'];

/** Account-level mode, switchable at run time. */
export type GlobalMode = 'live' | 'dry-run' | 'off';

/**
 * A replacement's progress, as the ledger keeps it.
 * surging: desired raised by one so the new instance is healthy before the old one goes (min-healthy 100).
 * terminating: the old instance was (or is about to be) terminated; waiting for the group to recover.
 * undoing: a surge being taken back exactly (its extra instance goes, desired returns to the owner's value).
 * verified / failed / abandoned / vanished: closed; vanished means the old instance went by some other
 * hand before Phoenix's termination, so it is not Phoenix's recycle. dry-run: what would have happened; never open.
 */
export type ReplacementPhase = 'surging' | 'terminating' | 'undoing' | 'verified' | 'failed' | 'abandoned' | 'vanished' | 'dry-run';
export const OPEN_PHASES: readonly ReplacementPhase[] = ['surging', 'terminating', 'undoing'];

/** How an undone replacement closes once its surge is taken back. */
export type UndoneOutcome = 'abandoned' | 'failed' | 'vanished';

/**
 * Written with a conditional update before the undo call, so two overlapping runs never both make it,
 * and a run that dies after the call leaves the next one what to close the record as.
 */
/**
 * An event as a record keeps it until it is published: what EventBridge takes, nothing more. Every
 * Phoenix event has this shape; the record needs no more of it.
 */
export interface OutboxEvent {
  readonly detailType: string;
  readonly time: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface UndoClaim {
  /** When the undo call was last made (undefined: not yet): another is made only once this one had time to show. */
  readonly at: Millis | undefined;
  readonly closeAs: UndoneOutcome;
  readonly why: string;
  /** A failure in a group still opted in is quarantined; a braked group is not (it may no longer be tagged). */
  readonly quarantine: boolean;
  /** The surge's extra instance the undo terminates, for the audit trail; absent when it sets desired back. */
  readonly extraInstanceId?: string;
}

/** A group's max size before and after Phoenix raised it by one for a surge. */
export interface MaxRaise {
  readonly fromMax: number;
  readonly toMax: number;
}

/** A raised max size a closing replacement left to the group's owner, and why (the weekly report lists it). */
export interface MaxLeft {
  readonly maxSize: number;
  readonly why: string;
}

export interface ReplacementRecord {
  readonly id: string;
  readonly group: string;
  readonly instanceId: string;
  readonly reason: RecycleReason;
  readonly mode: 'live' | 'dry-run';
  readonly instanceAgeSeconds: number | undefined;
  readonly startedAt: Millis;
  readonly phase: ReplacementPhase;
  /** Set when the replacement raised desired capacity first. */
  readonly surge?: { readonly fromDesired: number; readonly toDesired: number };
  /**
   * Set when the surge also raised the group's max size (a group at its max, `phoenix:max-surge=1`):
   * written before the raise, so whichever run closes the record puts max size back to `fromMax`.
   */
  readonly maxRaise?: MaxRaise;
  /** Set at close when the max size it raised was left to the owner: someone changed it meanwhile. */
  readonly maxLeft?: MaxLeft;
  readonly terminatedAt?: Millis;
  /** For a tainted instance: the last hand-made touch, so the report can show touch-to-replacement time. */
  readonly touchedAt?: Millis;
  /** The group's owner tag's value when the replacement started (deploy parameter ownerTagKey): its events carry it. */
  readonly owner?: string;
  readonly closedAt?: Millis;
  /** Set while undoing. */
  readonly undo?: UndoClaim;
  /** Events about this record not yet published: written with the change they announce, cleared once sent. */
  readonly outbox?: readonly OutboxEvent[];
  /** Why the record closed the way it did, in words an operator reads. */
  readonly detail?: string;
  /** What the replacement launches: the group's launch source as re-read right before it started, version resolved. */
  readonly launches?: LaunchSource;
  /** The first replacement onto a version not yet proven anywhere: its failure alone blocks the version. */
  readonly canary?: boolean;
}

export function isOpen(record: ReplacementRecord): boolean {
  return OPEN_PHASES.includes(record.phase);
}

/**
 * How far ahead of the clock a time from outside (an event's time, a tag's timestamp) may be and still
 * be believed: clocks drift a little, but a time further ahead is a mistake or an attack, never a fact.
 */
export const TRUSTED_CLOCK_SKEW: Millis = 2 * MINUTE;
