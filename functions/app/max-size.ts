import type { MaxRestore } from '../core/decide/decision.js';
import type { PhoenixEvent } from '../core/events.js';
import type { Millis, ReplacementRecord } from '../core/model.js';
import type { FleetPort, Logger } from '../core/ports.js';
import { maxLeftRaisedEvent } from './outbox.js';

/**
 * Puts a max size raised for a surge back before its record closes, or logs why it is left to its owner.
 * A failed call throws: the record stays open, so the next run (the verifier's sweep included) makes it again.
 */
export async function restoreMax(
  deps: { readonly fleet: FleetPort; readonly logger: Logger },
  record: ReplacementRecord,
  max: MaxRestore | undefined,
): Promise<void> {
  if (max === undefined) return;
  if (max.kind === 'leave') {
    deps.logger.warn('max size left to its owner', { group: record.group, record: record.id, why: max.why });
    return;
  }
  await deps.fleet.setMaxSize(record.group, max.maxSize);
  deps.logger.info('max size restored', { group: record.group, record: record.id, maxSize: max.maxSize });
}

/** `Max Size Left Raised`, announced with the close when a max changed by someone else was left alone. */
export function maxLeftEvents(record: ReplacementRecord, now: Millis, max: MaxRestore | undefined): PhoenixEvent[] {
  return max?.kind === 'leave' ? [maxLeftRaisedEvent(record, now, max)] : [];
}

/** A record's closing words, with why max size was left to its owner, so `phoenix history` shows it. */
export function withMaxNote(detail: string, max: MaxRestore | undefined): string {
  return max?.kind === 'leave' ? `${detail}; ${max.why}` : detail;
}

/** The record as it closes, keeping a max size left to its owner, which the weekly report lists. */
export function withMaxLeft(record: ReplacementRecord, max: MaxRestore | undefined): ReplacementRecord {
  return max?.kind === 'leave' ? { ...record, maxLeft: { maxSize: max.maxSize, why: max.why } } : record;
}
