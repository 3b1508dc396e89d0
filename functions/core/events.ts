import type { RecycleReason } from './model.js';
import type { TouchKind } from './taint/taint.js';

export const EVENT_SOURCE = 'phoenix';

interface EventBase<Type extends string, Detail> {
  readonly detailType: Type;
  readonly time: string;
  readonly detail: Detail;
}

export type InstanceRecycled = EventBase<
  'Instance Recycled',
  {
    readonly group: string;
    readonly instanceId: string;
    readonly reason: RecycleReason;
    readonly instanceAgeSeconds: number | null;
    readonly recordId: string;
    readonly launchedBeforeTerminate: boolean;
    readonly owner: string | null;
  }
>;

export type RecoveryVerified = EventBase<
  'Recovery Verified',
  { readonly group: string; readonly instanceId: string; readonly recordId: string; readonly recoverySeconds: number; readonly owner: string | null }
>;

export type RecoveryFailed = EventBase<
  'Recovery Failed',
  { readonly group: string; readonly instanceId: string; readonly recordId: string; readonly reason: string; readonly owner: string | null }
>;

export type GroupQuarantined = EventBase<
  'Group Quarantined',
  { readonly group: string; readonly reason: string; readonly since: string; readonly owner: string | null }
>;

export type WeeklyReportPublished = EventBase<
  'Weekly Report',
  {
    readonly week: string;
    readonly weekStart: string;
    readonly weekEnd: string;
    readonly htmlUri: string;
    readonly jsonUri: string;
    readonly recycled: number;
    readonly failures: number;
    readonly quarantined: number;
    readonly needsAttention: number;
  }
>;

/** A person reached an instance of an opted-in group; `touchedAt` is the CloudTrail event time. */
export type InstanceTainted = EventBase<
  'Instance Tainted',
  {
    readonly group: string;
    readonly instanceId: string;
    readonly by: string;
    readonly via: TouchKind;
    readonly touchedAt: string;
    readonly cloudTrailEventId: string;
    readonly owner: string | null;
  }
>;

/** A version no group may launch until an operator releases it; `version` is `lt-…:N`, `lc:NAME` or `ami-…`. */
export type VersionBlocked = EventBase<
  'Version Blocked',
  {
    readonly version: string;
    readonly reason: string;
    readonly blockedAt: string;
    readonly recordId: string;
    /** The group whose failed recovery tripped the block, and its owner. */
    readonly group: string;
    readonly owner: string | null;
  }
>;

export type VersionReleased = EventBase<'Version Released', { readonly version: string; readonly releasedBy: string; readonly releasedAt: string }>;
/**
 * A replacement that raised its group's max size closed without putting it back, because someone else
 * changed it meanwhile (or the group no longer lets Phoenix change it): its owner decides now.
 */
export type MaxSizeLeftRaised = EventBase<
  'Max Size Left Raised',
  {
    readonly group: string;
    readonly instanceId: string;
    readonly recordId: string;
    readonly maxSize: number;
    readonly maxSizeBeforeSurge: number;
    readonly reason: string;
    readonly owner: string | null;
  }
>;

/**
 * Advance notice: a replacement the recycler expects to start within the next hour, at `earliestAt` at
 * the earliest, so a group's owner can route it (chat, a pager's quiet channel) before it happens.
 */
export type RecycleScheduled = EventBase<
  'Recycle Scheduled',
  { readonly group: string; readonly instanceId: string; readonly rule: RecycleReason; readonly earliestAt: string; readonly owner: string | null }
>;

export type PhoenixEvent =
  | InstanceRecycled
  | RecoveryVerified
  | RecoveryFailed
  | GroupQuarantined
  | WeeklyReportPublished
  | InstanceTainted
  | VersionBlocked
  | VersionReleased
  | MaxSizeLeftRaised
  | RecycleScheduled;
