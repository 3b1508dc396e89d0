import type { SkipReason } from '../core/decide/decision.js';
import { SKIP_REASONS } from '../core/decide/decision.js';
import type { PhoenixEvent } from '../core/events.js';
import type {
  LaunchSource,
  MaxLeft,
  MaxRaise,
  Millis,
  OutboxEvent,
  RecycleReason,
  ReplacementPhase,
  ReplacementRecord,
  UndoClaim,
  UndoneOutcome,
} from '../core/model.js';
import { isOpen, RECYCLE_REASONS } from '../core/model.js';
import type { GlobalBlockReason } from '../core/policy/global-gate.js';
import type { TickSummary } from '../core/report/tick-summary.js';
import { LedgerItemError } from './errors.js';
import { LEDGER_KEY, LEDGER_RETENTION_DAYS, LEDGER_TTL_ATTRIBUTE } from './ledger-table.js';

/**
 * Item layout, one table:
 * - a record: pk `GROUP#<group>`, sk `REC#<startedAt ISO>#<id>`, the record's fields, `day` and
 *   `expiresAt`; while open also `open = 'OPEN'` and `openGroup`, so the open index holds only open records;
 * - a group's lock: pk `GROUP#<group>`, sk `LOCK`, `recordId`; it exists exactly while the group has an
 *   open record, and is what makes two overlapping ticks unable to both start a replacement there.
 * - a tick summary: pk `TICK#<YYYY-MM-DD of at>`, sk `<at ISO>#<part>`, `at`, `blocked`, `skips` (group
 *   → reason) and `expiresAt`; a tick over many groups is split into parts so no item nears 400 KB.
 * - a snooze: pk `GROUP#<group>`, sk `SNOOZE#<until ISO>`. The tick's mark sets `kind = 'snooze'`, `group`,
 *   `until`, and the record index attributes (`mode` 'live', `startedAt` = when first seen, `day`,
 *   `expiresAt`), so the tick's two Queries and the report's days read the marks with the records, and
 *   nothing else finds them; the verifier sets `setBy` and `setAt` (who wrote the tag, from CloudTrail)
 *   and, on an item not marked yet, `expiresAt` alone: such an item is in no index.
 * - a tick's notice claim: pk `NOTICES#<scheduled ISO>`, sk `CLAIM`, `expiresAt` two days on; written
 *   once per schedule event, read by nothing (its write's condition is the only use).
 * A record's group, id and startedAt locate its item, so they never change once written.
 */

const PHASES: readonly ReplacementPhase[] = ['surging', 'terminating', 'undoing', 'verified', 'failed', 'abandoned', 'vanished', 'dry-run'];
const EVENT_TYPES: ReadonlySet<unknown> = new Set<PhoenixEvent['detailType']>([
  'Instance Recycled',
  'Recovery Verified',
  'Recovery Failed',
  'Group Quarantined',
  'Version Blocked',
  'Max Size Left Raised',
]);
const UNDONE_OUTCOMES: readonly UndoneOutcome[] = ['abandoned', 'failed', 'vanished'];
export const MODES: readonly ReplacementRecord['mode'][] = ['live', 'dry-run'];
export const LOCK_SORT_KEY = 'LOCK';
export const OPEN_MARKER = 'OPEN';
/** toISOString is fixed-width, hence sorts like time, only for years 1970 to 9999. */
export const LATEST: Millis = Date.UTC(10000, 0, 1);

type StoredUndo = {
  readonly closeAs: UndoneOutcome;
  readonly why: string;
  readonly quarantine: boolean;
  readonly at?: number;
  readonly extraInstanceId?: string;
};
export type Item = Record<
  string,
  string | number | { readonly fromDesired: number; readonly toDesired: number } | MaxRaise | MaxLeft | StoredUndo | LaunchSource
>;
export type StoredItem = Readonly<Record<string, unknown>>;

export function partitionKey(group: string): string {
  return `GROUP#${group}`;
}

function recordSortKey(startedAt: Millis, id: string): string {
  return `REC#${new Date(startedAt).toISOString()}#${id}`;
}

