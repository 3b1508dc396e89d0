import type { VersionBlock, VersionReleaseNotice } from '../core/decide/versions.js';
import type { PhoenixEvent } from '../core/events.js';
import type { Group, Millis, ReplacementRecord } from '../core/model.js';
import type { EventsPort, LedgerPort, Logger } from '../core/ports.js';
import { errorText } from './errors.js';

/**
 * Every event Phoenix emits about a replacement is written into its ledger record (its outbox) in the
 * same conditional write as the change it announces, or before the call it announces, and is cleared
 * only once published. A run that dies, or a publish that fails, leaves it there for the next run:
 * events are delivered at least once, never lost; each carries its record id for consumers to dedupe.
 */

export function recycledEvent(record: ReplacementRecord, now: Millis): PhoenixEvent {
  return {
    detailType: 'Instance Recycled',
    time: new Date(now).toISOString(),
    detail: {
      group: record.group,
      instanceId: record.instanceId,
      reason: record.reason,
      instanceAgeSeconds: record.instanceAgeSeconds ?? null,
      recordId: record.id,
      launchedBeforeTerminate: record.surge !== undefined,
      owner: record.owner ?? null,
    },
  };
}

export function verifiedEvent(record: ReplacementRecord, now: Millis, recoverySeconds: number): PhoenixEvent {
  return {
    detailType: 'Recovery Verified',
    time: new Date(now).toISOString(),
    detail: { group: record.group, instanceId: record.instanceId, recordId: record.id, recoverySeconds, owner: record.owner ?? null },
  };
}

export function failedEvents(record: ReplacementRecord, now: Millis, why: string, quarantined: boolean): PhoenixEvent[] {
  const time = new Date(now).toISOString();
  const failed: PhoenixEvent = {
    detailType: 'Recovery Failed',
    time,
    detail: { group: record.group, instanceId: record.instanceId, recordId: record.id, reason: why, owner: record.owner ?? null },
  };
  const owner = record.owner ?? null;
  return quarantined ? [failed, { detailType: 'Group Quarantined', time, detail: { group: record.group, reason: why, since: time, owner } }] : [failed];
}

/** Announced with the failed replacement that tripped the block, in the write that closes it. */
export function versionBlockedEvent(block: VersionBlock, record: ReplacementRecord): PhoenixEvent {
  return {
    detailType: 'Version Blocked',
    time: new Date(block.blockedAt).toISOString(),
    detail: {
      version: block.key,
      reason: block.why,
      blockedAt: new Date(block.blockedAt).toISOString(),
      recordId: record.id,
      group: record.group,
      owner: record.owner ?? null,
    },
  };
}

export function maxLeftRaisedEvent(record: ReplacementRecord, now: Millis, left: { readonly maxSize: number; readonly why: string }): PhoenixEvent {
  return {
    detailType: 'Max Size Left Raised',
    time: new Date(now).toISOString(),
    detail: {
      group: record.group,
      instanceId: record.instanceId,
      recordId: record.id,
      maxSize: left.maxSize,
      maxSizeBeforeSurge: record.maxRaise?.fromMax ?? left.maxSize,
      reason: left.why,
      owner: record.owner ?? null,
    },
  };
}

/**
 * An outbox left by an earlier run, ready to go out: a termination is announced only once it shows
 * (the old instance no longer in service), since a call that never landed announces nothing.
 */
function leftReady(record: ReplacementRecord, groups: ReadonlyMap<string, Group>): boolean {
  if ((record.outbox ?? []).length === 0) return false;
  if (record.phase !== 'terminating') return true;
  const victim = groups.get(record.group)?.instances.find((instance) => instance.id === record.instanceId);
  return groups.has(record.group) && victim?.lifecycleState !== 'InService';
}

export interface OutboxRun {
  /** The records as loaded at the start of the run. */
  readonly loaded: readonly ReplacementRecord[];
  readonly groups: readonly Group[];
  /** Records this run wrote, by id, as last written: their outbox is this run's to publish. */
  readonly written: ReadonlyMap<string, ReplacementRecord>;
}

export interface OutboxFailure {
  readonly group: string;
  readonly why: string;
  readonly cause: unknown;
}

/**
 * Publishes every outbox due, then clears each. What fails is logged as an error and returned for the
 * run to report (so the invocation fails and alarms); the outbox stays for the next run.
 */
export async function flushOutbox(
  deps: { readonly events: EventsPort; readonly ledger: LedgerPort; readonly logger: Logger },
  run: OutboxRun,
): Promise<OutboxFailure[]> {
  const byGroup = new Map(run.groups.map((group) => [group.name, group]));
  const due = [
    ...[...run.written.values()].filter((record) => (record.outbox ?? []).length > 0),
    ...run.loaded.filter((record) => !run.written.has(record.id) && leftReady(record, byGroup)),
  ];
  if (due.length === 0) return [];
  const events = due.flatMap((record) => record.outbox ?? []);
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.logger.error('could not publish events', { count: events.length, records: due.map((record) => record.id), error: errorText(error) });
    return [...new Set(due.map((record) => record.group))].map((group) => ({ group, why: 'could not publish events; the next run sends them', cause: error }));
  }
  const failures: OutboxFailure[] = [];
  for (const record of due) {
    const { outbox: _published, ...cleared } = record;
    try {
      await deps.ledger.update(cleared, record.phase);
    } catch (error) {
      // Published but still in the outbox: the next run sends these events again, never loses them.
      deps.logger.error('could not clear a published outbox', { record: record.id, error: errorText(error) });
      failures.push({ group: record.group, why: `could not clear the published outbox of ${record.id}; its events may be sent again`, cause: error });
    }
  }
  return failures;
}

/**
 * An operator's release is written by the CLI, which may not publish on Phoenix's bus: the next tick
 * reads it and announces it (`Version Released`), then marks it announced. A failure leaves it for the
 * next tick: announced at least once, never lost.
 */
export async function announceReleases(
  deps: { readonly events: EventsPort; readonly ledger: LedgerPort; readonly logger: Logger },
  releases: readonly VersionReleaseNotice[],
): Promise<OutboxFailure[]> {
  if (releases.length === 0) return [];
  const events: PhoenixEvent[] = releases.map((release) => {
    const releasedAt = new Date(release.releasedAt).toISOString();
    return { detailType: 'Version Released', time: releasedAt, detail: { version: release.key, releasedBy: release.releasedBy, releasedAt } };
  });
  try {
    await deps.events.publish(events);
    for (const release of releases) await deps.ledger.releaseAnnounced(release);
  } catch (error) {
    deps.logger.error('could not announce released versions', { versions: releases.map((release) => release.key), error: errorText(error) });
    return [{ group: releases.map((release) => release.key).join(', '), why: 'could not announce released versions; the next tick does', cause: error }];
  }
  return [];
}
