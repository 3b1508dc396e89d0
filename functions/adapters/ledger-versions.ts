import type { VersionBlock, VersionFailure, VersionHealth, VersionReleaseNotice } from '../core/decide/versions.js';
import type { Millis } from '../core/model.js';
import { LedgerItemError } from './errors.js';
import type { StoredItem } from './ledger-items.js';
import { describe, expiresAt, FieldReader, LATEST, OPEN_MARKER } from './ledger-items.js';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';

/**
 * A version's item: pk `VERSION#<key>`, sk `STATE`, with one `failure:<record id>` map per failed
 * recovery onto it. While blocked it carries `blockedAt`, `why`, `trippedBy` and the attributes that
 * put it in two sparse reads every run makes anyway: `mode` = 'live' with `startedAt` after every
 * record's (the tick's byStart Query returns it, whatever its lookback) and `open`/`openGroup` (the
 * verifier's open Query returns it). So a block costs no request of its own. A release removes the
 * block, sets `releasedAt`/`releasedBy` and an expiry, and moves `startedAt` to the release, where the
 * tick's read finds it until a tick has announced it (then `mode` and `startedAt` go too).
 */
export const VERSION_SORT_KEY = 'STATE';
const FAILURE_PREFIX = 'failure:';
const PREFIX = 'VERSION#';

export function versionPartitionKey(key: string): string {
  return `${PREFIX}${key}`;
}

export function isVersionItem(item: StoredItem): boolean {
  return typeof item[LEDGER_KEY.partition] === 'string' && (item[LEDGER_KEY.partition] as string).startsWith(PREFIX);
}

export function failureAttribute(recordId: string): string {
  return `${FAILURE_PREFIX}${recordId}`;
}

export function failureValue(failure: VersionFailure): Record<string, string | number | boolean> {
  return { group: failure.group, at: failure.at, recordId: failure.recordId, canary: failure.canary };
}

/** The attributes a block sets; their names, for the release that removes them. */
export function blockAttributes(block: VersionBlock): Record<string, string | number> {
  return {
    blockedAt: block.blockedAt,
    why: block.why,
    trippedBy: block.trippedBy,
    [LEDGER_KEY.mode]: 'live',
    [LEDGER_KEY.startedAt]: LATEST,
    [LEDGER_KEY.open]: OPEN_MARKER,
    [LEDGER_KEY.openGroup]: versionPartitionKey(block.key),
  };
}

/** A failure keeps the item for the retention; a block must outlive it, so it has no expiry. */
export function failureExpiry(at: Millis): Record<string, number> {
  return { [LEDGER_TTL_ATTRIBUTE]: expiresAt(at) };
}

/** Reads a version's item back, checking every field rather than trusting the table. */
export function versionFromItem(item: StoredItem): VersionHealth {
  const read = new FieldReader(item);
  const key = read.string('key');
  const failures: VersionFailure[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(FAILURE_PREFIX)) continue;
    if (value === null || typeof value !== 'object') {
      read.problems.push(`${name} must be a map, got ${describe(value)}`);
      continue;
    }
    const fields = new FieldReader(value as StoredItem);
    failures.push({ group: fields.string('group'), at: fields.number('at'), recordId: fields.string('recordId'), canary: fields.boolean('canary') });
    read.problems.push(...fields.problems.map((problem) => `${name}.${problem}`));
  }
  const blockedAt = read.optionalNumber('blockedAt');
  const block: VersionBlock | undefined =
    blockedAt === undefined ? undefined : { key, blockedAt, why: read.string('why'), trippedBy: read.string('trippedBy') };
  const releasedAt = read.optionalNumber('releasedAt');
  if (read.problems.length > 0) {
    throw new LedgerItemError(`malformed version item pk=${describe(item[LEDGER_KEY.partition])}: ${read.problems.join('; ')}`);
  }
  return { key, failures: failures.sort((a, b) => a.at - b.at), block, releasedAt };
}

/** A version item in a run's read: a block, or a release not announced yet. */
export function blockOrRelease(item: StoredItem): { readonly block: VersionBlock } | { readonly release: VersionReleaseNotice } {
  const health = versionFromItem(item);
  if (health.block !== undefined) return { block: health.block };
  const read = new FieldReader(item);
  const releasedBy = read.string('releasedBy');
  if (health.releasedAt === undefined || read.problems.length > 0) {
    throw new LedgerItemError(`version item pk=${describe(item[LEDGER_KEY.partition])} is in a run's read neither blocked nor released`);
  }
  return { release: { key: health.key, releasedAt: health.releasedAt, releasedBy } };
}