/** Group names are at most 255 characters: 1,000 of them with a reason stay well under DynamoDB's 400 KB item limit. */
export const GROUPS_PER_TICK_ITEM = 1_000;
const BLOCK_REASONS: readonly GlobalBlockReason[] = ['mode-off', 'blackout', 'stop-alarm'];

export function tickPartitionKey(at: Millis): string {
  return `TICK#${dayBucket(at)}`;
}

export function tickFromItem(item: StoredItem): TickSummary {
  const read = new FieldReader(item);
  const at = read.number('at');
  const blocked = item['blocked'] === undefined ? undefined : read.oneOf<GlobalBlockReason>('blocked', BLOCK_REASONS);
  const skips: Record<string, SkipReason> = {};
  const stored = item['skips'];
  if (stored !== null && typeof stored === 'object') {
    const reasons = new FieldReader(stored as StoredItem);
    for (const group of Object.keys(stored)) skips[group] = reasons.oneOf<SkipReason>(group, SKIP_REASONS);
    read.problems.push(...reasons.problems.map((problem) => `skips.${problem}`));
  } else {
    read.problems.push(`skips must be a map, got ${describe(stored)}`);
  }
  if (read.problems.length > 0) {
    throw new LedgerItemError(
      `malformed tick summary pk=${describe(item[LEDGER_KEY.partition])} sk=${describe(item[LEDGER_KEY.sort])}: ${read.problems.join('; ')}`,
    );
  }
  return { at, blocked, skips };
}

/** A claim outlives any redelivery of its event (Lambda retries for at most six hours) and then expires. */
const NOTICE_CLAIM_DAYS = 2;

export function noticeClaimToItem(scheduledAt: Millis): Item {
  const at = queryBound(scheduledAt, 'scheduledAt');
  return {
    [LEDGER_KEY.partition]: `NOTICES#${new Date(at).toISOString()}`,
    [LEDGER_KEY.sort]: 'CLAIM',
    [LEDGER_TTL_ATTRIBUTE]: Math.floor(at / 1000) + NOTICE_CLAIM_DAYS * 86_400,
  };
}

export function dayBucket(at: Millis): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function expiresAt(startedAt: Millis): number {
  return Math.floor(startedAt / 1000) + LEDGER_RETENTION_DAYS * 86_400;
}

/** A caller's time bound as a whole millisecond inside the range the sort keys can express. */
export function queryBound(at: Millis, name: string): Millis {
  if (Number.isNaN(at)) throw new RangeError(`${name} must be epoch milliseconds, got NaN`);
  return Math.min(Math.max(Math.ceil(at), 0), LATEST - 1);
}

export function toItem(record: ReplacementRecord): Item {
  if (!Number.isSafeInteger(record.startedAt) || record.startedAt < 0 || record.startedAt >= LATEST) {
    throw new RangeError(`record ${record.id}: startedAt must be whole epoch milliseconds in years 1970 to 9999, got ${record.startedAt}`);
  }
  const item: Item = {
    [LEDGER_KEY.partition]: partitionKey(record.group),
    [LEDGER_KEY.sort]: recordSortKey(record.startedAt, record.id),
    [LEDGER_KEY.day]: dayBucket(record.startedAt),
    [LEDGER_TTL_ATTRIBUTE]: expiresAt(record.startedAt),
    id: record.id,
    group: record.group,
    instanceId: record.instanceId,
    reason: record.reason,
    [LEDGER_KEY.mode]: record.mode,
    startedAt: record.startedAt,
    phase: record.phase,
  };
  if (record.instanceAgeSeconds !== undefined) item['instanceAgeSeconds'] = record.instanceAgeSeconds;
  if (record.surge !== undefined) item['surge'] = { fromDesired: record.surge.fromDesired, toDesired: record.surge.toDesired };
  if (record.maxRaise !== undefined) item['maxRaise'] = { fromMax: record.maxRaise.fromMax, toMax: record.maxRaise.toMax };
  if (record.maxLeft !== undefined) item['maxLeft'] = { maxSize: record.maxLeft.maxSize, why: record.maxLeft.why };
  if (record.terminatedAt !== undefined) item['terminatedAt'] = record.terminatedAt;
  if (record.touchedAt !== undefined) item['touchedAt'] = record.touchedAt;
  if (record.owner !== undefined) item['owner'] = record.owner;
  if (record.closedAt !== undefined) item['closedAt'] = record.closedAt;
  if (record.detail !== undefined) item['detail'] = record.detail;
  // Kept as JSON text: the events are only ever published as they are, never queried.
  if (record.outbox !== undefined && record.outbox.length > 0) item['outbox'] = JSON.stringify(record.outbox);
  if (record.undo !== undefined) {
    const { at, closeAs, why, quarantine, extraInstanceId } = record.undo;
    item['undo'] = { closeAs, why, quarantine, ...(at === undefined ? {} : { at }), ...(extraInstanceId === undefined ? {} : { extraInstanceId }) };
  }
  if (record.launches !== undefined) item['launches'] = { ...record.launches };
  if (record.canary === true) item['canary'] = 'true';
  if (isOpen(record)) {
    item[LEDGER_KEY.open] = OPEN_MARKER;
    item[LEDGER_KEY.openGroup] = record.group;
  }
  return item;
}

