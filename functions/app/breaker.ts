import type { BreakerSettings, VersionBlock } from '../core/decide/versions.js';
import { launchKeys, tripReason } from '../core/decide/versions.js';
import type { PhoenixEvent } from '../core/events.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import type { LedgerPort, Logger } from '../core/ports.js';
import { versionBlockedEvent } from './outbox.js';

/** What a failed recovery did to the versions it launched: the blocks to announce with its close, and the keys it blocked. */
export interface BreakerTrip {
  readonly announce: readonly PhoenixEvent[];
  readonly blocked: readonly string[];
}

/**
 * A failed recovery counts against every name of what it launched, before its record closes: a run that
 * dies on the way leaves the record open, and the run that closes it notes it again (once), announcing a
 * block this record tripped even when an earlier run wrote it. A ledger failure throws: the record stays open.
 */
export async function tripBreaker(
  deps: { readonly ledger: LedgerPort; readonly logger: Logger },
  record: ReplacementRecord,
  breaker: BreakerSettings,
  now: Millis,
): Promise<BreakerTrip> {
  const announce: PhoenixEvent[] = [];
  const blocked: string[] = [];
  for (const key of launchKeys(record.launches)) {
    const health = await deps.ledger.noteFailure(key, { group: record.group, at: now, recordId: record.id, canary: record.canary === true });
    if (health.block !== undefined) {
      if (health.block.trippedBy === record.id) announce.push(versionBlockedEvent(health.block, record));
      continue;
    }
    const why = tripReason(health, breaker, now);
    if (why === undefined) continue;
    const block: VersionBlock = { key, blockedAt: now, why, trippedBy: record.id };
    if ((await deps.ledger.blockVersion(block, health)) === 'blocked') {
      deps.logger.warn('version blocked', { group: record.group, version: key, why, record: record.id });
      blocked.push(key);
      announce.push(versionBlockedEvent(block, record));
    }
  }
  return { announce, blocked };
}