/** Reads a stored item back, checking every field rather than trusting the table. */
export function recordFromItem(item: StoredItem): ReplacementRecord {
  const read = new FieldReader(item);
  const surge = read.optionalSurge();
  const maxRaise = read.optionalMaxRaise();
  const maxLeft = read.optionalMaxLeft();
  const terminatedAt = read.optionalNumber('terminatedAt');
  const touchedAt = read.optionalNumber('touchedAt');
  const owner = read.optionalString('owner');
  const closedAt = read.optionalNumber('closedAt');
  const detail = read.optionalString('detail');
  const undo = read.optionalUndo();
  const outbox = read.optionalOutbox();
  const launches = read.optionalLaunchSource();
  const canary = item['canary'] === undefined ? undefined : read.oneOf('canary', ['true']);
  const record: ReplacementRecord = {
    id: read.string('id'),
    group: read.string('group'),
    instanceId: read.string('instanceId'),
    reason: read.oneOf<RecycleReason>('reason', RECYCLE_REASONS),
    mode: read.oneOf('mode', MODES),
    instanceAgeSeconds: read.optionalNumber('instanceAgeSeconds'),
    startedAt: read.number('startedAt'),
    phase: read.oneOf('phase', PHASES),
    ...(surge === undefined ? {} : { surge }),
    ...(maxRaise === undefined ? {} : { maxRaise }),
    ...(maxLeft === undefined ? {} : { maxLeft }),
    ...(terminatedAt === undefined ? {} : { terminatedAt }),
    ...(touchedAt === undefined ? {} : { touchedAt }),
    ...(owner === undefined ? {} : { owner }),
    ...(closedAt === undefined ? {} : { closedAt }),
    ...(detail === undefined ? {} : { detail }),
    ...(undo === undefined ? {} : { undo }),
    ...(outbox === undefined ? {} : { outbox }),
    ...(launches === undefined ? {} : { launches }),
    ...(canary === undefined ? {} : { canary: true }),
  };
  if (read.problems.length === 0) {
    // The key is recomputed from these fields to update the item, so they must agree with it.
    if (item[LEDGER_KEY.partition] !== partitionKey(record.group)) read.problems.push(`pk does not match group ${JSON.stringify(record.group)}`);
    if (Number.isSafeInteger(record.startedAt) && record.startedAt >= 0 && record.startedAt < LATEST) {
      if (item[LEDGER_KEY.sort] !== recordSortKey(record.startedAt, record.id)) read.problems.push('sk does not match startedAt and id');
    } else {
      read.problems.push(`startedAt must be whole epoch milliseconds in years 1970 to 9999, got ${record.startedAt}`);
    }
  }
  if (read.problems.length > 0) {
    throw new LedgerItemError(
      `malformed ledger item pk=${describe(item[LEDGER_KEY.partition])} sk=${describe(item[LEDGER_KEY.sort])}: ${read.problems.join('; ')}`,
    );
  }
  return record;
}

export class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly item: StoredItem) {}

  string(name: string): string {
    const value = this.item[name];
    if (typeof value === 'string') return value;
    this.problems.push(`${name} must be a string, got ${describe(value)}`);
    return '';
  }

  optionalString(name: string): string | undefined {
    return this.item[name] === undefined ? undefined : this.string(name);
  }

  number(name: string): number {
    const value = this.item[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.problems.push(`${name} must be a number, got ${describe(value)}`);
    return 0;
  }

  optionalNumber(name: string): number | undefined {
    return this.item[name] === undefined ? undefined : this.number(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.item[name];
    const known = allowed.find((candidate) => candidate === value);
    if (known !== undefined) return known;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    // A placeholder only: a reader with problems makes recordFromItem throw.
    return allowed[0] as T;
  }

  boolean(name: string): boolean {
    const value = this.item[name];
    if (typeof value === 'boolean') return value;
    this.problems.push(`${name} must be true or false, got ${describe(value)}`);
    return false;
  }

  optionalOutbox(): readonly OutboxEvent[] | undefined {
    const value = this.item['outbox'];
    if (value === undefined) return undefined;
    let events: unknown;
    try {
      events = typeof value === 'string' ? JSON.parse(value) : undefined;
    } catch {
      events = undefined;
    }
    const wellFormed =
      Array.isArray(events) &&
      events.every((event: unknown) => {
        if (event === null || typeof event !== 'object') return false;
        const fields = event as Record<string, unknown>;
        return (
          typeof fields['detailType'] === 'string' &&
          EVENT_TYPES.has(fields['detailType']) &&
          typeof fields['time'] === 'string' &&
          typeof fields['detail'] === 'object' &&
          fields['detail'] !== null
        );
      });
    if (!wellFormed) {
      this.problems.push(`outbox must be JSON text of Phoenix events, got ${describe(value)}`);
      return undefined;
    }
    return events as readonly OutboxEvent[];
  }

  /**
   * A nested map, read field by field with `read`: undefined when absent; its problems are named
   * under the map's own name (`undo.why must be …`).
   */
  private optionalMap<T>(name: string, read: (fields: FieldReader) => T): T | undefined {
    const value = this.item[name];
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object') {
      this.problems.push(`${name} must be a map, got ${describe(value)}`);
      return undefined;
    }
    const fields = new FieldReader(value as StoredItem);
    const result = read(fields);
    this.problems.push(...fields.problems.map((problem) => `${name}.${problem}`));
    return result;
  }

  optionalUndo(): UndoClaim | undefined {
    return this.optionalMap('undo', (undo): UndoClaim => {
      const extraInstanceId = undo.optionalString('extraInstanceId');
      return {
        at: undo.optionalNumber('at'),
        closeAs: undo.oneOf('closeAs', UNDONE_OUTCOMES),
        why: undo.string('why'),
        quarantine: undo.boolean('quarantine'),
        ...(extraInstanceId === undefined ? {} : { extraInstanceId }),
      };
    });
  }

  optionalLaunchSource(): LaunchSource | undefined {
    return this.optionalMap('launches', (source): LaunchSource => {
      const imageId = source.optionalString('imageId');
      const image = imageId === undefined ? {} : { imageId };
      if (source.oneOf('kind', ['template', 'configuration']) === 'configuration') return { kind: 'configuration', name: source.string('name'), ...image };
      const name = source.optionalString('name');
      return { kind: 'template', id: source.string('id'), version: source.string('version'), ...(name === undefined ? {} : { name }), ...image };
    });
  }

  optionalMaxRaise(): MaxRaise | undefined {
    return this.optionalMap('maxRaise', (raise) => ({ fromMax: raise.number('fromMax'), toMax: raise.number('toMax') }));
  }

  optionalMaxLeft(): MaxLeft | undefined {
    return this.optionalMap('maxLeft', (left) => ({ maxSize: left.number('maxSize'), why: left.string('why') }));
  }

  optionalSurge(): ReplacementRecord['surge'] {
    return this.optionalMap('surge', (surge) => ({ fromDesired: surge.number('fromDesired'), toDesired: surge.number('toDesired') }));
  }
}

export function describe(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
}

/** The same attributes with the same values, whatever their order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function sortByStart(records: ReplacementRecord[]): ReplacementRecord[] {
  return records.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
